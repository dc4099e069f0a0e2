"""Find the school's staff and pupils in a comment: names, titles, initials and role references.

The index is built once per `Roster`; `match()` then does dictionary look-ups per token, plus a
small deletion-neighbourhood look-up for misspelt names, so it stays well under a millisecond
for a normal comment. Offsets refer to the text passed to `match()` (normally the original,
un-normalised comment, so the UI can highlight it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

HOW_VALUES = frozenset(
    {"full_name", "first_name", "preferred_name", "title_surname", "initials", "role",
     "year_group_role"}
)

_TITLES = {"mr": "Mr", "mrs": "Mrs", "miss": "Miss", "ms": "Ms", "dr": "Dr", "mx": "Mx",
           "sir": "Sir", "master": "Mr"}

# Names that are also everyday English words. These only count when written with a capital
# letter, away from the start of a sentence (or after a title, or before the surname).
COMMON_WORD_NAMES = frozenset(
    {
        "will", "grace", "may", "rose", "hope", "mo", "jay", "harry", "ruby", "amber", "faith",
        "joy", "summer", "autumn", "dawn", "bill", "pat", "sue", "mark", "rich", "chase",
        "reed", "sandy", "glen", "jack", "frank", "art", "bob", "rob", "don", "guy", "ray",
        "lily", "daisy", "holly", "ivy", "iris", "poppy", "heather", "violet", "jade", "pearl",
        "crystal", "sky", "skye", "river", "storm", "sunny", "hunter", "page", "paige", "eve",
        "june", "april", "august", "angel", "star", "honey", "cherry", "ginger", "max", "grant",
        "hall", "price", "marsh", "turner", "walker", "baker", "cook", "smith", "young", "king",
        "bishop", "wood", "hill", "green", "brown", "white", "black", "long", "short", "best",
        "little", "rice", "pierce", "chance", "major", "noble", "nice", "gay", "shah", "ali",
        "chen", "doyle", "lord", "new", "ash", "bay", "dale", "fox", "lamb", "moss",
    }
)

# Two-letter tokens that are everyday abbreviations in school talk, never initials.
_NOT_INITIALS = frozenset(
    {"PE", "RE", "IT", "DT", "TA", "TV", "PC", "OK", "UK", "US", "GP", "MP", "ID", "PTA", "SEN",
     "AM", "PM", "NO", "SO", "GO", "ME", "MY", "HI", "BE", "DO", "IF", "IN", "IS", "OF", "ON",
     "OR", "TO", "UP", "WE", "AN", "AS", "AT", "BY", "HE", "LA", "YR", "KS", "SATS", "RT", "PS",
     "FC", "EU", "NHS", "DM", "OMG", "LOL", "FYI"}
)

_HEAD_WORDS = r"(?:head\s*teacher|headteacher|headmistress|headmaster|head\s+mistress|" \
              r"head\s+master|head(?!\s+(?:lice|louse|of|off|to|first|start|count|injur\w*|" \
              r"boy|girl|chef|cook|gardener|office|torch|band|scarf|phones?|cold|ache)\b))"
_TOKEN = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'’\-]*")
_SENTENCE_END = re.compile(r"[.!?\n]\s*$")
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "r": "r"}


@dataclass(frozen=True)
class RosterPerson:
    """A member of staff or a pupil as the school's records name them."""

    id: int
    kind: str  # "staff" | "pupil"
    first_name: str
    last_name: str
    preferred_name: str = ""
    title: str = ""  # Mr/Mrs/Miss/Ms/Dr
    role: str = ""  # e.g. "head teacher", "year 6 teacher", "SENCO"
    year_group: str = ""  # e.g. "Year 4"


@dataclass(frozen=True)
class RosterMatch:
    """One place in a text that refers to a roster person."""

    person_id: int
    kind: str
    matched_text: str
    start: int
    end: int
    how: str

    def to_json(self) -> dict[str, object]:
        return {"person_id": self.person_id, "kind": self.kind,
                "matched_text": self.matched_text, "start": self.start, "end": self.end,
                "how": self.how}


