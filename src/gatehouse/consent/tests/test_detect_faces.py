"""`manage.py detect_faces`: one JSON line per image, with the upload check's detector."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gatehouse.consent.imaging.faces import check_faces
from gatehouse.consent.imaging.safety import load_upload
from gatehouse.consent.tests.conftest import GROUP_PHOTO


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_it_prints_one_json_line_per_image_matching_the_upload_check() -> None:
    out = io.StringIO()
    call_command("detect_faces", str(GROUP_PHOTO), str(GROUP_PHOTO), stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    line = lines[0]
    assert set(line) == {"path", "width", "height", "faces", "possible_faces", "seconds"}
    assert (line["width"], line["height"]) == (500, 375)
    expected = check_faces(load_upload(GROUP_PHOTO.read_bytes()))
    assert [(f["x"], f["y"], f["w"], f["h"]) for f in line["faces"]] == [
        f.as_tuple() for f in expected.faces]
    assert [(f["x"], f["y"], f["w"], f["h"]) for f in line["possible_faces"]] == [
        f.as_tuple() for f in expected.possible]
    assert set(line["faces"][0]) == {"x", "y", "w", "h", "score"}


def test_unreadable_files_are_reported_and_fail_the_command(tmp_path: Path) -> None:
    svg = tmp_path / "drawing.svg"
    svg.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("detect_faces", str(svg), stdout=out)
    assert "SVG" in json.loads(out.getvalue())["error"]
