"""The staff console's menu fits a phone and a 1366 px laptop, and home shows what is due."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.accounts.models import Role
from gatehouse.conftest import PASSWORD, TOTP_SECRET
from gatehouse.schools import demo

GROUPS = ["Parents' group", "Moderation", "Cases", "Photos and consent", "School"]


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def test_the_menu_fits_a_laptop_screen(
    browser: Browser, url: Any, demo_school: Any, make_user: Any
) -> None:
    # Someone holding every role sees the longest menu.
    make_user(email="everything@oakfield.example", school=demo_school, roles=tuple(Role.values))
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(page, url, "everything@oakfield.example", password=PASSWORD,
            totp_secret=TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/"))
    nav = page.get_by_role("navigation", name="Staff console")
    for group in GROUPS:
        summary = nav.locator("summary", has_text=group)
        expect(summary).to_be_visible()
        box = summary.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366 and box["y"] < 200, group
    _no_sideways_scroll(page)
    nav.locator("summary", has_text="Moderation").click()
    nav.get_by_role("link", name="Moderation queue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("oderation")
    current = nav.locator("details.current summary")
    expect(current).to_contain_text("Moderation")
    assert_accessible(page)


def test_the_menu_works_on_a_phone(page: Page, url: Any, demo_school: Any) -> None:
    sign_in(page, url, "head@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/"))
    _no_sideways_scroll(page)
    nav = page.get_by_role("navigation", name="Staff console")
    nav.locator("summary", has_text="Cases").click()
    link = nav.get_by_role("link", name="Letters")
    expect(link).to_be_visible()
    # Opening another group closes the first, and Escape closes the menu.
    nav.locator("summary", has_text="School").click()
    expect(link).to_be_hidden()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Audit log")).to_be_hidden()
    nav.locator("summary", has_text="Cases").click()
    link.click()
    expect(page.get_by_role("heading", level=1, name="Letters")).to_be_visible()
    _no_sideways_scroll(page)


def test_home_shows_what_is_due_for_this_person(page: Page, url: Any, demo_school: Any) -> None:
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/"))
    board = page.locator(".dashboard")
    expect(board.get_by_text("Join requests waiting")).to_be_visible()
    expect(board.get_by_text("Comments waiting for moderation")).to_be_visible()
    expect(board.get_by_text("Takedowns to do")).to_be_visible()
    expect(board.get_by_text("Case deadlines this week")).to_have_count(0)  # not an admin's job
    board.get_by_text("Join requests waiting").click()
    expect(page).to_have_url(url("/s/oakfield/staff/join-requests/"))