@dataclass(frozen=True)
class _Token:
    text: str
    key: str  # lower-case, possessive stripped
    start: int
    end: int
    sentence_start: bool


class _FuzzyIndex:
    """Exact and edit-distance look-up of names (1 edit for 5+ letters, 2 for 8+)."""

    def __init__(self) -> None:
        self.exact: dict[str, set[int]] = {}
        self.deletes: dict[str, set[str]] = {}

    def add(self, name: str, person_id: int) -> None:
        name = name.lower()
        if not name:
            return
        self.exact.setdefault(name, set()).add(person_id)
        for variant in _deletes(name, _max_edits(name)):
            self.deletes.setdefault(variant, set()).add(name)

    def lookup(self, key: str, fuzzy: bool) -> tuple[set[int], bool]:
        """People whose name is `key` (exact) or within edit distance; and whether exact."""
        if key in self.exact:
            return self.exact[key], True
        if not fuzzy or len(key) < 4:
            return set(), False
        found: set[int] = set()
        for variant in _deletes(key, 2 if len(key) >= 7 else 1):
            for name in self.deletes.get(variant, ()):
                if _levenshtein(key, name, _max_edits(name)) <= _max_edits(name):
                    found |= self.exact[name]
        return found, False


class Roster:
    """The staff and pupils of one school, indexed for fast matching."""

    def __init__(self, people: Iterable[RosterPerson]) -> None:
        self.people: dict[int, RosterPerson] = {p.id: p for p in people}
        self._first = _FuzzyIndex()
        self._preferred = _FuzzyIndex()
        self._last = _FuzzyIndex()
        self._initials: dict[str, set[int]] = {}
        for person in self.people.values():
            self._index_person(person)
        self._role_patterns = self._build_role_patterns()

    @classmethod
    def from_dicts(cls, rows: Iterable[dict[str, object]]) -> Roster:
        fields = RosterPerson.__dataclass_fields__
        return cls(RosterPerson(**{k: v for k, v in row.items() if k in fields})  # type: ignore[arg-type]
                   for row in rows)

    def _index_person(self, person: RosterPerson) -> None:
        self._first.add(person.first_name, person.id)
        if person.preferred_name:
            self._preferred.add(person.preferred_name, person.id)
        self._last.add(person.last_name, person.id)
        for first in filter(None, (person.first_name, person.preferred_name)):
            if person.last_name:
                key = (first[0] + _surname_initial(person.last_name)).upper()
                self._initials.setdefault(key, set()).add(person.id)

    def _build_role_patterns(self) -> list[tuple[re.Pattern[str], int, str]]:
        patterns: list[tuple[re.Pattern[str], int, str]] = []
        for person in self.people.values():
            if person.kind != "staff":
                continue
            for regex, how in _role_regexes(person):
                patterns.append((re.compile(regex, re.IGNORECASE), person.id, how))
        return patterns

    def match(self, text: str) -> list[RosterMatch]:
        """Every reference to a roster person in `text`, longest first where they overlap."""
        if not isinstance(text, str) or not text:
            return []
        text = text[:5000]
        tokens = _tokenise(text)
        found: list[RosterMatch] = []
        found += self._match_titles(text, tokens)
        found += self._match_names(text, tokens)
        found += self._match_initials(text)
        found += self._match_roles(text)
        return _drop_overlaps(found)

    # -- titles: "Mrs Patel", "Mrs Priya Patel", "Mrs P in reception" ---------------------

    def _match_titles(self, text: str, tokens: list[_Token]) -> list[RosterMatch]:
        out: list[RosterMatch] = []
        for i, tok in enumerate(tokens[:-1]):
            if tok.key.rstrip(".") not in _TITLES:
                continue
            nxt = tokens[i + 1]
            if len(nxt.text) == 1 and nxt.text.isupper():
                out += self._title_initial(text, tokens, i)
                continue
            ids, _ = self._last.lookup(nxt.key, fuzzy=True)
            how, end_tok = "title_surname", nxt
            if not ids and i + 2 < len(tokens):
                first_ids, _ = self._first.lookup(nxt.key, fuzzy=True)
                last_ids, _ = self._last.lookup(tokens[i + 2].key, fuzzy=True)
                ids, how, end_tok = first_ids & last_ids, "full_name", tokens[i + 2]
            if not ids:
                ids, _ = self._first.lookup(nxt.key, fuzzy=True)
                how, end_tok = "first_name", nxt
            ids = {p for p in ids if self.people[p].kind == "staff"}
            out += self._emit(text, ids, tok.start, end_tok.end, how)
        return out

    def _title_initial(self, text: str, tokens: list[_Token], i: int) -> list[RosterMatch]:
        initial = tokens[i + 1].text
        ids = {p.id for p in self.people.values()
               if p.kind == "staff" and _surname_initial(p.last_name) == initial}
        end = tokens[i + 1].end
        how = "initials"
        context = text[end:end + 30].lower()
        narrowed = {p for p in ids if _year_group_in(self.people[p], context)}
        if narrowed:
            ids, how = narrowed, "year_group_role"
            m = re.match(r"[.\s]*in\s+(?:the\s+)?[a-z]+(?:\s+\d+)?", text[end:end + 30],
                         re.IGNORECASE)
            if m:
                end += m.end()
        if len(ids) > 1:
            title = _TITLES[tokens[i].key.rstrip(".")]
            ids = {p for p in ids if self.people[p].title == title} or ids
        if len(ids) != 1:
            return []
        return self._emit(text, ids, tokens[i].start, end, how)

    # -- plain names ------------------------------------------------------------------------

    def _match_names(self, text: str, tokens: list[_Token]) -> list[RosterMatch]:
        out: list[RosterMatch] = []
        for i, tok in enumerate(tokens):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            out += self._full_name_at(text, tok, nxt)
            out += self._single_name_at(text, tokens, i, self._first, "first_name")
            out += self._single_name_at(text, tokens, i, self._preferred, "preferred_name")
        return out

    def _full_name_at(self, text: str, tok: _Token, nxt: _Token | None) -> list[RosterMatch]:
        if nxt is None or not _adjacent(text, tok, nxt):
            return []
        capital = tok.text[0].isupper() and nxt.text[0].isupper()
        first_ids, _ = self._first.lookup(tok.key, fuzzy=capital)
        pref_ids, _ = self._preferred.lookup(tok.key, fuzzy=capital)
        last_ids, _ = self._last.lookup(nxt.key, fuzzy=capital)
        ids = (first_ids | pref_ids) & last_ids
        if not ids:
            return []
        return self._emit(text, ids, tok.start, nxt.end, "full_name")

    def _single_name_at(
        self, text: str, tokens: list[_Token], i: int, index: _FuzzyIndex, how: str
    ) -> list[RosterMatch]:
        tok = tokens[i]
        capital = tok.text[:1].isupper() and not tok.text.isupper()
        ids, exact = index.lookup(tok.key, fuzzy=capital)
        if not ids:
            return []
        # An everyday word, or a guess from a misspelling: insist it looks like a name.
        looks_unlike_a_name = not capital or tok.sentence_start
        if (tok.key in COMMON_WORD_NAMES or not exact) and looks_unlike_a_name:
            return []
        if len(tok.key) <= 2 and not capital:
            return []
        return self._emit(text, ids, tok.start, tok.end, how)

    # -- initials: "J.S." / "JS" ------------------------------------------------------------

    def _match_initials(self, text: str) -> list[RosterMatch]:
        out: list[RosterMatch] = []
        for m in re.finditer(r"\b([A-Z])\.?\s?([A-Z])\.?(?![A-Za-z])", text):
            raw = m.group(0)
            key = m.group(1) + m.group(2)
            if "." not in raw and (key in _NOT_INITIALS or " " in raw):
                continue
            ids = self._initials.get(key, set())
            if len(ids) == 1:
                out += self._emit(text, ids, m.start(), m.end(), "initials")
        return out

    # -- roles: "the head", "the year 6 teacher", "the SENCO" --------------------------------

    def _match_roles(self, text: str) -> list[RosterMatch]:
        out: list[RosterMatch] = []
        for pattern, person_id, how in self._role_patterns:
            for m in pattern.finditer(text):
                out += self._emit(text, {person_id}, m.start(), m.end(), how)
        return out

    def _emit(self, text: str, ids: set[int], start: int, end: int, how: str) -> list[RosterMatch]:
        return [RosterMatch(person_id=p, kind=self.people[p].kind, matched_text=text[start:end],
                            start=start, end=end, how=how) for p in sorted(ids)]


