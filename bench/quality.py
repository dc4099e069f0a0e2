"""Print the moderation engine's quality on held-out public data and on our school set.

Run from the repo root:  .venv/bin/python bench/quality.py [--data ../shared/data/text]

Public sets: only the test bucket (sha1(text) % 100 < 20), which training never sees.
School set: bench/data/school_comments.csv with the demo roster, written before tuning.
Functional suite: the TEST half (by template) of bench/data/functional/functional.csv.
Probe set: bench/data/probe/probe_test.csv, written independently of the rules it tests.
Figures are at the operating thresholds in engine/thresholds.py.

    .venv/bin/python bench/quality.py --only functional    # the judgement figures alone
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
import train_moderation as tm  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from gatehouse.moderation.engine import CATEGORIES, Engine, Roster, ScoreResult  # noqa: E402
from gatehouse.moderation.engine.judgement_thresholds import CONCERN_THRESHOLD  # noqa: E402
from gatehouse.moderation.engine.thresholds import (  # noqa: E402
    AUX_THRESHOLDS,
    DEFAULT_THRESHOLDS,
)

THRESHOLDS = {**DEFAULT_THRESHOLDS, **AUX_THRESHOLDS}
ALERTING = ("threat_of_violence", "racist_or_identity_hate")  # the default rules alert on these
MIN_POSITIVES = 10  # below this a per-label figure is printed but flagged as too small
SCHOOL_CSV = ROOT / "bench/data/school_comments.csv"
FUNCTIONAL_CSV = ROOT / "bench/data/functional/functional.csv"
PROBE_DIR = ROOT / "bench/data/probe"
IDENTITY_BENIGN = ("identity_neutral", "observance", "counter_speech")
ROSTER_JSON = ROOT / "bench/data/roster.json"

# Which of our heads answers each Jigsaw label: first the Jigsaw-only head trained for that
# label, then the policy category the engine actually holds on (an ensemble that includes it).
JIGSAW_LABELS: dict[str, tuple[str, ...]] = {
    "toxic": ("jigsaw_toxic", "toxic"),
    "severe_toxic": ("jigsaw_severe_toxic", "severe_toxic"),
    "obscene": ("jigsaw_obscene", "obscene_or_grossly_offensive"),
    "threat": ("jigsaw_threat", "threat_of_violence"),
    "insult": ("jigsaw_insult", "insult_harassment_or_cyberbullying"),
    "identity_hate": ("jigsaw_identity_hate", "racist_or_identity_hate"),
}


@dataclass
class Row:
    label: str
    n: int
    pos: int
    precision: float
    recall: float
    f1: float
    auc: float

    def line(self) -> str:
        flag = "  (few positives)" if self.pos < MIN_POSITIVES else ""
        return (f"  {self.label:44s} n={self.n:5d} pos={self.pos:4d}  P={self.precision:.3f} "
                f"R={self.recall:.3f} F1={self.f1:.3f} AUC={self.auc:.3f}{flag}")


def metrics(label: str, y: np.ndarray, p: np.ndarray, threshold: float) -> Row:
    pred = p >= threshold
    tp = int((pred & (y == 1)).sum())
    prec = tp / max(int(pred.sum()), 1)
    rec = tp / max(int(y.sum()), 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-9)
    auc = roc_auc_score(y, p) if 0 < y.sum() < len(y) else float("nan")
    return Row(label, len(y), int(y.sum()), prec, rec, f1, auc)


def held_any(scores: dict[str, float]) -> bool:
    return any(scores[c] >= DEFAULT_THRESHOLDS[c] for c in CATEGORIES)


def outcome(result: ScoreResult) -> str:
    """What the default rules do: alert (threat or hate), concern, hold or publish."""
    flagged = [c for c in CATEGORIES if result.scores[c] >= DEFAULT_THRESHOLDS[c]]
    if any(c in ALERTING for c in flagged):
        return "alert"
    if result.concern >= CONCERN_THRESHOLD:
        return "concern"
    return "hold" if flagged else "publish"


def _rate(hits: int, n: int) -> str:
    return f"{hits / n:6.1%} ({hits}/{n})" if n else "   n/a"


def functional_report(engine: Engine, split: str = "test") -> None:
    with FUNCTIONAL_CSV.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == split]
    judgement_report(engine, rows, f"functional suite, {split} half by template")


def probe_report(engine: Engine, half: str = "test") -> None:
    path = PROBE_DIR / f"probe_{half}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # The test half's errors are not printed: reading them is the first step to tuning on them.
    judgement_report(engine, rows, f"independent probe set, {half} half ({path.name})",
                     show=len(rows) if half == "dev" else 0)


def judgement_report(engine: Engine, rows: list[dict[str, str]], title: str,
                     show: int = 25) -> None:
    """Accuracy per functional class, false holds per identity group, recall per category
    and concern routing, for rows with class, decision, category, group and text."""
    roster = Roster.from_dicts(json.loads(ROSTER_JSON.read_text())["people"])
    results = engine.score_many([r["text"] for r in rows], roster)
    got = [outcome(res) for res in results]
    print(f"\n{title} ({len(rows)} cases, demo roster)")
    print("  accuracy per functional class (expected outcome; 'held' = anything but publish):")
    classes = sorted({r["class"] for r in rows})
    for cls in classes:
        idx = [i for i, r in enumerate(rows) if r["class"] == cls]
        want = rows[idx[0]]["decision"]
        ok = sum(_matches(want, got[i]) for i in idx)
        exact = sum(want == got[i] for i in idx)
        print(f"    {cls:24s} expect {want:8s} right {_rate(ok, len(idx))}   "
              f"exact outcome {_rate(exact, len(idx))}")
    print("  false-hold rate on neutral/positive mentions and counter-speech, per identity group:")
    groups = sorted({r["group"] for r in rows if r["group"]})
    for group in groups:
        idx = [i for i, r in enumerate(rows) if r["group"] == group and r["class"] in
               IDENTITY_BENIGN]
        held = sum(got[i] != "publish" for i in idx)
        hate = [i for i, r in enumerate(rows) if r["group"] == group and
                r["class"] == "identity_hate"]
        caught = sum(got[i] != "publish" for i in hate)
        print(f"    {group:16s} false-hold {_rate(held, len(idx))}   "
              f"hate held {_rate(caught, len(hate))}")
    print("  recall per policy category (expected category over its threshold):")
    for cat in sorted({r["category"] for r in rows if r["category"]}):
        idx = [i for i, r in enumerate(rows) if r["category"] == cat]
        hit = sum(results[i].scores[cat] >= DEFAULT_THRESHOLDS[cat] for i in idx)
        print(f"    {cat:36s} {_rate(hit, len(idx))}")
    truth = [r["decision"] == "concern" for r in rows]
    pred = [g == "concern" for g in got]
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    print(f"  safeguarding-concern routing: precision {_rate(tp, sum(pred))}  "
          f"recall {_rate(tp, sum(truth))}")
    wrong = [i for i in range(len(rows)) if not _matches(rows[i]["decision"], got[i])]
    print(f"  wrong outcomes ({len(wrong)})" + (f", first {show}:" if show else ""))
    for i in wrong[:show]:
        print(f"    [{rows[i]['class']}] expect {rows[i]['decision']} got {got[i]}: "
              f"{rows[i]['text'][:80]!r}")


def _matches(want: str, got: str) -> bool:
    if want == "publish":
        return got == "publish"
    if want == "concern":
        return got == "concern"
    return got != "publish"


def public_report(data: Path, engine: Engine) -> None:
    loaders: dict[str, Callable[[Path], object]] = {
        "jigsaw": tm.load_jigsaw, "davidson": tm.load_davidson, "hatexplain": tm.load_hatexplain,
        "ethos": tm.load_ethos, "cyberbullying": tm.load_cyberbullying,
        "complaints": tm.load_complaints,
    }
    for name, loader in loaders.items():
        test = [ex for ex in loader(data) if ex.text.strip() and ex.bucket < 20]  # type: ignore[attr-defined]
        heads = [h.scores for h in engine.head_scores([ex.text for ex in test])]
        print(f"\n{name} (held-out test split, {len(test)} rows)")
        pairs = ([(f"jigsaw_{label}", head) for label, hs in JIGSAW_LABELS.items() for head in hs]
                 if name == "jigsaw" else
                 [(h, h) for h in tm.HEADS if not h.startswith("jigsaw_")])
        for label_key, head in pairs:
            rows = [i for i, ex in enumerate(test) if label_key in ex.labels]
            y = np.array([test[i].labels[label_key] for i in rows])
            if len(rows) == 0 or y.sum() == 0 or head not in heads[0]:
                continue
            p = np.array([heads[i][head] for i in rows])
            public_label = label_key.removeprefix("jigsaw_")
            shown = public_label if public_label == head else f"{public_label} -> {head}"
            print(metrics(shown, y, p, THRESHOLDS[head]).line())
        if name == "jigsaw":
            jigsaw_final(engine, test, heads)
        clean = [i for i, ex in enumerate(test) if ex.labels and not any(ex.labels.values())]
        if clean:
            scored = engine.score_many([test[i].text for i in clean])
            rate = sum(held_any(r.scores) for r in scored) / len(clean)
            print(f"  clean rows held on any category: {rate:.1%} of {len(clean)}")


# After the judgement stage: the score the engine acts on for each Jigsaw label.
FINAL_FOR = {"toxic": "toxic", "severe_toxic": "severe_toxic",
             "obscene": "obscene_or_grossly_offensive", "threat": "threat_of_violence",
             "insult": "insult_harassment_or_cyberbullying",
             "identity_hate": "racist_or_identity_hate"}


def jigsaw_final(engine: Engine, test: list, heads: list[dict[str, float]]) -> None:
    """Mean ROC-AUC over the six Jigsaw labels, from the Jigsaw-only heads and from the
    scores the engine acts on after the judgement stage (toxic and severe_toxic have no
    policy category, so their head stands in)."""
    final = engine.score_many([ex.text for ex in test])
    own, acted = [], []
    for label, category in FINAL_FOR.items():
        y = np.array([ex.labels.get(f"jigsaw_{label}", 0) for ex in test])
        own.append(roc_auc_score(y, [h[f"jigsaw_{label}"] for h in heads]))
        p = [h[category] if category in ("toxic", "severe_toxic") else r.scores[category]
             for h, r in zip(heads, final, strict=True)]
        acted.append(roc_auc_score(y, p))
        print(f"  {label:14s} AUC Jigsaw head {own[-1]:.3f}   after judgement "
              f"({category}) {acted[-1]:.3f}")
    print(f"  mean ROC-AUC over the six labels: Jigsaw heads {np.mean(own):.4f}   "
          f"after judgement {np.mean(acted):.4f}   (target >= 0.97)")


def school_report(engine: Engine) -> None:
    roster = Roster.from_dicts(json.loads(ROSTER_JSON.read_text())["people"])
    with SCHOOL_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    results = engine.score_many([r["text"] for r in rows], roster)
    print(f"\nschool_comments.csv (hand-written, {len(rows)} rows, demo roster)")
    for c in CATEGORIES:
        y = np.array([int(r[c]) for r in rows])
        p = np.array([res.scores[c] for res in results])
        print(metrics(c, y, p, DEFAULT_THRESHOLDS[c]).line())
    ordinary = [i for i, r in enumerate(rows) if not any(int(r[c]) for c in CATEGORIES)]
    held = [i for i in ordinary if held_any(results[i].scores)]
    print(f"  ordinary comments held on any category: {len(held) / len(ordinary):.1%} "
          f"({len(held)} of {len(ordinary)}; target <= 3%)")
    for i in held:
        top = max(CATEGORIES, key=lambda c: results[i].scores[c] / DEFAULT_THRESHOLDS[c])
        print(f"    held: {rows[i]['text'][:70]!r} -> {top} {results[i].scores[top]:.2f}")
    bad = [i for i, r in enumerate(rows) if any(int(r[c]) for c in CATEGORIES)]
    missed = [i for i in bad if not held_any(results[i].scores)]
    print(f"  policy-breaking comments held on some category: "
          f"{1 - len(missed) / len(bad):.1%} of {len(bad)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/text")
    parser.add_argument("--only", choices=("public", "school", "functional", "probe"))
    parser.add_argument("--split", default="test", choices=("test", "dev", "train"),
                        help="functional half to report (test unless studying training)")
    parser.add_argument("--probe", default="test", choices=("test", "dev"),
                        help="probe half to report (dev is for studying errors)")
    args = parser.parse_args()
    started = time.time()
    engine = Engine.load()
    print("thresholds:", json.dumps(THRESHOLDS))
    if args.only in (None, "public"):
        public_report(args.data, engine)
    if args.only in (None, "school"):
        school_report(engine)
    if args.only in (None, "functional"):
        functional_report(engine, args.split)
    if args.only in (None, "probe"):
        probe_report(engine, args.probe)
    print(f"\n(bench ran in {time.time() - started:.0f}s)")


if __name__ == "__main__":
    main()
