"""A fictional demo school with a login for every role, for trying Gatehouse and for tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, Membership, Restriction, Role, StaffRole, User
from gatehouse.community.models import Comment, Post
from gatehouse.consent.demo import add_demo_consent
from gatehouse.governance.demo import add_demo_governance
from gatehouse.moderation.demo import add_demo_moderation
from gatehouse.publishing.demo import add_demo_publishing, add_demo_video
from gatehouse.schools.models import School, SchoolDocument, Trust

DEMO_PASSWORD = "oakfield-demo-2026"  # noqa: S105  (printed for the demo; never used in production)
# A fixed base32 secret so the demo's staff can add it to an authenticator app from the README.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
SECURITY_QUESTION = "What is the name of the school's tortoise?"
SECURITY_ANSWER = "Shelly"

RULES = """Be kind and respectful. This group celebrates our children and shares school news.
Do not name or criticise individual pupils or members of staff.
Concerns and complaints go to the school office, not in comments.
No photos of other people's children. No adverts, politics or chain messages.
There is no private messaging in this group. Moderators may hide comments that break these rules."""

HSA = """The school will keep you informed about your child's learning and school life.
Parents and carers will support the school's policies, including the Social Media Policy,
and raise concerns directly with the school rather than online."""


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    roles: tuple[str, ...]


STAFF = [
    DemoLogin("admin@oakfield.example", "Alex Morgan", (Role.ADMINISTRATOR,)),
    DemoLogin("moderator@oakfield.example", "Priya Shah", (Role.MODERATOR,)),
    DemoLogin("head@oakfield.example", "Helen Carter", (Role.HEAD_TEACHER, Role.LEADERSHIP)),
    DemoLogin("leadership@oakfield.example", "Tom Fielding", (Role.LEADERSHIP, Role.POSTER)),
    DemoLogin("hr@oakfield.example", "Grace Okafor", (Role.HEAD_OF_HR,)),
    DemoLogin("dsl@oakfield.example", "Sam Whitaker", (Role.DSL,)),
    DemoLogin("governor@oakfield.example", "Margaret Ellis", (Role.GOVERNOR,)),
    DemoLogin("teacher@oakfield.example", "Daniel Patel", (Role.STAFF,)),
]
PARENTS = [
    DemoLogin("parent@oakfield.example", "Jordan Lee", ()),
    DemoLogin("parent2@oakfield.example", "Chris Rowe", ()),
    DemoLogin("restricted@oakfield.example", "Kim Barker", ()),
]


def create_demo_school(*, slug: str = "oakfield", posts: int = 6, video: bool = False) -> School:
    """The fictional school; `video` adds a short video post waiting for its check (seed_demo
    and the bad-input walk ask for it; other tests leave it out to stay quick)."""
    with transaction.atomic():
        trust = Trust.objects.create(name="Riverside Learning Trust")
        school = School(trust=trust, name="Oakfield Primary School", slug=slug,
                        security_question=SECURITY_QUESTION, phone="01632 960 123",
                        staff_email="office@oakfield.example",
                        complaints_policy_url="https://oakfield.example/complaints-policy")
        school.set_security_answer(SECURITY_ANSWER)
        school.save()
        SchoolDocument.objects.create(school=school, kind=SchoolDocument.Kind.GROUP_RULES,
                                      version=1, title="Group rules", body=RULES)
        SchoolDocument.objects.create(school=school, kind=SchoolDocument.Kind.HOME_SCHOOL_AGREEMENT,
                                      version=1, title="Home-School Agreement", body=HSA)
        staff = {login.email: _staff_user(school, login) for login in STAFF}
        parents = [_parent(school, login) for login in PARENTS]
        _restrict(parents[2], staff["admin@oakfield.example"])
        _pending_request(school)
        _posts(school, staff["admin@oakfield.example"], parents, posts)
        add_demo_consent(school)
        add_demo_moderation(school, parents[:2])
        add_demo_governance(school)
        add_demo_publishing(school)
        if video:
            add_demo_video(school)
    return school


def _staff_user(school: School, login: DemoLogin) -> User:
    user = User.objects.create_user(login.email, DEMO_PASSWORD, full_name=login.name)
    for role in login.roles:
        StaffRole.objects.create(user=user, school=school, role=role)
    TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _parent(school: School, login: DemoLogin) -> Membership:
    user = User.objects.create_user(login.email, DEMO_PASSWORD, full_name=login.name)
    return Membership.objects.create(user=user, school=school, child_name="Ellie Lee",
                                     child_year="Year 4")


def _restrict(membership: Membership, admin: User) -> None:
    Restriction.objects.create(
        membership=membership, kind=Restriction.Kind.READ_ONLY, created_by=admin,
        reason="Repeated comments naming a member of staff, after a meeting with the head.",
        ends_at=timezone.now() + dt.timedelta(days=28),
    )


def _pending_request(school: School) -> None:
    JoinRequest.objects.create(
        school=school, full_name="Robin Hughes", email="robin.hughes@example.net",
        date_of_birth=dt.date(1986, 5, 14), child_name="Max Hughes", child_year="Year 2",
        security_answer="shelly", answer_matches=True,
        rules_version=school.current_document(SchoolDocument.Kind.GROUP_RULES),
        hsa_version=school.current_document(SchoolDocument.Kind.HOME_SCHOOL_AGREEMENT),
    )


SAMPLE_POSTS = [
    "Well done to Year 4 for a brilliant assembly on the Romans this morning!",
    "Reminder: the Year 6 trip to the Science Museum leaves at 8:15 on Thursday. "
    "Please bring a packed lunch.",
    "Our autumn fair raised £1,240 for the library. Thank you to everyone who came!",
    "Non-uniform day on Friday in aid of Children in Need: £1 donation please.",
    "Parents' evening bookings open on Monday via the school office.",
    "Year 2 have been painting in the style of Kandinsky — look out for their gallery.",
]
SAMPLE_COMMENTS = ["What a lovely idea!", "Thank you Mrs Carter!", "What time does it finish?"]


def _posts(school: School, author: User, parents: list[Membership], count: int) -> None:
    for index in range(count):
        post = Post.objects.create(school=school, author=author,
                                   body=SAMPLE_POSTS[index % len(SAMPLE_POSTS)])
        for n, text in enumerate(SAMPLE_COMMENTS[: index % 3 + 1]):
            Comment.objects.create(post=post, author=parents[n % 2].user, body=text)


def demo_logins() -> list[DemoLogin]:
    return STAFF + PARENTS
