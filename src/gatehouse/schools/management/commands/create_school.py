"""Set up a school on a new installation, with its first administrator."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from gatehouse.accounts.actions import do_grant_role
from gatehouse.audit.log import record
from gatehouse.moderation.policy import ensure_defaults
from gatehouse.schools import demo
from gatehouse.schools.models import School, SchoolDocument


class Command(BaseCommand):
    help = ("Create a school and email its first administrator a one-time link to choose a "
            "password. The group rules and Home-School Agreement start from a template.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help='e.g. "Oakfield Primary School"')
        parser.add_argument("--slug", required=True, help="short web name, e.g. oakfield")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--security-question", required=True,
                            help="asked of every parent who asks to join")
        parser.add_argument("--security-answer", required=True)
        parser.add_argument("--phone", default="")
        parser.add_argument("--office-email", default="")
        parser.add_argument("--complaints-url", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_slug(options["slug"])
            validate_email(options["admin_email"])
            if options["office_email"]:
                validate_email(options["office_email"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if School.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"A school with the web name {options['slug']!r} already exists.")
        with transaction.atomic():
            school = self._create(options)
            do_grant_role(school, actor=None, email=options["admin_email"],
                          full_name=options["admin_name"], role="administrator")
        self.stdout.write(self.style.SUCCESS(
            f"{school.name} is ready at /s/{school.slug}/. {options['admin_email']} has been "
            "emailed a link to choose a password; they set up an authenticator at first sign-in."))

    def _create(self, options: dict[str, Any]) -> School:
        school = School(name=options["name"], slug=options["slug"],
                        security_question=options["security_question"],
                        phone=options["phone"], staff_email=options["office_email"],
                        complaints_policy_url=options["complaints_url"])
        school.set_security_answer(options["security_answer"])
        school.save()
        for kind, title, body in ((SchoolDocument.Kind.GROUP_RULES, "Group rules", demo.RULES),
                                  (SchoolDocument.Kind.HOME_SCHOOL_AGREEMENT,
                                   "Home-School Agreement", demo.HSA)):
            SchoolDocument.objects.create(school=school, kind=kind, version=1, title=title,
                                          body=body)
        ensure_defaults(school)
        record("schools.school.created", school=school, target=school,
               details={"slug": school.slug})
        return school
