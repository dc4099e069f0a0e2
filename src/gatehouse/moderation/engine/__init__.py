"""Gatehouse's comment-scoring engine: pure Python, no Django, no downloads at run time.

    from gatehouse.moderation.engine import Engine, Roster, RosterPerson
    result = Engine.load().score("thank you Mrs Patel!", roster=Roster(people))
"""

from __future__ import annotations

from .categories import CATEGORIES, LABELS, SCHOOL_CATEGORIES
from .normalise import normalise
from .pipeline import Engine, ScoreResult, score_many
from .roster import Roster, RosterMatch, RosterPerson
from .thresholds import DEFAULT_THRESHOLDS

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLDS",
    "LABELS",
    "SCHOOL_CATEGORIES",
    "Engine",
    "Roster",
    "RosterMatch",
    "RosterPerson",
    "ScoreResult",
    "normalise",
    "score_many",
]
