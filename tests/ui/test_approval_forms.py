"""Issue 14 item 11 on screen: the sign-out form under `visits.approval = "require"`, and marking an
approver on the admin staff form. Driven by keys, as reception and the admin would."""

from __future__ import annotations

from kiosk.screens.signout import SignOutResult, SignOutScreen
from kiosk.screens.staff import StaffFormScreen, StaffScreen
from kiosk.store.models import Staff, Visit
from tests.ui.forms_harness import Host, error_text, pilot_test, school, settle, type_text  # noqa: F401


@pilot_test
async def test_item11_require_the_form_will_not_sign_out_without_an_approver(tmp_path, clock):
    from tests.ui.forms_harness import School

    s = School(tmp_path / "k.db", clock, visits={"approval": "require", "lone_visits": "allow"})
    app = Host(lambda: SignOutScreen(s.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        screen.query_one("#staff").value = s.ann.id
        screen.query_one("#place").value = "3 Ash Grove LU2 7XY"
        screen.query_one("#purpose").value = "other"
        screen.query_one("#due").value = "16:00"
        await pilot.press("f9")
        await settle(pilot)
        assert error_text(screen, "approved_by") == "this school requires approval: who approved the visit?"
        assert Visit.select().count() == 0
        screen.query_one("#approved_by").focus()
        await type_text(pilot, "Bob Cole")  # a member of staff, but not an approver
        await pilot.press("f9")
        await settle(pilot)
        assert error_text(screen, "approved_by") == "Bob Cole is not marked as an approver"
        assert "Nothing saved" in screen.query_one("#banner").message
        assert Visit.select().count() == 0
        screen.query_one("#approved_by").value = ""
        await type_text(pilot, "hh")  # Hana Head's initials
        await pilot.press("f9")
        await settle(pilot)
    [result] = app.results
    assert isinstance(result, SignOutResult)
    visit = Visit.get_by_id(result.visit_id)
    assert (visit.approved_by, visit.approved_at) == ("Hana Head", clock.now())
    s.close()


@pilot_test
async def test_item11_the_admin_marks_and_unmarks_an_approver(school):
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#staff-table")
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        table.move_cursor(row=names.index("Bob Cole"))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffFormScreen)
        assert form.query_one("#approver").value is False
        form.query_one("#approver").focus()
        await pilot.press("space")
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen is app.screen_under_test
    assert Staff.get(Staff.name == "Bob Cole").approver is True
    assert Staff.get(Staff.name == "Hana Head").approver is True  # the others as they were
