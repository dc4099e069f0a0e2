"""Parents hear about new posts in the group: an email for each post, a daily digest, or
nothing, as each parent chooses. Every email has one-click unsubscribe (List-Unsubscribe and
List-Unsubscribe-Post, RFC 8058) with a signed token, is sent by the worker, and is claimed
by a row before it is sent so it never goes twice."""

from __future__ import annotations

import datetime as dt
import email.policy
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import Membership, Restriction
from gatehouse.community.models import Post as GroupPost
from gatehouse.publishing.models import NotificationPreference, NotificationSent
from gatehouse.schools.models import School

SALT = "gatehouse.publishing.unsubscribe"
Choice = NotificationPreference.Choice


def unsubscribe_token(membership: Membership) -> str:
    return signing.dumps({"m": membership.pk}, salt=SALT)


def membership_from_token(token: str) -> Membership | None:
    try:
        found = signing.loads(token, salt=SALT)
        return Membership.objects.select_related("school").get(pk=int(found["m"]))
    except (signing.BadSignature, Membership.DoesNotExist, KeyError, TypeError, ValueError):
        return None


def choice_of(membership: Membership) -> str:
    pref = NotificationPreference.objects.filter(membership=membership).first()
    return pref.choice if pref else Choice.IMMEDIATE


def do_set_choice(membership: Membership, choice: str) -> None:
    """The parent's own choice (or a one-click unsubscribe); not a staff action, so it is not
    in the staff audit log."""
    NotificationPreference.objects.update_or_create(membership=membership,
                                                    defaults={"choice": choice})


def _recipients(school: School, choice: str) -> list[Membership]:
    removed = Restriction.objects.in_force().filter(kind=Restriction.Kind.REMOVED) \
        .values("membership_id")
    members = Membership.objects.filter(school=school, user__is_active=True).exclude(
        pk__in=removed).select_related("user", "school")
    chosen = dict(NotificationPreference.objects.filter(membership__school=school)
                  .values_list("membership_id", "choice"))
    return [m for m in members if chosen.get(m.pk, Choice.IMMEDIATE) == choice]


def _claim_and_send(membership: Membership, template: str, context: dict[str, object],
                    **which: object) -> int:
    """Claim the email (a row that can exist once), then send it; 0 if it was claimed
    already. If sending fails the claim goes, so the task's retry can send it."""
    try:
        with transaction.atomic():
            claim = NotificationSent.objects.create(membership=membership, **which)
    except IntegrityError:
        return 0  # already sent (or being sent) by another worker
    try:
        _send(membership, template, context)
    except Exception:
        claim.delete()
        raise
    return 1


def _send(membership: Membership, template: str, context: dict[str, object]) -> None:
    school = membership.school
    unsubscribe = settings.SITE_URL.rstrip("/") + reverse(
        "unsubscribe", kwargs={"slug": school.slug, "token": unsubscribe_token(membership)})
    text = render_to_string(template, {**context, "school": school, "site_url": settings.SITE_URL,
                                       "unsubscribe": unsubscribe,
                                       "membership": membership}).strip()
    subject, _, body = text.partition("\n")
    _OneClickEmail(subject.strip(), body.strip(), settings.DEFAULT_FROM_EMAIL,
                   [membership.user.email], headers={
                     "List-Unsubscribe": f"<{unsubscribe}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}).send()


class _OneClickEmail(EmailMessage):
    """Header lines up to RFC 5322's 998 characters: the unsubscribe address has no spaces to
    fold at, and an RFC 2047-encoded List-Unsubscribe is one mail apps can't use."""

    def message(self, *, policy: email.policy.Policy = email.policy.default) -> Any:
        return super().message(policy=policy.clone(max_line_length=998))


def send_new_post(post_id: int) -> int:
    """Email each parent who chose "immediately" about one new post; returns how many."""
    post = GroupPost.objects.select_related("school").get(pk=post_id)
    sent = 0
    for membership in _recipients(post.school, Choice.IMMEDIATE):
        sent += _claim_and_send(membership, "publishing/email/new_post.txt", {"post": post},
                                post=post)
    return sent


def send_digests(now: dt.datetime | None = None) -> int:
    """One email per parent who chose the digest, with the last day's posts (none: no email)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if timezone.localtime(now).hour < settings.DIGEST_HOUR:
        return 0
    done = set(NotificationSent.objects.filter(digest_date=today).values_list(
        "membership_id", flat=True))
    sent = 0
    for school in School.objects.all():
        posts = list(GroupPost.objects.filter(school=school,
                                              created_at__gte=now - dt.timedelta(days=1)))
        if not posts:
            continue
        for membership in _recipients(school, Choice.DIGEST):
            if membership.pk not in done:
                sent += _claim_and_send(membership, "publishing/email/digest.txt",
                                        {"posts": posts}, digest_date=today)
    return sent
