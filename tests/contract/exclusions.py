"""The operations Prism cannot exercise, each with its reason: the one place the suite lists them.

An excluded operation is still called: its request must still pass Prism's validation, and Prism must
still fail the way the entry says (`status`). When Prism starts answering it, the test fails so that the
entry is removed.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Exclusion:
    reason: str
    status: int  # what Prism answers instead of a documented success
    detail: str  # in Prism's problem report


def _no_serializer(media_type: str) -> Exclusion:
    return Exclusion(
        reason=(
            f"Prism has no serializer for a binary answer ({media_type}): after validating the request "
            "it answers 500 'Cannot find serializer' instead of a sampled body"
        ),
        status=500,
        detail="Cannot find serializer",
    )


def _no_route(example: str) -> Exclusion:
    return Exclusion(
        reason=(
            f"Prism matches a path parameter within one segment, so it cannot route a file path that keeps "
            f"its slashes ({example}); the request is checked up to its routing"
        ),
        status=404,
        detail="Route not resolved",
    )


EXCLUDED: dict[tuple[str, str], Exclusion] = {
    ("cloud", "source.list_directory"): _no_route(
        "a folder is `src/{commit}/{path}/`, with a trailing slash"
    ),
    ("server", "commits.compare_diff"): _no_route("`compare/diff{path}` is sent as `compare/diff/path1`"),
    ("server", "commits.compare_diff_stats_summary"): _no_route(
        "`compare/diff-stats-summary{path}` is sent as `compare/diff-stats-summary/path1`"
    ),
    ("server", "admin.get_mesh_support_zip"): _no_serializer("application/octet-stream"),
    ("server", "admin.get_mesh_support_zips"): _no_serializer("application/octet-stream"),
    ("server", "hook_scripts.get_content"): _no_serializer("application/octet-stream"),
    ("server", "projects.get_avatar"): _no_serializer("image/png"),
    ("server", "source.get_archive"): _no_serializer("application/octet-stream"),
}
