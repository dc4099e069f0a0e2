from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gatehouse.moderation.engine import CATEGORIES
from gatehouse.moderation.models import PlatformReport, PolicyRule, WatchedPhrase
from gatehouse.moderation.policy import rules_for
from gatehouse.moderation.tests.conftest import ORDINARY, THREAT


def _rules_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for c in CATEGORIES:
        data[f"{c}__action"] = "hold"
        data[f"{c}__threshold"] = "0.5"
    data.update(changes)
    return data


def test_rules_are_saved_and_audited(school: Any, staff: dict[str, Any],
                                     login_client: Any) -> None:
    url = reverse("staff:moderation_rules", kwargs={"slug": school.slug})
    client = login_client(staff["admin"])
    assert client.get(url).status_code == 200
    response = client.post(url, _rules_data(threat_of_violence__action="alert",
                                            complaint_about_school_or_staff__action="publish"))
    assert response.status_code == 302
    rules = rules_for(school)
    assert rules.actions["complaint_about_school_or_staff"] == "publish"
    assert PolicyRule.objects.filter(school=school).count() == len(CATEGORIES)


@pytest.mark.parametrize("value", ["0", "1.5", "abc", ""])
def test_bad_thresholds_are_refused(school: Any, staff: dict[str, Any], login_client: Any,
                                    value: str) -> None:
    url = reverse("staff:moderation_rules", kwargs={"slug": school.slug})
    response = login_client(staff["admin"]).post(url, _rules_data(
        threat_of_violence__threshold=value))
    assert response.status_code == 400
    assert not PolicyRule.objects.filter(school=school, threshold__gt=1).exists()


def test_the_preview_shows_what_a_change_would_have_done(
    school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any, login_client: Any
) -> None:
    parent = make_parent(school)
    # No watched phrase in it, so only the category rules decide whether it is held.
    comment_as(parent, "I'm going to batter Mr Hollis next time I see him, I swear")
    comment_as(parent, ORDINARY)
    url = reverse("staff:moderation_rules", kwargs={"slug": school.slug})
    everything_published = {f"{c}__action": "publish" for c in CATEGORIES}
    response = login_client(staff["admin"]).post(
        url, {**_rules_data(**everything_published), "preview": "1"},
        headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "2 comments checked" in page and "Held now: 1" in page
    assert "With the change: 0" in page and "batter" in page
    assert not PolicyRule.objects.filter(action="publish").exists()  # preview saves nothing


def test_watched_phrases_refuse_duplicates(school: Any, staff: dict[str, Any],
                                           login_client: Any) -> None:
    url = reverse("staff:moderation_watched", kwargs={"slug": school.slug})
    client = login_client(staff["moderator"])
    assert client.post(url, {"phrase": "  Car  park ", "action": "hold"}).status_code == 302
    again = client.post(url, {"phrase": "car park", "action": "block"})
    assert again.status_code == 400 and "already on the list" in again.content.decode()
    assert WatchedPhrase.objects.filter(school=school, phrase="Car park").count() == 1


def test_a_platform_report_is_recorded(school: Any, staff: dict[str, Any],
                                       login_client: Any) -> None:
    url = reverse("staff:platform_reports", kwargs={"slug": school.slug})
    client = login_client(staff["moderator"])
    future = client.post(url, {"platform": "Facebook", "reported_on": "2099-01-01",
                               "outcome": "pending"})
    assert future.status_code == 400 and "future" in future.content.decode()
    ok = client.post(url, {"platform": "Facebook", "reported_on": "2026-11-20",
                           "reference": "FB-123", "outcome": "pending",
                           "content_url": "https://facebook.example/p/1"})
    assert ok.status_code == 302
    report = PlatformReport.objects.get()
    client.post(reverse("staff:platform_outcome", kwargs={"slug": school.slug, "pk": report.pk}),
                {"outcome": "removed"})
    report.refresh_from_db()
    assert report.outcome == "removed"


def test_score_comments_writes_one_json_line_per_comment(school: Any, monkeypatch: Any) -> None:
    lines = [json.dumps({"text": ORDINARY}), "not json", json.dumps({"text": THREAT})]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("score_comments", "--school", school.slug, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 3
    assert set(rows[0]["scores"]) == set(CATEGORIES)
    assert all(0.0 <= v <= 1.0 for v in rows[0]["scores"].values())
    assert rows[0]["decision"] == "publish"
    assert "error" in rows[1] and rows[1]["line"] == 2
    assert rows[2]["decision"] == "alert"


def test_score_comments_names_an_unknown_school(db: None) -> None:
    with pytest.raises(CommandError, match="No school"):
        call_command("score_comments", "--school", "nowhere")
