"""Create the fictional demo school and print a login for every role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gatehouse.accounts.models import Role
from gatehouse.publishing.models import Video
from gatehouse.schools import demo
from gatehouse.schools.models import School


class Command(BaseCommand):
    help = "Create the demo school (if it is not there yet) and print its logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posts", type=int, default=6)

    def handle(self, *args: Any, **options: Any) -> None:
        if not School.objects.filter(slug="oakfield").exists():
            demo.create_demo_school(posts=options["posts"], video=True)
            self.stdout.write(self.style.SUCCESS("Created the demo school Oakfield Primary."))
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})")
        for login in demo.demo_logins():
            roles = ", ".join(Role(r).label for r in login.roles) or "Parent"
            self.stdout.write(f"  {login.email:32} {roles}")
        self.stdout.write(
            f"\nStaff sign in with an authenticator code. Add this secret to any authenticator "
            f"app (Google Authenticator, Microsoft Authenticator...): {demo.DEMO_TOTP_SECRET}\n"
            "Parents' group: http://127.0.0.1:8000/s/oakfield/   "
            "Join page: http://127.0.0.1:8000/s/oakfield/join/\n"
        )
        video = Video.objects.filter(post__school__slug="oakfield").first()
        if video is not None:
            self.stdout.write("A video waiting for its check (sign in as the administrator): "
                              f"http://127.0.0.1:8000/s/oakfield/staff/publishing/"
                              f"{video.post_id}/video/\n")
