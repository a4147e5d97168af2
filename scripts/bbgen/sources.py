"""Find the upstream documents and check them against `specs/lock.json`.

The documents are inputs, never committed. They are found, in order: `--spec PATH`, then
`$BITBUCKET_SPECS_DIR/<file>`, then `../shared/specs/<file>` beside the repository, then a download
from the official URL recorded in the lock.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[2]
LOCK_PATH = ROOT / "specs" / "lock.json"


class SpecError(Exception):
    pass


@attrs.frozen
class Locked:
    product: str
    file: str
    url: str
    version: str
    sha256: str


def read_lock() -> dict[str, Locked]:
    data: dict[str, dict[str, str]] = json.loads(LOCK_PATH.read_text())
    return {product: Locked(product=product, **entry) for product, entry in data.items()}


def write_lock(locks: dict[str, Locked]) -> None:
    data = {
        product: {"file": lock.file, "url": lock.url, "version": lock.version, "sha256": lock.sha256}
        for product, lock in sorted(locks.items())
    }
    LOCK_PATH.write_text(json.dumps(data, indent=2) + "\n")


def shared_specs_dir() -> Path:
    return ROOT.parent / "shared" / "specs"


def candidate_paths(lock: Locked, explicit: Path | None) -> list[tuple[str, Path]]:
    out = []
    if explicit is not None:
        out.append(("--spec", explicit))
    env_dir = os.environ.get("BITBUCKET_SPECS_DIR")
    if env_dir:
        out.append(("$BITBUCKET_SPECS_DIR", Path(env_dir) / lock.file))
    out.append(("../shared/specs", shared_specs_dir() / lock.file))
    return out


def load_document(
    lock: Locked, explicit: Path | None = None, *, accept_new: bool = False, allow_download: bool = True
) -> tuple[dict[str, Any], str, str]:
    """Returns (document, sha256, where it came from). Refuses a document that differs from the
    lock unless `accept_new`, in which case the caller records the new hash."""
    raw: bytes | None = None
    origin = ""
    for label, path in candidate_paths(lock, explicit):
        if path.is_file():
            raw, origin = path.read_bytes(), f"{label} ({path})"
            break
        if label == "--spec":
            raise SpecError(f"--spec {path}: no such file")
    if raw is None:
        if not allow_download:
            raise SpecError(f"{lock.file} not found in $BITBUCKET_SPECS_DIR or ../shared/specs")
        raw, origin = _download(lock.url), lock.url
    digest = hashlib.sha256(raw).hexdigest()
    if digest != lock.sha256 and not accept_new:
        raise SpecError(
            f"the {lock.product} document from {origin} has sha256 {digest}, but specs/lock.json records "
            f"{lock.sha256}. Review the upstream change, then rerun with --accept-new-spec to adopt it."
        )
    try:
        document: dict[str, Any] = json.loads(raw)
    except ValueError as exc:
        raise SpecError(f"the {lock.product} document from {origin} is not JSON: {exc}") from None
    return document, digest, origin


def _download(url: str) -> bytes:
    import httpx

    response = httpx.get(url, follow_redirects=True, timeout=60)
    response.raise_for_status()
    return response.content