def _role_regexes(person: RosterPerson) -> list[tuple[str, str]]:
    role = person.role.strip().lower()
    out: list[tuple[str, str]] = []
    if not role:
        return out
    if role in {"head teacher", "headteacher", "head", "headmistress", "headmaster",
                "principal", "executive head"}:
        out.append((rf"\b(?:the\s+)?{_HEAD_WORDS}(?:'s)?\b", "role"))
        return out
    if role in {"deputy head", "deputy headteacher", "deputy head teacher"}:
        out.append((r"\b(?:the\s+)?deputy(?:\s+head(?:\s*teacher)?)?\b", "role"))
        return out
    year = _year_group_regex(person.year_group or role)
    if year and "teacher" in role:
        out.append((rf"\b(?:the\s+|my\s+\w+'s\s+)?{year}(?:'s)?\s+(?:class\s+)?teacher\b",
                    "year_group_role"))
        return out
    words = r"\s+".join(re.escape(w) for w in role.split())
    out.append((rf"\b(?:the|our|that|this)\s+{words}\b", "role"))
    if role.isupper() or role.lower() in {"senco", "dsl"}:
        out.append((rf"\b{words}\b", "role"))
    return out


def _year_group_regex(text: str) -> str:
    text = text.lower()
    if "reception" in text:
        return r"(?:reception|rec|foundation|eyfs)"
    m = re.search(r"year\s*(\d+)", text)
    if not m:
        return ""
    number = m.group(1)
    words = [w for w, n in _NUMBER_WORDS.items() if n == number]
    alternatives = "|".join([number, *words])
    return rf"(?:year\s*(?:{alternatives})|y(?:r|ear)?\s*{number})"


