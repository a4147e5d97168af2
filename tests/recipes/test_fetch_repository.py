"""examples/fetch_repository.py against the fakes: the folder holds exactly what was committed at the
ref, on both products, and --git clones with the credential but leaves none behind."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import fetch_repository
import pytest


def on_disk(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("product", "owner", "ref"), [("cloud", "acme", "v1.0"), ("server", "PRJ", "refs/tags/v1.0")]
)
async def test_the_folder_holds_the_files_at_the_tag(
    product: Any, owner: str, ref: str, tmp_path: Path
) -> None:
    fake = fetch_repository.seeded_fake(product, owner, "shop")
    async with fake.client() as bb:
        fetched = await fetch_repository.fetch(bb, owner, "shop", ref, tmp_path)
    assert on_disk(tmp_path) == fake.files(owner, "shop", "v1.0")
    assert on_disk(tmp_path)["flows/config/prod.yaml"] == b"workers: 4\n"  # not main's 8
    assert len(fetched.files) == 3


def test_main_runs_against_the_fake_and_shows_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch_repository.main(["--fake", "cloud", "acme", "shop", "main", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("3 files, 52 bytes at ")
    assert "    3 files" in err and "\r" in err
    assert (tmp_path / "flows/config/prod.yaml").read_text() == "workers: 8\n"


def test_git_clone_uses_the_credential_and_leaves_none_behind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands: list[list[str]] = []

    environments: list[dict[str, str]] = []

    def run(command: list[str], check: bool, env: dict[str, str] | None = None) -> Any:
        commands.append(command)
        environments.append(env or {})
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setenv("BITBUCKET_SERVER_URL", "https://git.example.com")
    monkeypatch.setenv("BITBUCKET_SERVER_USERNAME", "ci")
    monkeypatch.setenv("BITBUCKET_SERVER_TOKEN", "tok-123456")
    assert fetch_repository.main(["--git", "server", "PRJ", "shop", "v1.0", "out"]) == 0
    clone, set_url = commands
    assert clone[-2:] == ["https://ci:tok-123456@git.example.com/scm/prj/shop.git", "out"]
    assert set_url == [
        "git",
        "-C",
        "out",
        "remote",
        "set-url",
        "origin",
        "https://git.example.com/scm/prj/shop.git",
    ]
    assert "tok-123456" not in capsys.readouterr().err
    assert "GIT_CONFIG_VALUE_0" not in environments[0]


def test_git_clone_with_a_project_token_sends_it_as_a_header(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(command: list[str], check: bool, env: dict[str, str] | None = None) -> Any:
        calls.append((command, env or {}))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setenv("BITBUCKET_SERVER_URL", "https://git.example.com")
    monkeypatch.delenv("BITBUCKET_SERVER_USERNAME", raising=False)
    monkeypatch.setenv("BITBUCKET_SERVER_TOKEN", "project-token-1")
    assert fetch_repository.main(["--git", "server", "PRJ", "shop", "v1.0", "out"]) == 0
    [(command, env)] = calls  # nothing to clean from the remote
    assert command[-2:] == ["https://git.example.com/scm/prj/shop.git", "out"]
    assert env["GIT_CONFIG_KEY_0"] == "http.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"] == "Authorization: Bearer project-token-1"
    assert "project-token-1" not in capsys.readouterr().err
