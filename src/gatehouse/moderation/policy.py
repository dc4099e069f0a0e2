"""A school's moderation rules, with defaults, and the decision they give for a set of scores."""

from __future__ import annotations

from dataclasses import dataclass, field

from gatehouse.moderation.engine import CATEGORIES, DEFAULT_THRESHOLDS
from gatehouse.moderation.engine.judgement_thresholds import CONCERN_THRESHOLD
from gatehouse.moderation.models import PolicyRule, WatchedPhrase
from gatehouse.schools.models import School

Action = PolicyRule.Action

# Threats and racist comments alert the head teacher and DSL at once; everything else the
# policy names is held for a moderator.
DEFAULT_ACTIONS: dict[str, str] = dict.fromkeys(CATEGORIES, Action.HOLD) | {
    "threat_of_violence": Action.ALERT,
    "racist_or_identity_hate": Action.ALERT,
}

# How urgent a held comment is, so the queue shows the worst first.
SEVERITY: dict[str, int] = {
    "threat_of_violence": 100,
    "racist_or_identity_hate": 90,
    "obscene_or_grossly_offensive": 70,
    "insult_harassment_or_cyberbullying": 60,
    "allegation_about_staff_or_pupil": 60,
    "defamatory_statement": 50,
    "negative_comment_about_person": 40,
    "complaint_about_school_or_staff": 20,
}
WATCHED_HOLD_SEVERITY = 30
CONCERN_SEVERITY = 80
BLOCK = "block"
# A parent reporting harm to their child: not published, routed to the DSL, never a breach.
CONCERN = "concern"

STARTER_WATCHED: list[tuple[str, str]] = [
    ("kill you", WatchedPhrase.Action.HOLD),
    ("wait outside the gates", WatchedPhrase.Action.HOLD),
    ("paedo", WatchedPhrase.Action.HOLD),
    ("groomer", WatchedPhrase.Action.HOLD),
    ("sue the school", WatchedPhrase.Action.HOLD),
    ("ofsted", WatchedPhrase.Action.HOLD),
    ("nonce", WatchedPhrase.Action.BLOCK),
    ("killed it", WatchedPhrase.Action.ALLOW),
    ("Scunthorpe", WatchedPhrase.Action.ALLOW),
]


@dataclass(frozen=True)
class Rules:
    actions: dict[str, str]
    thresholds: dict[str, float]
    watched: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    action: str  # "publish", "hold", "alert", "block" or "concern"
    flagged: list[str]
    severity: int
    # Leaders are alerted whenever an alerting category fires, even if a blocked phrase
    # also stops the comment.
    alert: bool = False

    @property
    def is_held(self) -> bool:
        return self.action != Action.PUBLISH


def ensure_defaults(school: School) -> None:
    """Give a school the default rules and the starter watched list the first time."""
    existing = set(PolicyRule.objects.filter(school=school).values_list("category", flat=True))
    # Two first comments at once may both give the defaults: the second adds nothing.
    PolicyRule.objects.bulk_create(
        [PolicyRule(school=school, category=c, action=DEFAULT_ACTIONS[c],
                    threshold=DEFAULT_THRESHOLDS[c]) for c in CATEGORIES if c not in existing],
        ignore_conflicts=True,
    )
    if not existing:
        WatchedPhrase.objects.bulk_create(
            [WatchedPhrase(school=school, phrase=p, action=a) for p, a in STARTER_WATCHED],
            ignore_conflicts=True,
        )


def rules_for(school: School) -> Rules:
    """The school's rules, giving it the defaults (and starter watched list) the first time."""
    stored = {r.category: r for r in PolicyRule.objects.filter(school=school)}
    if len(stored) < len(CATEGORIES):
        ensure_defaults(school)
        stored = {r.category: r for r in PolicyRule.objects.filter(school=school)}
    return Rules(
        actions={c: stored[c].action for c in CATEGORIES},
        thresholds={c: stored[c].threshold for c in CATEGORIES},
        watched=list(WatchedPhrase.objects.filter(school=school).values_list("phrase", "action")),
    )


def decide(scores: dict[str, float], watched_hits: list[tuple[str, str]] | list[list[str]],
           rules: Rules, concern: float = 0.0) -> Decision:
    """Block, alert, concern, hold or publish, in that order of precedence: a threat alerts
    leaders even inside a child's report, and a child's report outranks a hold because the
    comment's words (a quoted slur, say) are not the parent's offence."""
    flagged = [c for c in CATEGORIES if scores.get(c, 0.0) >= rules.thresholds[c]]
    acting = [c for c in flagged if rules.actions[c] != Action.PUBLISH]
    hit_actions = {action for _, action in watched_hits}
    severity = max([SEVERITY[c] for c in acting], default=0)
    alert = any(rules.actions[c] == Action.ALERT for c in acting)
    if WatchedPhrase.Action.BLOCK in hit_actions:
        return Decision(BLOCK, flagged, max(severity, WATCHED_HOLD_SEVERITY), alert)
    if alert:
        return Decision(Action.ALERT, flagged, severity, alert)
    if concern >= CONCERN_THRESHOLD:
        return Decision(CONCERN, [], CONCERN_SEVERITY)
    if acting or WatchedPhrase.Action.HOLD in hit_actions:
        return Decision(Action.HOLD, flagged, max(severity, WATCHED_HOLD_SEVERITY))
    return Decision(Action.PUBLISH, flagged, 0)
