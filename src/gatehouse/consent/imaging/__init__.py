"""Image handling for photo consent checks, free of Django so it can be benchmarked alone.

- `safety.load_upload`: turn uploaded bytes into a trusted RGB image, or refuse clearly.
- `faces.detect_faces` / `faces.detect_faces_capped`: find every face we can.
- `blur.blur_regions`: make chosen faces unrecognisable.
- `strip.publishable_bytes`: re-encode for publishing with no metadata left.
"""

from __future__ import annotations
