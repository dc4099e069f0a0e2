"""Sentence embeddings from all-MiniLM-L6-v2, exported to ONNX and quantised to int8.

The engine runs the encoder(s) listed in weights/manifest.json: since issue 7's second round
only weights/minilm-ft-int8.onnx (all-MiniLM-L6-v2 fine-tuned by scripts/finetune_encoder.py).
`train_moderation.py --export-encoder` writes the frozen model as minilm-int8.onnx (not shipped).
Each ONNX graph already mean-pools and L2-normalises, so this module only tokenises and runs
it. It needs onnxruntime and tokenizers, never torch, and reads nothing but weights/.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
ONNX_FILE = "minilm-int8.onnx"
TOKENIZER_FILE = "minilm-tokenizer.json"
MAX_TOKENS = 128  # comments longer than this are judged on their opening
DIM = 384


class Encoder:
    """Text -> 384-dimensional unit vector."""

    def __init__(self, directory: Path = WEIGHTS_DIR, threads: int | None = None,
                 onnx_file: str = ONNX_FILE) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        # The shipped tokenizer.json pads everything to 128 tokens; we pad per batch instead.
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        # One thread per request by default: the web server runs requests in parallel
        # already, and more threads mostly add contention on a 2-core box.
        options.intra_op_num_threads = threads or int(os.environ.get("GATEHOUSE_ORT_THREADS", 1))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(directory / onnx_file), options,
                                            providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embeddings for a batch (padded to the longest text in it)."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), np.int64)
        mask = np.zeros((len(texts), width), np.int64)
        for i, e in enumerate(encodings):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        (out,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return out.astype(np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
