"""Image handling for photo consent checks, free of Django so it can be benchmarked alone.

- `safety.load_upload`: turn uploaded bytes into a trusted RGB image, or refuse clearly;
  `safety.load_reduced` does the same, decoding a big JPEG at a fraction of its size.
- `faces.check_faces`: the regular pass and the closer look for possible faces, as the
  upload check runs them; `faces.detect_faces`: the regular pass alone.
- `blur.blur_regions`: make chosen faces unrecognisable.
- `strip.publishable_bytes`: re-encode for publishing with no metadata left.
"""

from __future__ import annotations
