"""A threatening comment is held, hidden with one keystroke, and every step is on record."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.community.models import Comment
from gatehouse.schools import demo

THREAT = "I'm going to batter Mr Patel when I see him at the gates, he won't walk away"


def test_threat_is_held_hidden_by_keystroke_and_audited(
    page: Page, browser: Browser, url: Any, demo_school: Any, smtp_server: Any
) -> None:
    sign_in(page, url, "parent@oakfield.example")
    first_post = page.locator("article").first
    first_post.get_by_label("Write a comment").fill(THREAT)
    first_post.get_by_role("button", name="Send comment").click()
    expect(first_post.get_by_text("Awaiting review — only you can see this")).to_be_visible()
    expect(first_post.get_by_text("awaiting review by a moderator")).to_be_visible()

    other = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(other, url, "parent2@oakfield.example")
    expect(other.get_by_text("batter Mr Patel")).to_have_count(0)

    alert = smtp_server.wait_for("head@oakfield.example")
    assert "Urgent" in alert["Subject"] and "batter Mr Patel" in smtp_server.body_of(alert)

    moderator = browser.new_context().new_page()
    sign_in(moderator, url, "moderator@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    moderator.goto(url("/s/oakfield/staff/moderation/"))
    item = moderator.locator(".queue-item").filter(has_text="batter Mr Patel")
    expect(item).to_contain_text("Threat of violence")
    assert_accessible(moderator)
    item.focus()
    moderator.keyboard.press("h")
    expect(moderator.get_by_text("Hidden and kept as evidence")).to_be_visible()
    comment = Comment.objects.get(body=THREAT)
    assert comment.status == Comment.Status.HIDDEN

    # The original is kept in the evidence store; opening it goes on its chain of custody.
    moderator.goto(url("/s/oakfield/staff/moderation/?status=hidden"))
    moderator.locator(".queue-item").filter(has_text="batter Mr Patel").get_by_role(
        "link", name="evidence").click()
    expect(moderator.get_by_role("heading", name="Evidence")).to_be_visible()
    expect(moderator.locator("blockquote")).to_contain_text("batter Mr Patel")
    expect(moderator.get_by_text("matches the original")).to_be_visible()
    custody = moderator.locator("table")
    expect(custody.get_by_role("cell", name="Created")).to_be_visible()
    expect(custody.get_by_role("cell", name="Viewed")).to_be_visible()
    assert_accessible(moderator)

    head = browser.new_context().new_page()
    sign_in(head, url, "head@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    head.goto(url("/s/oakfield/staff/audit/?action=moderation"))
    expect(head.get_by_text("moderation.comment.hidden")).to_be_visible()
    expect(head.get_by_role("cell", name="Priya Shah")).to_be_visible()
    assert_accessible(head)
