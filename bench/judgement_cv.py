"""Five-fold out-of-fold accuracy of the judgement stage on the hand-written training rows.

Run from the repo root:  .venv/bin/python bench/judgement_cv.py

The rows of scripts/data/judgement_train_more*.csv (3,576 comments by seven writers, none of
them the author of the cue lists) are split into five folds. For each fold the judgement heads
are refitted exactly as scripts/train_judgement.py fits them, minus that fold, and the fold is
then judged with the shipped first stage and the shipped rules. The first stage never trained
on these rows, so this is a second estimate of how the judgement stage does on wording it has
not seen, on nine times the rows of the probe set (thresholds stay as shipped, so it is a
little optimistic; the fold's own rows did shape the head constants chosen with this script).
Takes about two minutes on one core.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import train_judgement as tj  # noqa: E402
from quality import ROSTER_JSON, _matches, outcome  # noqa: E402

from gatehouse.moderation.engine import Engine, Roster  # noqa: E402
from gatehouse.moderation.engine.judgement import JUDGEMENT_HEADS  # noqa: E402
from gatehouse.moderation.engine.normalise import normalise  # noqa: E402

FOLDS = 5
EXPECTED = {"identity_neutral": "publish", "observance": "publish", "counter_speech": "publish",
            "idiom": "publish", "ordinary": "publish", "identity_hate": "alert",
            "explicit_threat": "alert", "veiled_threat": "alert", "hedged_allegation": "hold",
            "negative_identifiable": "hold", "concern": "concern"}


def main() -> None:
    engine = Engine.load()
    assert engine.judgement is not None
    texts, labels, splits = tj.labelled_rows(ROOT.parent / "shared/data/text")
    cache = Path(tempfile.gettempdir()) / "gatehouse-train-cache"  # as train_judgement.py
    x, dense_width = tj.feature_matrix(engine.model, texts, cache)
    split = np.array(splits)
    cls_of = {r["text"]: r["class"] for path in sorted(
        (ROOT / "scripts/data").glob("judgement_train_more*.csv")) for r in tj.read_csv(path)}
    rows = np.array([i for i, t in enumerate(texts) if t in cls_of])
    fold = np.full(len(texts), -1)
    fold[rows] = np.random.default_rng(0).integers(0, FOLDS, len(rows))
    roster = Roster.from_dicts(json.loads(ROSTER_JSON.read_text())["people"])
    first = engine.model.predict_many([normalise(texts[i]) for i in rows])
    got: dict[int, str] = {}
    for k in range(FOLDS):
        coef, intercept = [], []
        for head in JUDGEMENT_HEADS:
            known, y = tj.head_labels(labels[head])
            clf = tj.fit_head(x, y, known & (split == "train") & (fold != k))
            coef.append(clf.coef_[0])
            intercept.append(clf.intercept_[0])
        weights = np.stack(coef, axis=1).astype(np.float32)
        engine.judgement.coef = weights[:dense_width]
        engine.judgement.lex_coef = weights[dense_width:]
        engine.judgement.intercept = np.array(intercept, np.float32)
        for i, heads in zip(rows, first, strict=True):
            if fold[i] == k:  # the rest of the pipeline exactly as the engine runs it
                got[int(i)] = outcome(engine._result(texts[i], normalise(texts[i]), heads,
                                                     roster, ()))
    print(f"judgement stage, {FOLDS}-fold out of fold on {len(rows)} hand-written rows")
    for cls, want in EXPECTED.items():
        idx = [int(i) for i in rows if cls_of[texts[i]] == cls]
        right = sum(_matches(want, got[i]) for i in idx)
        print(f"  {cls:24s} expect {want:8s} right {right / len(idx):6.1%} ({right}/{len(idx)})")


if __name__ == "__main__":
    main()