def _year_group_in(person: RosterPerson, context: str) -> bool:
    regex = _year_group_regex(person.year_group or person.role)
    return bool(regex) and re.match(rf"[.\s]*in\s+(?:the\s+)?{regex}\b", context) is not None


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0).rstrip("-'’")
        key = raw.lower().replace("’", "'")
        if key.endswith("'s"):
            key = key[:-2]
        before = text[:m.start()]
        sentence_start = not before.strip() or bool(_SENTENCE_END.search(before[-4:]))
        tokens.append(_Token(raw, key, m.start(), m.start() + len(raw), sentence_start))
    return tokens


def _adjacent(text: str, a: _Token, b: _Token) -> bool:
    gap = text[a.end:b.start]
    return len(gap) <= 2 and gap.strip() == ""


def _surname_initial(last_name: str) -> str:
    letters = [c for c in last_name if c.isalpha()]
    if len(letters) > 1 and last_name.lower().startswith(("o'", "o’")):
        return letters[0].upper()
    return letters[0].upper() if letters else ""


def _max_edits(name: str) -> int:
    if len(name) >= 8:
        return 2
    if len(name) >= 5:
        return 1
    return 0


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt: set[str] = set()
        for w in frontier:
            nxt.update(w[:i] + w[i + 1:] for i in range(len(w)))
        out |= nxt
        frontier = nxt
    return out


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _drop_overlaps(matches: list[RosterMatch]) -> list[RosterMatch]:
    """Keep the longest span where matches overlap (per person), in text order."""
    ordered = sorted(matches, key=lambda m: (-(m.end - m.start), m.start))
    kept: list[RosterMatch] = []
    for m in ordered:
        overlaps = any(m.start < k.end and k.start < m.end for k in kept)
        # The same span naming several people (an ambiguous "Mrs P") keeps them all.
        same_span = any((m.start, m.end) == (k.start, k.end) and m.person_id != k.person_id
                        for k in kept)
        if overlaps and not same_span:
            continue
        if any(k.person_id == m.person_id and (k.start, k.end) == (m.start, m.end)
               for k in kept):
            continue
        kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.person_id))
