"""Evidence packs: a ZIP of files, a manifest of their SHA-256 hashes, and its verification.

The manifest is signed with an HMAC keyed from SECRET_KEY, so whoever changes a file cannot
simply rewrite the manifest to match; and each export's manifest hash is kept (PackExport), so a
pack can be traced to the export that made it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from gatehouse.evidence.models import PackExport

FORMAT = "gatehouse-evidence-pack/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.hmac"
MAX_PACK_BYTES = 2 * 1024 * 1024 * 1024  # uncompressed: refuses ZIP bombs
ALREADY_COMPRESSED = (".jpg", ".png", ".webp", ".gif", ".heic", ".pdf")
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class PackFile:
    name: str
    data: bytes


@dataclass
class PackVerdict:
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    manifest_sha256: str = ""
    export: PackExport | None = None
    title: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _key() -> bytes:
    return hashlib.sha256(f"gatehouse-evidence-pack:{settings.SECRET_KEY}".encode()).digest()


def sign(manifest: bytes) -> str:
    return hmac.new(_key(), manifest, hashlib.sha256).hexdigest()


def json_file(name: str, value: object) -> PackFile:
    """A pack file holding `value` as readable JSON (dates and the like as strings)."""
    return PackFile(name, json.dumps(value, indent=1, ensure_ascii=False,
                                     default=str).encode("utf-8"))


def build_pack(files: list[PackFile], *, title: str) -> tuple[bytes, str]:
    """The ZIP's bytes and the SHA-256 of its manifest."""
    names = [f.name for f in files]
    if len(set(names)) != len(names) or {MANIFEST, SIGNATURE} & set(names):
        raise ValueError("pack file names must be unique and not clash with the manifest")
    manifest = json.dumps({
        "format": FORMAT, "title": title, "created_at": timezone.now().isoformat(),
        "files": [{"name": f.name, "sha256": hashlib.sha256(f.data).hexdigest(),
                   "bytes": len(f.data)} for f in files],
    }, indent=1, ensure_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, sign(manifest) + "\n")
        for f in files:
            # Images and PDFs are compressed already; deflating them again only costs time.
            stored = f.name.lower().endswith(ALREADY_COMPRESSED)
            archive.writestr(f.name, f.data,
                             compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), hashlib.sha256(manifest).hexdigest()


def verify_pack(data: bytes) -> PackVerdict:
    """Check every file against the manifest and the manifest against its signature."""
    verdict = PackVerdict()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, ValueError):
        verdict.problems.append("This file is not a readable ZIP evidence pack (it is damaged "
                                "or not a pack at all).")
        return verdict
    if sum(info.file_size for info in members.values()) > MAX_PACK_BYTES:
        verdict.problems.append("This ZIP unpacks to more than 2 GB; it is not a Gatehouse pack.")
        return verdict
    manifest = _manifest(archive, members, verdict)
    if manifest is None:
        return verdict
    listed = {entry["name"]: entry for entry in manifest.get("files", [])}
    for name, entry in listed.items():
        _check_file(archive, members, name, entry, verdict)
    for name in sorted(set(members) - set(listed) - {MANIFEST, SIGNATURE}):
        verdict.problems.append(f"{name} is not in the manifest: it was added after export.")
    verdict.export = PackExport.objects.filter(manifest_sha256=verdict.manifest_sha256).first()
    return verdict


def _manifest(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
              verdict: PackVerdict) -> dict[str, object] | None:
    if MANIFEST not in members or SIGNATURE not in members:
        verdict.problems.append(f"{MANIFEST} or its signature is missing: this is not a complete "
                                "Gatehouse evidence pack.")
        return None
    raw = archive.read(MANIFEST)
    verdict.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    signature = archive.read(SIGNATURE).decode("ascii", "replace").strip()
    if not hmac.compare_digest(signature, sign(raw)):
        verdict.problems.append(f"{MANIFEST} was altered: its signature does not match (or the "
                                "pack was made by another Gatehouse server).")
    try:
        manifest = json.loads(raw)
    except ValueError:
        verdict.problems.append(f"{MANIFEST} is damaged and cannot be read.")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        verdict.problems.append(f"{MANIFEST} is not a Gatehouse evidence pack manifest.")
        return None
    verdict.title = str(manifest.get("title", ""))
    return manifest


def _check_file(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str,
                entry: dict[str, object], verdict: PackVerdict) -> None:
    if name not in members:
        verdict.problems.append(f"{name} is missing from the pack.")
        return
    try:
        digest = hashlib.sha256(archive.read(name)).hexdigest()
    except (zipfile.BadZipFile, OSError, ValueError):
        verdict.problems.append(f"{name} is damaged and cannot be read.")
        return
    verdict.checked += 1
    if digest != entry.get("sha256"):
        verdict.problems.append(f"{name} was altered: its SHA-256 is {digest}, the manifest "
                                f"says {entry.get('sha256')}.")
