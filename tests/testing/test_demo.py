"""The quickstart, `python -m bitbucket_client.demo`: end to end on the fakes, no account, no network."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bitbucket_client import demo
from bitbucket_client.testing import FakeBitbucketCloud

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:9"  # any real connection attempt fails at once


def clean_environment() -> dict[str, str]:
    """The current environment without Bitbucket credentials, and with every proxy pointing nowhere:
    if the demo tried the network, it would fail."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BITBUCKET_")}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = UNREACHABLE
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("BITBUCKET_"):
            monkeypatch.delenv(key)


def test_the_quickstart_runs_end_to_end_as_a_newcomer_runs_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bitbucket_client.demo"],
        cwd=tmp_path,  # not the repository: the installed package is enough
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for expected in (
        "FakeBitbucketCloud (in memory; no account, no network)",
        "created repository demo-workspace/hello-bitbucket",
        'opened pull request #1 "Say hello"',
        "listing open pull requests (of 121): 10 20 30",
        "listed 121 open pull requests in 13 pages of 10",
        "survived an injected 429 on page 7",
        "approved #1 and merged it through async-merge polling",
        "202 Accepted",
        "PENDING → SUCCESS",
        "verified and parsed the pullrequest:fulfilled webhook",
        "merging with the stale version 0: 409 PullRequestOutOfDateException",
        "merged with the current version 1: state MERGED",
        "verified and parsed the pr:merged webhook",
        "All 13 steps passed",
    ):
        assert expected in out, f"{expected!r} missing from:\n{out}"
    assert "✗" not in out
    assert "Retrying" not in result.stderr  # the retry warning is in the report, not a stray log line


def test_only_the_data_center_flow(no_credentials: None) -> None:
    out = io.StringIO()
    assert demo.main(["--product", "server"], out=out) == 0
    assert "FakeBitbucketServer" in out.getvalue()
    assert "FakeBitbucketCloud" not in out.getvalue()


def test_plain_ascii_output_where_the_terminal_cannot_show_marks(no_credentials: None) -> None:
    buffer = io.BytesIO()
    out = io.TextIOWrapper(buffer, encoding="ascii")
    assert demo.main(["--product", "server"], out=out) == 0
    out.flush()
    text = buffer.getvalue().decode("ascii")
    assert "  OK merged with the current version 1" in text


def test_credentials_without_a_workspace_still_run_the_fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITBUCKET_TOKEN", "real-looking-token")
    out = io.StringIO()
    assert demo.main(["--product", "server"], out=out) == 0
    assert "add --workspace W" in out.getvalue()


def test_credentials_and_a_workspace_choose_the_read_only_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITBUCKET_TOKEN", "real-looking-token")
    called: list[tuple[str, int]] = []

    async def fake_real_flow(report: demo.Report, workspace: str, limit: int) -> None:
        called.append((workspace, limit))

    monkeypatch.setattr(demo, "real_cloud_flow", fake_real_flow)
    assert demo.main(["--workspace", "acme", "--limit", "7"], out=io.StringIO()) == 0
    assert called == [("acme", 7)]
    called.clear()
    assert demo.main(["--workspace", "acme", "--offline", "--product", "server"], out=io.StringIO()) == 0
    assert called == []


async def test_the_read_only_flow_only_reads() -> None:
    fake = FakeBitbucketCloud(page_size=3)
    for number in range(8):
        fake.add_repository("acme", f"service-{number}")
    fake.add_pull_request("acme", "service-7", title="Newest repo's change")
    out = io.StringIO()
    await demo.real_cloud_flow(demo.Report(out), "acme", 5, client=fake.client())
    text = out.getvalue()
    assert "5 repositories, most recently updated first" in text
    assert "#1 Newest repo's change" in text
    assert {r.method for r in fake.requests} == {"GET"}


def test_a_failure_on_a_real_account_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeBitbucketCloud(tokens={"the-right-one"})
    real_flow = demo.real_cloud_flow

    async def flow(report: demo.Report, workspace: str, limit: int) -> None:
        await real_flow(report, workspace, limit, client=fake.client("wrong"))

    monkeypatch.setenv("BITBUCKET_TOKEN", "wrong")
    monkeypatch.setattr(demo, "real_cloud_flow", flow)
    out = io.StringIO()
    assert demo.main(["--workspace", "acme"], out=out) == 1
    assert "AuthenticationError" in out.getvalue()
    assert "Check the credentials" in out.getvalue()


def test_progress_rewrites_one_line_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    progress = demo.Progress(demo.Report(out), "listing")
    progress.update(10, 30)
    progress.update(20, 30)
    progress.finish()
    assert out.getvalue() == "\r  … listing: 10/30\r  … listing: 20/30\r\x1b[K"
