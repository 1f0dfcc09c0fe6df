"""Textual screens of the reception UI: they render state and post intents, nothing more."""
