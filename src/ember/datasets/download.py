"""Downloading a dataset file: the first mirror that serves bytes with the expected SHA-256
wins; the file appears under its final name only once complete and verified, and nothing
else is left behind (a failed or interrupted download removes its partial file)."""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

__all__ = ["download_file", "sha256_of"]

_CHUNK = 1 << 16


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, part: str, timeout: float) -> str:
    """Stream ``url`` into the new file ``part``; return the SHA-256 of what arrived."""
    digest = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": "ember"})
    received = 0
    with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "xb") as out:
        declared = response.headers.get("Content-Length")
        while chunk := response.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            received += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    # http.client ends a short body quietly; a connection cut mid-file must not pass.
    if declared is not None and received != int(declared):
        raise OSError(f"incomplete transfer ({received} of {declared} bytes)")
    return digest.hexdigest()


def download_file(
    urls: Sequence[str], path: str | os.PathLike, sha256: str, *, timeout: float = 60.0
) -> None:
    """Fetch ``path`` from the first of ``urls`` that serves it with SHA-256 ``sha256``.

    Each attempt writes a hidden ``.part`` file beside ``path`` and renames it over ``path``
    only after the checksum matched (an atomic rename on one filesystem). Raises RuntimeError,
    listing every mirror's failure, when none succeeds; ``path`` is then left as it was."""
    path = os.fspath(path)
    directory, name = os.path.split(path)
    errors = []
    for url in urls:
        part = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.part")
        print(f"Downloading {url} to {path}", file=sys.stderr)
        try:
            got = _fetch(url, part, timeout)
            if got != sha256:
                errors.append(f"{url}: SHA-256 mismatch (expected {sha256}, got {got})")
                continue
            os.replace(part, path)
            return
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            errors.append(f"{url}: {exc}")
        finally:
            if os.path.exists(part):
                os.remove(part)
    raise RuntimeError(f"could not download {name}:\n  " + "\n  ".join(errors))
