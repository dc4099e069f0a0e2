"""Print how fast the moderation engine scores comments, beside a packaged profanity baseline.

Run from the repo root:  .venv/bin/python bench/moderation.py [--repeat 5]

Measures one comment at a time, end to end (normalise + roster match + model + rules), on one
thread, then batch throughput. The comments are bench/data/school_comments.csv with its demo
roster. No timing is asserted anywhere; this only prints figures.
"""

from __future__ import annotations

import os

# One thread everywhere, before numpy is imported, so the figures are per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ORT_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gatehouse.moderation.engine import Engine, Roster, score_many  # noqa: E402

SCHOOL_CSV = ROOT / "bench/data/school_comments.csv"
ROSTER_JSON = ROOT / "bench/data/roster.json"
WATCHED = [("car park", "allow"), ("paedo", "block"), ("sue the school", "hold")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_each(fn: Callable[[str], object], texts: list[str], repeat: int) -> list[float]:
    """Milliseconds per call, every text `repeat` times."""
    out: list[float] = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter()
            fn(text)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def time_batch(fn: Callable[[list[str]], object], texts: list[str], repeat: int) -> float:
    """Comments per second for a whole-list call."""
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn(texts)
    return len(texts) * repeat / (time.perf_counter() - t0)


def report(name: str, per_call: list[float], per_second: float) -> None:
    print(f"  {name:34s} p50={percentile(per_call, 50):6.2f} ms  "
          f"p95={percentile(per_call, 95):6.2f} ms  p99={percentile(per_call, 99):6.2f} ms  "
          f"mean={statistics.fmean(per_call):6.2f} ms  batch={per_second:8.0f} comments/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with SCHOOL_CSV.open(encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    roster = Roster.from_dicts(json.loads(ROSTER_JSON.read_text())["people"])

    t0 = time.perf_counter()
    engine = Engine.load()
    load_ms = (time.perf_counter() - t0) * 1000
    for text in texts[:20]:  # warm caches before timing
        engine.score(text, roster, WATCHED)

    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, one thread; {len(texts)} comments x {args.repeat}")
    print(f"engine load (first call): {load_ms:.0f} ms")
    engine_calls = time_each(lambda t: engine.score(t, roster, WATCHED), texts, args.repeat)
    engine_rate = time_batch(lambda ts: score_many(ts, roster, WATCHED), texts, args.repeat)
    report("gatehouse engine (end to end)", engine_calls, engine_rate)
    long_text = " ".join(texts)[:5000]
    long_calls = time_each(lambda t: engine.score(t, roster, WATCHED), [long_text], 50)
    report("gatehouse engine, 5,000-char input", long_calls, 1000 / statistics.fmean(long_calls))
    _baselines(texts, args.repeat)


def _baselines(texts: list[str], repeat: int) -> None:
    try:
        from better_profanity import profanity
    except ImportError:
        print("  better-profanity not installed (pip install -r requirements/bench.txt)")
        return
    profanity.load_censor_words()
    calls = time_each(profanity.contains_profanity, texts, repeat)
    rate = time_batch(lambda ts: [profanity.contains_profanity(t) for t in ts], texts, repeat)
    report("baseline: better-profanity", calls, rate)


if __name__ == "__main__":
    main()
