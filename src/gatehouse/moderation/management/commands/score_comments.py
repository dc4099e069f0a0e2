"""Score comments read as JSON lines on standard input with a school's rules.

    echo '{"text": "thank you Mrs Patel!"}' | python manage.py score_comments --school oakfield

Writes one JSON line per comment: the score per category (0..1), the roster matches, the
watched phrases found, the categories over the school's thresholds, the decision, and the
scores of the heads trained on Jigsaw's six labels (for comparing with other tools).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gatehouse.moderation.policy import rules_for
from gatehouse.moderation.screening import score_text
from gatehouse.schools.models import School


class Command(BaseCommand):
    help = "Score JSON lines {\"text\": ...} from stdin with a school's moderation rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="the school's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"No school with the slug {options['school']!r}.")
        rules = rules_for(school)
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            self.stdout.write(json.dumps(self._score_line(school, rules, number, line)))

    def _score_line(self, school: School, rules: Any, number: int, line: str) -> dict[str, Any]:
        try:
            text = json.loads(line)["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            return {"line": number, "error": f"expected {{\"text\": \"...\"}}: {exc}"}
        explained, decision = score_text(school, text, rules)
        return {
            "text": text,
            "scores": explained["scores"],
            "roster_matches": explained["roster_matches"],
            "watched_hits": explained["watched_hits"],
            "flagged": decision.flagged,
            "decision": decision.action,
            "jigsaw": explained["jigsaw"],
        }
