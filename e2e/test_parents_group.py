"""A parent joins, the administrator approves, the parent signs in and comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in, sign_out
from gatehouse.accounts.models import JoinRequest
from gatehouse.community.models import Comment
from gatehouse.lib.testing import totp_now
from gatehouse.schools import demo


def _fill_join_form(page: Page, *, dob: str) -> None:
    page.get_by_label("Your full name").fill("Nadia Brennan")
    page.get_by_label("Email address").fill("nadia@example.net")
    page.get_by_label("Your date of birth").fill(dob)
    page.get_by_label("Your child's name").fill("Max Hughes")
    page.get_by_label("Your child's year group").select_option("Year 2")
    page.get_by_label(demo.SECURITY_QUESTION).fill("shelly")
    page.get_by_label("Choose a password").fill("a-long-family-password")
    page.get_by_label("Type the password again").fill("a-long-family-password")
    page.get_by_label("I have read and accept the group rules").check()
    page.get_by_label("I accept the Home-School Agreement").check()


def test_join_approve_sign_in_and_comment(
    page: Page, url: Any, demo_school: Any, smtp_server: Any
) -> None:
    page.goto(url("/s/oakfield/join/"))
    assert_accessible(page)
    _fill_join_form(page, dob="1986-05-14")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="your request has been sent")).to_be_visible()

    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/join-requests/"))
    card = page.get_by_role("region", name="Nadia Brennan")
    expect(card).to_contain_text("Max Hughes (Year 2)")
    expect(card).to_contain_text("matches")
    assert_accessible(page)
    card.get_by_role("button", name="Approve Nadia Brennan").click()
    expect(page.get_by_text("Nadia Brennan has joined the group.")).to_be_visible()
    assert "Welcome" in smtp_server.wait_for("nadia@example.net", count=2)["Subject"]
    sign_out(page)

    sign_in(page, url, "nadia@example.net", password="a-long-family-password")
    expect(page.get_by_role("heading", name="Group rules")).to_be_visible()
    assert_accessible(page)
    first_post = page.locator("article").first
    first_post.get_by_label("Write a comment").fill("What time does it finish? <b>thanks</b>")
    first_post.get_by_role("button", name="Send comment").click()
    expect(first_post.get_by_text("What time does it finish? <b>thanks</b>")).to_be_visible()
    assert Comment.objects.filter(author__email="nadia@example.net").count() == 1
    # Nothing offers a parent a way to post or to message anyone.
    expect(page.get_by_role("link", name="Write a post")).to_have_count(0)
    expect(page.get_by_text("message", exact=False)).to_have_count(1)  # the footer notice only


def test_an_under_18_is_refused_with_a_clear_message(
    page: Page, url: Any, demo_school: Any
) -> None:
    page.goto(url("/s/oakfield/join/"))
    sixteen = dt.date.today().replace(year=dt.date.today().year - 16)  # noqa: DTZ011
    _fill_join_form(page, dob=sixteen.isoformat())
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("You must be 18 or over to join")).to_be_visible()
    expect(page.get_by_label("Your full name")).to_have_value("Nadia Brennan")
    assert_accessible(page)
    assert not JoinRequest.objects.filter(email="nadia@example.net").exists()


def test_rules_are_pinned_and_a_restricted_parent_cannot_comment(
    page: Page, url: Any, demo_school: Any
) -> None:
    sign_in(page, url, "restricted@oakfield.example")
    pinned = page.locator("section.pinned")
    expect(pinned).to_contain_text("Be kind and respectful")
    box = pinned.bounding_box()
    first_post = page.locator("article").first.bounding_box()
    assert box is not None and first_post is not None and box["y"] < first_post["y"]
    expect(page.get_by_text("You can read the group but not comment")).to_be_visible()
    expect(page.get_by_label("Write a comment")).to_have_count(0)
    assert_accessible(page)


def test_the_administrators_mfa_sign_in(page: Page, url: Any, demo_school: Any) -> None:
    page.goto(url("/accounts/login/"))
    page.get_by_label("Email").fill("admin@oakfield.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.get_by_label("Code").fill(totp_now(demo.DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(url("/s/oakfield/staff/"))
    nav = page.get_by_role("navigation", name="Staff console")
    nav.get_by_text("Parents' group").click()
    expect(nav.get_by_role("link", name="Join requests")).to_be_visible()
    assert_accessible(page)
