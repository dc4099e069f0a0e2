"""Undo the tricks people use to slip abuse past a filter, producing text for the classifiers.

`normalise()` returns a new, lower-cased string; callers keep the original for display and
evidence. Every step is a single pass (or a regex without nested ambiguity), so the cost is
linear in the input, and the input is capped at MAX_CHARS before any work starts.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 5_000
# Keep at most this many combining marks after one base character. Unicode normalisation
# sorts combining runs with an insertion sort, so a run of thousands ("Zalgo" text) would
# otherwise cost quadratic time.
MAX_COMBINING_RUN = 2

# Letters from other scripts that look like Latin ones (after case folding).
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ӏ": "l", "ԛ": "q", "ԝ": "w", "һ": "h", "ь": "b", "г": "r",
    "п": "n", "и": "u", "л": "n", "д": "d", "з": "3", "ч": "4", "ш": "w", "щ": "w",
    # Greek
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "s", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Latin look-alikes that NFKC leaves alone
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʟ": "l", "ᴀ": "a",
    "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ғ": "f", "ʜ": "h", "ᴊ": "j", "ᴋ": "k",
    "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe",
    "ð": "d", "þ": "p", "ł": "l", "đ": "d", "ħ": "h",
}

# Emoji that stand in for words in abuse. Padded with spaces so they become separate tokens.
_EMOJI_WORDS: dict[str, str] = {
    "🔪": "knife", "🗡": "knife", "⚔": "knife", "🔫": "gun", "💣": "bomb", "🧨": "bomb",
    "💥": "explode", "🔥": "burn", "⚰": "dead", "💀": "dead", "☠": "dead", "🩸": "blood",
    "🪓": "axe", "🔨": "hammer", "🐒": "monkey", "🐵": "monkey", "🙈": "monkey",
    "🙉": "monkey", "🙊": "monkey", "🦍": "ape", "🦧": "ape", "🍌": "banana", "🐖": "pig",
    "🐷": "pig", "🐽": "pig", "🐀": "rat", "🐍": "snake", "🤡": "clown", "🖕": "fuck you",
    "💩": "shit", "🍆": "dick", "🤬": "fuck", "✡": "jew", "☪": "muslim",
    "🧕": "muslim", "👳": "turban",
}

_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "€": "e", "+": "t",
}

# Words whose masked forms ("f***", "n****r") we expand; also the lexicon that decides how
# far to squeeze repeated letters.
_KEY_WORDS: tuple[str, ...] = (
    "fuck", "fucking", "fucked", "fucker", "shit", "shitty", "cunt", "bitch", "bastard",
    "twat", "wanker", "dick", "dickhead", "cock", "prick", "arse", "arsehole", "asshole",
    "piss", "pissed", "slag", "slut", "whore", "nigger", "nigga", "paki", "pikey", "gyppo",
    "faggot", "fag", "retard", "spastic", "tranny", "kike", "chink", "coon", "wog",
    "raghead", "kill", "killing", "shoot", "stab", "murder", "bomb", "knife", "gun",
    "hurt", "die", "dead", "burn", "beat", "smash", "punch", "rape", "hate", "ugly",
    "stupid", "idiot", "moron", "loser", "scum", "bitches", "hoe", "ass", "damn", "bloody",
    "bollocks", "crap", "shoot", "kys", "monkey", "ape", "terrorist", "immigrants",
)
_KEY_SET = frozenset(_KEY_WORDS)
# Everyday words with a double letter, so "schoooool" comes back as "school", not "schol".
_COMMON_DOUBLES = frozenset({
    "too", "good", "cool", "school", "look", "book", "food", "soon", "moon", "noon", "room",
    "door", "poor", "floor", "see", "been", "need", "feel", "keep", "sleep", "week", "free",
    "tree", "three", "all", "will", "well", "still", "full", "kill", "hell", "tell", "call",
    "fall", "ball", "small", "really", "hello", "sorry", "happy", "little", "better", "letter",
    "pretty", "coffee", "sweet", "meet", "feet", "shoot", "pass", "class", "miss", "boss",
    "less", "mess", "kiss", "cross", "grass", "dress", "off", "stuff", "staff", "add", "odd",
    "egg", "summer", "dinner", "funny", "daddy", "mummy", "silly", "killing", "shooting",
    "bullet", "attack", "cheers",
})
_MASKED_BY_LENGTH: dict[int, tuple[str, ...]] = {}
for _w in _KEY_WORDS:
    _MASKED_BY_LENGTH[len(_w)] = (*_MASKED_BY_LENGTH.get(len(_w), ()), _w)

_ZERO_WIDTH_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Co", "Cn"})
_KEEP_CONTROL = frozenset({"\n", "\t"})

# Tokens with digits that are ordinary: ordinals, times, units, year groups ("y6"), money.
_ORDINARY_ALNUM = re.compile(
    r"^(?:\d+(?:st|nd|rd|th|am|pm|s|k|m|cm|mm|km|kg|g|mph|yrs?|ish)|[yk][s]?\d{1,2}|\d+)$"
)
_LEET_TOKEN = re.compile(r"[a-z0-9@$!|€+]+")
# Bounded length, so a long run of letters costs linear time rather than a rescan per start.
_MASK_TOKEN = re.compile(r"(?<![a-z*#%])[a-z][a-z*#%]{1,11}(?![a-z*#%])")
# Three or more single letters split by spaces, dots, dashes, underscores or stars:
# "k i l l", "k.i.l.l", "k-i-l-l". Two spaces end a word ("s e n d  t h e m"). Every
# letter must stand alone, so a failed repetition
# just ends the match instead of backtracking across the run.
_SPACED = re.compile(r"(?<![a-z])[a-z](?![a-z])(?:(?: |[.\-_*/] ?)[a-z](?![a-z])){2,}")
_SEPARATORS = re.compile(r"[ .\-_*/]")
_LETTERS = re.compile(r"[a-z]+")
_TRIPLE = re.compile(r"([a-z])\1\1")
_RUNS = re.compile(r"([a-z])\1*")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return a lower-cased, de-obfuscated copy of `text` for classification.

    Never raises for any `str`; non-str input is coerced with `str()`.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_CHARS]
    text = _cap_combining_runs(text)
    text = unicodedata.normalize("NFKC", text)
    text = _strip_marks_and_invisibles(text)
    text = _replace_emoji(text)
    text = text.casefold()
    text = "".join(_CONFUSABLES.get(ch, ch) for ch in text)
    text = _LEET_TOKEN.sub(_unleet, text)
    text = _MASK_TOKEN.sub(_unmask, text)
    text = _SPACED.sub(_join_spaced, text)
    text = _LETTERS.sub(_destretch, text) if _TRIPLE.search(text) else text
    return _SPACES.sub(" ", text).strip()


def _cap_combining_runs(text: str) -> str:
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.combining(ch):
            run += 1
            if run > MAX_COMBINING_RUN:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def _strip_marks_and_invisibles(text: str) -> str:
    """Decompose accents and drop combining marks, zero-width and other format characters."""
    decomposed = unicodedata.normalize("NFD", text)
    out: list[str] = []
    for ch in decomposed:
        if ch in _KEEP_CONTROL:
            out.append(" ")
            continue
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me") or cat in _ZERO_WIDTH_CATEGORIES:
            # Zero-width joiners inside emoji sequences are dropped too; the emoji map
            # below keys on the base emoji, so nothing is lost.
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _replace_emoji(text: str) -> str:
    out: list[str] = []
    for ch in text:
        word = _EMOJI_WORDS.get(ch)
        if word is not None:
            out.append(f" {word} ")
        elif "\U0001f1e6" <= ch <= "\U0001f1ff":
            # Regional indicator symbols spell letters ("🇰🇮🇱🇱").
            out.append(chr(ord("a") + ord(ch) - 0x1F1E6))
        else:
            out.append(ch)
    return "".join(out)


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    if not any("a" <= ch <= "z" for ch in token) or _ORDINARY_ALNUM.match(token):
        return token
    # "hello!" ends with punctuation, not a letter i; "@mention" starts with an at-sign.
    core = token.rstrip("!|+")
    tail = token[len(core):]
    return "".join(_LEET.get(ch, ch) for ch in core) + tail


def _unmask(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.isalpha():
        return token
    for word in _MASKED_BY_LENGTH.get(len(token), ()):
        if all(t == w or t in "*#%" for t, w in zip(token, word, strict=True)):
            return word
    return token


def _join_spaced(match: re.Match[str]) -> str:
    return _SEPARATORS.sub("", match.group(0))


def _destretch(match: re.Match[str]) -> str:
    """Undo stretched letters ("kiiiill", "shoooot") in one word.

    Each run of 3+ letters stood for one or two letters; try both (at most 16 combinations)
    and prefer a key word, then a common word, else a single letter everywhere.
    """
    word = match.group(0)
    if not _TRIPLE.search(word):
        return word
    parts = [m.group(0) for m in _RUNS.finditer(word)]
    stretched = [i for i, run in enumerate(parts) if len(run) >= 3]
    if not stretched:
        return word
    single = "".join(run[0] if len(run) >= 3 else run for run in parts)
    if len(stretched) > 4:
        return single
    candidates: list[str] = []
    for mask in range(1 << len(stretched)):
        doubled = {stretched[b] for b in range(len(stretched)) if mask >> b & 1}
        candidates.append("".join(
            run[0] * (2 if i in doubled else 1) if len(run) >= 3 else run
            for i, run in enumerate(parts)))
    for lexicon in (_KEY_SET, _COMMON_DOUBLES):
        for candidate in candidates:
            if candidate in lexicon:
                return candidate
    return single
