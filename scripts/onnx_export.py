"""Export a MiniLM checkpoint to the ONNX sentence encoder the moderation engine loads.

Shared by scripts/train_moderation.py (the frozen encoder) and scripts/finetune_encoder.py (the
fine-tuned one) so both are built the same way. Needs torch and transformers: run it from the
training venv (requirements/train.txt), never at run time.
"""

from __future__ import annotations

import tempfile
from pathlib import Path


def export_pooled_onnx(model_dir: Path, target: Path) -> None:
    """Export a MiniLM checkpoint as mean-pooled, unit-length sentence embeddings, int8 ONNX."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    fp32 = Path(tempfile.mkdtemp()) / "pooled-fp32.onnx"
    dummy = torch.ones(1, 16, dtype=torch.long)
    torch.onnx.export(Pooled(), (dummy, dummy), str(fp32), opset_version=17, dynamo=False,
                      input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                      dynamic_axes={"input_ids": {0: "b", 1: "t"},
                                    "attention_mask": {0: "b", 1: "t"}, "embedding": {0: "b"}})
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8)
    print("exported", target, flush=True)
