"""Where the public benchmark and test data live: beside the project, never copied into it
(GATEHOUSE_SHARED_DATA overrides). Used by tests, benches and the demo school's video."""

from __future__ import annotations

import os
from pathlib import Path


def _shared_data() -> Path:
    if os.environ.get("GATEHOUSE_SHARED_DATA"):
        return Path(os.environ["GATEHOUSE_SHARED_DATA"])
    beside = Path(__file__).resolve().parents[3].parent / "shared" / "data"
    return beside if beside.exists() else Path("/work/shared/data")


SHARED_DATA = _shared_data()
