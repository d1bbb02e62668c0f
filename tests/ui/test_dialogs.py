"""Run dialogs (tag, rename, move): focus goes to the first field and typing stays there."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("action", ["Tag", "Move…"])
def test_workspace_dialogs_take_typing(page, server, action):
    page.goto(f"{server.url}/{server.entity}/demo")
    page.get_by_label("Select run-05").check()
    page.get_by_role("button", name=action, exact=True).click()
    dialog = page.get_by_role("dialog")
    field = dialog.locator("input").first
    field.wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'INPUT'")
    page.keyboard.type("abc-1")
    assert field.input_value() == "abc-1"
    assert page.evaluate("document.activeElement.tagName") == "INPUT"
    page.keyboard.press("Escape")
    assert dialog.count() == 0


def test_rename_dialog_takes_typing(page, server):
    run = server.runs[4]["id"]
    page.goto(f"{server.url}/{server.entity}/demo/runs/{run}")
    page.get_by_role("button", name="Rename").click()
    field = page.get_by_role("dialog").get_by_label("Name")
    field.wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'INPUT'")
    page.keyboard.press("End")
    page.keyboard.type("-x")
    assert field.input_value() == "run-04-x"
    page.keyboard.press("Escape")
