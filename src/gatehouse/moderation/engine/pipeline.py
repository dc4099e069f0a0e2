"""Score a comment end to end: normalise, find roster people, run the model, apply school rules.

`Engine.load()` returns one shared, lazily loaded engine (thread-safe). `Engine.score()` is
pure: it never touches the database, the network or the disk after loading.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .categories import CATEGORIES, SCHOOL_CATEGORIES
from .classifier import WEIGHTS_DIR, Classifier, HeadScores
from .judgement import JUDGEMENT_FILE, JudgementHeads, judge
from .normalise import normalise
from .roster import Roster, RosterMatch

WATCH_ACTIONS = frozenset({"block", "hold", "allow"})
BATCH_SIZE = 32  # comments per encoder call in score_many
# School categories are about someone: without anyone identifiable in the text the model's
# score is scaled down rather than zeroed, since people also write "she" or a nickname.
UNANCHORED_FACTOR = 0.5

_PERSON_WORDS = (r"teacher|head|headteacher|headmaster|headmistress|deputy|senco|ta|"
                 r"teaching assistant|caretaker|dinner lady|dinner ladies|receptionist|"
                 r"kid|boy|girl|child|lad|woman|man|lady|bloke|mum|dad|family|son|daughter")
_GENERIC_PERSON = re.compile(
    rf"\b(?:mr|mrs|miss|ms|dr)\.? [a-z]|\b(?:the|that|this|his|her|their|your|my \w+'s) "
    rf"(?:{_PERSON_WORDS})\b"
)
_SCHOOL_REF = re.compile(
    r"\b(?:school|schools|office|head|headteacher|teachers?|staff|governors?|trust|academy|"
    r"leadership|senco|pta|class|nursery|reception|they|them|management|ofsted|dinners?|"
    r"lunches|reports?|homework|clubs?)\b"
)


@dataclass(frozen=True)
class ScoreResult:
    """Everything the moderation queue needs to explain a decision."""

    normalised: str
    scores: dict[str, float]
    triggers: dict[str, list[str]]
    roster_matches: list[RosterMatch] = field(default_factory=list)
    watched_hits: list[tuple[str, str]] = field(default_factory=list)
    # Safeguarding concern (0..1): a parent reporting harm to their child; see judgement.py.
    concern: float = 0.0
    # Plain-words reasons a moderator can act on, per category (and "concern").
    reasons: dict[str, str] = field(default_factory=dict)
    # The heads trained on Jigsaw's own six labels (toxic, severe_toxic, obscene, threat,
    # insult, identity_hate), for comparing with other moderation tools; no rule acts on them.
    jigsaw: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "normalised": self.normalised,
            "scores": {c: round(float(self.scores[c]), 4) for c in CATEGORIES},
            "triggers": {c: list(self.triggers.get(c, [])) for c in CATEGORIES},
            "roster_matches": [m.to_json() for m in self.roster_matches],
            "watched_hits": [[phrase, action] for phrase, action in self.watched_hits],
            "concern": round(float(self.concern), 4),
            "reasons": dict(self.reasons),
            "jigsaw": {label: round(float(p), 4) for label, p in self.jigsaw.items()},
        }


class Engine:
    """The loaded model plus the rules that combine it with roster matches."""

    _instance: Engine | None = None
    _lock = threading.Lock()

    def __init__(self, model: Classifier, judgement: JudgementHeads | None = None) -> None:
        self.model = model
        self.judgement = judgement

    @classmethod
    def load(cls) -> Engine:
        """The shared engine, loading weights on first use."""
        if cls._instance is None:
            with cls._lock:
                if cls._instance is None:
                    model = Classifier()
                    heads = (JudgementHeads(WEIGHTS_DIR)
                             if JUDGEMENT_FILE in model.manifest["files"] else None)  # type: ignore[operator]
                    cls._instance = cls(model, heads)
        return cls._instance

    def head_scores(self, texts: Sequence[str]) -> list[HeadScores]:
        """Raw model heads (including auxiliary ones) for texts, before school rules."""
        cleaned = [normalise(t) for t in texts]
        out: list[HeadScores] = []
        for start in range(0, len(cleaned), BATCH_SIZE):
            out += self.model.predict_many(cleaned[start:start + BATCH_SIZE])
        return out

    def score(self, text: str, roster: Roster | None = None,
              watched: Sequence[tuple[str, str]] = ()) -> ScoreResult:
        return self.score_many([text], roster, watched)[0]

    def score_many(self, texts: Iterable[str], roster: Roster | None = None,
                   watched: Sequence[tuple[str, str]] = ()) -> list[ScoreResult]:
        """Score several comments; the encoder runs once over the whole batch."""
        originals = [t if isinstance(t, str) else str(t) for t in texts]
        cleaned = [normalise(t) for t in originals]
        # Similar lengths share an encoder batch, so little time goes on padding.
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        results: list[ScoreResult | None] = [None] * len(cleaned)
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start:start + BATCH_SIZE]
            heads = self.model.predict_many([cleaned[i] for i in chunk])
            for i, head in zip(chunk, heads, strict=True):
                results[i] = self._result(originals[i], cleaned[i], head, roster, watched)
        return [r for r in results if r is not None]

    def _result(self, text: str, clean: str, heads: HeadScores, roster: Roster | None,
                watched: Sequence[tuple[str, str]]) -> ScoreResult:
        matches = roster.match(text) if roster is not None else []
        anchored = _apply_school_rules(clean, heads.scores, matches)
        verdict = judge(text, clean, anchored, heads.embedding, self.judgement, bool(matches),
                        any(m.kind == "pupil" for m in matches), heads.lexical)
        scores = verdict.scores
        triggers = _triggers(heads, matches)
        jigsaw = {head.removeprefix("jigsaw_"): p for head, p in heads.scores.items()
                  if head.startswith("jigsaw_")}
        return ScoreResult(clean, scores, triggers, matches, _watched_hits(text, clean, watched),
                           verdict.concern, verdict.reasons, jigsaw)


def score_many(texts: Iterable[str], roster: Roster | None = None,
               watched: Sequence[tuple[str, str]] = ()) -> list[ScoreResult]:
    """Score a batch of comments with the shared engine."""
    return Engine.load().score_many(texts, roster, watched)


def _apply_school_rules(clean: str, heads: dict[str, float],
                        matches: list[RosterMatch]) -> dict[str, float]:
    person = bool(matches) or _GENERIC_PERSON.search(clean) is not None
    school = person or _SCHOOL_REF.search(clean) is not None
    scores: dict[str, float] = {}
    for category in CATEGORIES:
        p = heads[category]
        if category in SCHOOL_CATEGORIES:
            anchored = person if category in (
                "allegation_about_staff_or_pupil", "negative_comment_about_person") else school
            if not anchored:
                p *= UNANCHORED_FACTOR
        scores[category] = min(max(p, 0.0), 1.0)
    return scores


def _triggers(heads: HeadScores, matches: list[RosterMatch]) -> dict[str, list[str]]:
    out = {c: list(heads.triggers.get(c, [])) for c in CATEGORIES}
    names = list(dict.fromkeys(m.matched_text for m in matches))
    for category in SCHOOL_CATEGORIES:
        if out[category]:
            out[category] += [n for n in names if n not in out[category]]
    return out


def _watched_hits(text: str, clean: str,
                  watched: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Watched phrases found in the original or the de-obfuscated text (whole words)."""
    hits: list[tuple[str, str]] = []
    lowered = text.casefold()
    for phrase, action in watched:
        if action not in WATCH_ACTIONS or not phrase.strip():
            continue
        raw, normalised = _watched_patterns(phrase)
        if raw.search(lowered) or (normalised is not None and normalised.search(clean)):
            hits.append((phrase, action))
    return hits


@functools.lru_cache(maxsize=4096)
def _watched_patterns(phrase: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """Whole-word patterns for a watched phrase as typed and as normalised (cached: a school's
    list is the same for every comment)."""
    raw = re.compile(rf"(?<!\w){re.escape(phrase.casefold().strip())}(?!\w)")
    norm = normalise(phrase)
    return raw, (re.compile(rf"(?<!\w){re.escape(norm)}(?!\w)") if norm else None)
