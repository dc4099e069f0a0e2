"""Backups that restore: the database, every file under MEDIA_ROOT (photo originals, evidence)
and a manifest of SHA-256 hashes, in one tar file an IT provider can copy off the server.

PostgreSQL is dumped with pg_dump (custom format) and restored with pg_restore; SQLite is copied
with its online backup API, so a backup can be taken while Gatehouse is serving."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump and pg_restore, with fixed arguments)
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
_DUMPS = {"sqlite": "database/gatehouse.sqlite3", "postgresql": "database/gatehouse.pgdump"}


class BackupError(Exception):
    """A backup that cannot be taken or restored, said in words an IT provider can act on."""


@dataclass(frozen=True)
class RestoreReport:
    files: int
    media_files: int
    intact_records: int


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in _DUMPS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _pg_args_and_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"], "--host", db.get("HOST") or "127.0.0.1",
            "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    # The password goes in the environment, never on the command line (visible in ps).
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _dump_database(target: Path) -> None:
    if _vendor() == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return
    args, env = _pg_args_and_env()
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file",
          str(target), *args], env)


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def create_backup(destination: Path) -> dict[str, Any]:
    """Write the backup to `destination` (written beside it first, then renamed, so a
    half-written file never looks like a backup). Returns the manifest."""
    vendor = _vendor()
    partial = destination.with_name(destination.name + ".partial")
    manifest: dict[str, Any] = {"format": FORMAT, "created": timezone.now().isoformat(),
                                "database": vendor, "files": {}}
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(partial, "w") as tar:
        dump = Path(tmp) / "dump"
        _dump_database(dump)
        entries = [(dump, _DUMPS[vendor])]
        root = Path(settings.MEDIA_ROOT)
        entries += [(p, f"media/{p.relative_to(root).as_posix()}") for p in _media_files()]
        for path, name in entries:
            manifest["files"][name] = _sha256_of(path)
            tar.add(path, arcname=name, recursive=False)
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    partial.replace(destination)
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts
            and path.parts[:1] in {("database",), ("media",)})


def _unpack_and_verify(archive: Path, into: Path) -> dict[str, Any]:
    """Extract the backup and prove every file matches the manifest; name any that does not."""
    try:
        with tarfile.open(archive, "r") as tar:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
            members = [m for m in tar.getmembers() if m.name != MANIFEST]
            for member in members:
                if not (member.isfile() and _safe_name(member.name)):
                    raise BackupError(f"Unexpected entry in the backup: {member.name}")
            tar.extractall(into, members=members, filter="data")
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable Gatehouse backup ({exc}).") from exc
    expected: dict[str, str] = manifest.get("files", {})
    found = {m.name for m in members}
    for name in sorted(set(expected) | found):
        if name not in found:
            raise BackupError(f"{name} is listed in the manifest but missing from the backup.")
        if name not in expected:
            raise BackupError(f"{name} is in the backup but not in its manifest.")
        if _sha256_of(into / name) != expected[name]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: "
                              "the backup was altered or damaged.")
    return manifest


def _check_empty_targets() -> None:
    if connection.introspection.table_names():
        raise BackupError("The database is not empty. Restore into a new, empty database "
                          "(create it, point DATABASE_URL at it, and restore before migrate).")
    if _media_files():
        raise BackupError(f"MEDIA_ROOT ({settings.MEDIA_ROOT}) already holds files. "
                          "Restore into an empty folder.")


def _load_database(manifest: dict[str, Any], unpacked: Path) -> None:
    vendor = _vendor()
    if manifest.get("database") != vendor:
        raise BackupError(f"This is a {manifest.get('database')} backup; the configured "
                          f"database is {vendor}. Restore it into the same kind of database.")
    dump = unpacked / _DUMPS[vendor]
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        return
    args, env = _pg_args_and_env()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
          str(dump)], env)


def _copy_media(unpacked: Path) -> int:
    source = unpacked / "media"
    if not source.exists():
        return 0
    shutil.copytree(source, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return sum(1 for p in source.rglob("*") if p.is_file())


def count_intact_records() -> int:
    """Every stored record that can prove itself (a model with `is_intact()`: the evidence
    store, which holds hidden originals too) is checked; the first that fails is named."""
    checked = 0
    for model in apps.get_models():
        if not callable(getattr(model, "is_intact", None)):
            continue
        for record in model._default_manager.iterator():
            if not record.is_intact():
                raise BackupError(f"{model._meta.label} #{record.pk} fails its SHA-256 check.")
            checked += 1
    return checked


def restore_backup(archive: Path) -> RestoreReport:
    """Restore into an empty database and an empty MEDIA_ROOT; nothing is written unless
    every file in the backup matches its manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        unpacked = Path(tmp)
        manifest = _unpack_and_verify(archive, unpacked)
        _check_empty_targets()
        _load_database(manifest, unpacked)
        media = _copy_media(unpacked)
    connection.close()  # later queries see the restored tables, not a cached connection's view
    return RestoreReport(files=len(manifest["files"]), media_files=media,
                         intact_records=count_intact_records())
