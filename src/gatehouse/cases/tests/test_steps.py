"""Each rung is a recorded step: dates checked, concurrent changes refused, notes guarded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gatehouse.accounts.models import Restriction
from gatehouse.audit.models import AuditEntry
from gatehouse.cases.models import Case, Step
from gatehouse.cases.tests.conftest import case_url, days


def _step(client: Any, case: Case, kind: str, **data: Any) -> Any:
    data.setdefault("version", Case.objects.get(pk=case.pk).version)
    data.setdefault("occurred_on", timezone.localdate().isoformat())
    return client.post(case_url("case_step_add", case, kind=kind), data)


def test_a_step_in_the_future_or_before_the_case_is_refused(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    head = login_client(staff["head"])
    future = _step(head, case, "police", police_force="Kent Police", occurred_on=days(1))
    assert future.status_code == 400 and "in the future" in future.content.decode()
    before = _step(head, case, "police", police_force="Kent Police",
                   occurred_on=case.began_on - dt.timedelta(days=1))
    assert before.status_code == 400 and "before this case began" in before.content.decode()
    assert not case.steps.filter(kind="police").exists()


def test_a_warning_deadline_in_the_past_is_refused(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    response = _step(login_client(staff["head"]), case, "warning", deadline=days(-1))
    assert response.status_code == 400
    assert "deadline must be after today" in response.content.decode()


def test_two_people_advancing_at_once_one_wins_and_nothing_else_is_saved(
    staff: dict[str, Any], case: Case, login_client: Any, make_user: Any
) -> None:
    second_head = make_user(school=case.school, roles=("head_teacher",))
    seen = Case.objects.get(pk=case.pk).version  # both opened the form at this version
    first = _step(login_client(staff["head"]), case, "police", version=seen,
                  police_force="Kent Police", reference="46/1234/26")
    assert first.status_code == 302
    second = _step(login_client(second_head), case, "legal", version=seen,
                   adviser="Browne Jacobson", notes="Defamation advice")
    assert second.status_code == 400
    assert "changed this case while you were working" in second.content.decode()
    # The loser's typed values are still in the form, and nothing of theirs was saved.
    assert "Browne Jacobson" in second.content.decode()
    assert list(case.steps.values_list("kind", flat=True)) == ["hidden_reported", "police"]
    assert not AuditEntry.objects.filter(action="cases.step.recorded",
                                         details__kind="legal").exists()


def test_the_restriction_step_uses_the_group_restriction_and_links_it(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    response = _step(login_client(staff["head"]), case, "restriction",
                     restrict_kind=Restriction.Kind.READ_ONLY,
                     restrict_reason="Breach of the Home-School Agreement")
    assert response.status_code == 302
    step = case.steps.get(kind=Step.Kind.RESTRICTION)
    assert step.restriction is not None and step.restriction.membership == case.member
    assert case.member.active_restriction() == step.restriction
    assert AuditEntry.objects.filter(action="accounts.member.restricted").exists()


def test_legal_notes_are_for_the_head_teacher_only(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    _step(login_client(staff["head"]), case, "legal", adviser="Browne Jacobson",
          reference="BJ-77", notes="Counsel thinks the post is defamatory")
    detail = case_url("case_detail", case)
    assert "Counsel thinks" in login_client(staff["head"]).get(detail).content.decode()
    moderator_page = login_client(staff["moderator"]).get(detail).content.decode()
    assert "Browne Jacobson" in moderator_page and "Counsel thinks" not in moderator_page
    assert "head teacher only" in moderator_page


def test_the_dsl_sees_only_cases_touching_a_pupil_and_governors_only_counts(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    dsl = login_client(staff["dsl"])
    assert dsl.get(case_url("case_detail", case)).status_code == 404
    Case.objects.filter(pk=case.pk).update(touches_pupil=True)
    assert dsl.get(case_url("case_detail", case)).status_code == 200
    governor = login_client(staff["governor"])
    assert governor.get(case_url("case_detail", case)).status_code == 403
    summary = governor.get(f"/s/{case.school.slug}/staff/cases/summary/").content.decode()
    assert "Jordan Lee" not in summary and "batter" not in summary
    assert "Open cases" in summary


def test_another_schools_staff_see_nothing(
    case: Case, make_school: Any, make_user: Any, login_client: Any
) -> None:
    other = make_school()
    head_elsewhere = make_user(school=other, roles=("head_teacher",))
    client = login_client(head_elsewhere)
    assert client.get(case_url("case_detail", case)).status_code == 403
    own = client.get(f"/s/{other.slug}/staff/cases/{case.pk}/")
    assert own.status_code == 404


def test_a_moderator_can_open_a_case_for_someone_outside_the_group(
    school: Any, staff: dict[str, Any], login_client: Any
) -> None:
    response = login_client(staff["moderator"]).post(f"/s/{school.slug}/staff/cases/new/", {
        "subject_name": "Sam Doe", "relationship": "Former parent",
        "began_on": days(-3).isoformat(), "summary": "Posts on the village Facebook group"})
    assert response.status_code == 302
    case = Case.objects.get(subject_name="Sam Doe")
    assert case.member is None and case.opened_by == staff["moderator"]
    # Moderators open cases but do not run the ladder.
    client = login_client(staff["moderator"])
    assert _step(client, case, "police", police_force="Kent").status_code == 403


def test_recording_an_outcome_after_the_deadline(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    head = login_client(staff["head"])
    _step(head, case, "warning", deadline=days(7))
    step = case.steps.get(kind="warning")
    response = head.post(case_url("case_step_outcome", case, step_id=step.pk), {
        "version": Case.objects.get(pk=case.pk).version, "outcome": "removed",
        "outcome_on": timezone.localdate().isoformat(), "notes": "Checked Facebook"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.outcome == "removed" and step.outcome_notes == "Checked Facebook"
