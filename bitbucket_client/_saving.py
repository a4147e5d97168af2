"""Streaming an answer's body into a file (`save_to=`), without holding it in memory.

The body goes to a temporary file beside the destination, which replaces the destination only once the
whole body has arrived: a failed or cancelled download leaves no half-written file, and an existing file
of that name stays as it was until then.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import anyio
import httpx

__all__ = ["check_destination", "save_body"]


def check_destination(destination: str | os.PathLike[str]) -> Path:
    """`destination` as a path a file can be written to: not a folder, in a folder that exists."""
    path = Path(destination)
    if path.is_dir():
        raise IsADirectoryError(f"save_to={str(destination)!r} is a folder: give the path of a file")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"save_to={str(destination)!r}: the folder {str(path.parent)!r} does not exist"
        )
    return path


async def save_body(response: httpx.Response, destination: str | os.PathLike[str]) -> Path:
    """Write the (streamed, unread) body of `response` to `destination`; returns its path."""
    path = check_destination(destination)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        async with await anyio.open_file(temporary, "wb") as out:
            async for chunk in response.aiter_bytes():
                await out.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path
