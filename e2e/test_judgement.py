"""Judgement in the browser: an identity mention is published, a child-safety report goes to
the DSL (kind reply over SMTP, no mark on the parent), a veiled threat alerts with its reason."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.accounts.models import User
from gatehouse.schools import demo

EID = "Eid Mubarak to everyone celebrating this week!"
CONCERN = "My son is being hit on the bus every morning by some older boys"
VEILED = "You'll regret this, I know where you park"


def _comment(page: Page, text: str) -> None:
    post = page.locator("article").first
    post.get_by_label("Write a comment").fill(text)
    post.get_by_role("button", name="Send comment").click()
    expect(post.get_by_text(text)).to_be_visible()


def test_identity_published_concern_to_dsl_veiled_threat_explained(
    page: Page, browser: Browser, url: Any, demo_school: Any, smtp_server: Any
) -> None:
    sign_in(page, url, "parent@oakfield.example")
    _comment(page, EID)
    _comment(page, CONCERN)
    comments = page.locator("article").first.locator(".comment")
    expect(comments.filter(has_text=CONCERN)).to_contain_text(
        "Passed privately to the safeguarding lead")
    expect(page.locator("article").first.get_by_role("status")).to_contain_text(
        "designated safeguarding lead")
    expect(comments.filter(has_text=EID)).not_to_contain_text("Awaiting review")

    other = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(other, url, "parent2@oakfield.example")
    expect(other.get_by_text(EID)).to_be_visible()
    expect(other.get_by_text("hit on the bus")).to_have_count(0)
    _comment(other, VEILED)

    reply = smtp_server.wait_for("parent@oakfield.example")
    body = smtp_server.body_of(reply)
    assert "Designated Safeguarding Lead (Sam Whitaker)" in body
    assert demo_school.phone in body and "office@oakfield.example" in body
    alert = smtp_server.wait_for("head@oakfield.example")
    assert "Urgent" in alert["Subject"] and "regret this" in smtp_server.body_of(alert)
    smtp_server.wait_for("dsl@oakfield.example", count=2)  # the concern and the alert
    assert not any("Urgent" in m["Subject"] and "hit on the bus" in smtp_server.body_of(m)
                   for m in smtp_server.messages), "a child's report never raises a hate alert"

    moderator = browser.new_context().new_page()
    sign_in(moderator, url, "moderator@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    moderator.goto(url("/s/oakfield/staff/moderation/"))
    item = moderator.locator(".queue-item").filter(has_text="regret this")
    expect(item).to_contain_text("possible threat: veiled menace")
    expect(moderator.get_by_text("hit on the bus")).to_have_count(0)
    parent = User.objects.get(email="parent@oakfield.example")
    moderator.goto(url(f"/s/oakfield/staff/moderation/people/{parent.pk}/"))
    expect(moderator.get_by_text("hit on the bus")).to_have_count(0)

    dsl = browser.new_context().new_page()
    sign_in(dsl, url, "dsl@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    dsl.goto(url("/s/oakfield/staff/"))
    nav = dsl.get_by_role("navigation", name="Staff console")
    nav.get_by_text("Moderation", exact=True).click()  # the menu group holding the page
    nav.get_by_role("link", name="Safeguarding concerns").click()
    concern = dsl.locator(".concern-item").filter(has_text="hit on the bus")
    expect(concern).to_contain_text("safeguarding concern: a parent reports harm to their child")
    assert_accessible(dsl)
    concern.get_by_label("What was done").fill("Rang Jordan, logged on CPOMS")
    concern.get_by_role("button", name="Mark as taken up").click()
    expect(dsl.get_by_text("Recorded as taken up")).to_be_visible()
    dsl.get_by_role("link", name="Taken up").click()
    expect(dsl.get_by_text("Rang Jordan, logged on CPOMS")).to_be_visible()
