"""A radio button that reads without colour on the Linux console: "(*)" for the chosen one and
"( )" for the rest (Textual draws `▐●▌` for every row and tells the chosen one by colour alone).
In full colour it is Textual's own RadioButton."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import RadioButton


class ChoiceButton(RadioButton):
    @property
    def _button(self) -> Content:
        options = getattr(self.app, "options", None)
        if not getattr(options, "console", False):
            return super()._button
        return Content.assemble(("(*)" if self.value else "( )", "bold" if self.value else ""))
