"""See the client work in a few seconds: ``python -m bitbucket_client.demo``.

With no credentials in the environment it runs against the in-memory fakes of
:mod:`bitbucket_client.testing` (no account, no network): it creates a repository, opens a pull
request, lists 121 pull requests page by page, survives an injected 429, merges through Cloud's
asynchronous merge (202, then polling the task), and verifies and parses the webhook the merge sent.
A short Data Center flow follows (a stale ``version`` gets 409, the current one merges).

With ``BITBUCKET_TOKEN`` (or ``BITBUCKET_EMAIL`` + ``BITBUCKET_API_TOKEN``) and ``--workspace W``, it
makes read-only calls to Bitbucket Cloud instead: who you are, your repositories, their open pull
requests. It never writes to a real account. ``--offline`` forces the fakes.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from typing import TextIO

import anyio

from . import UNSET, BitbucketCloud, BitbucketError, ConflictError
from ._auth import auth_from_env
from .testing import FakeBitbucketCloud, FakeBitbucketServer
from .webhooks import cloud as cloud_events
from .webhooks import server as server_events
from .webhooks import unwrap

__all__ = ["main"]

REPO = "hello-bitbucket"
BRANCH = "feature/greeting"
SECRET = "demo-webhook-secret"
SEEDED_PULL_REQUESTS = 120
PAGE_SIZE = 10
RATE_LIMITED_PAGE = 7


# ---- output -----------------------------------------------------------------------------------------


class Report:
    """Prints the demo's steps: one line each, with a mark and how long it took."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        fancy = _can_print(out, "✓✗…→↻")
        self.ok, self.failed, self.more = ("✓", "✗", "…") if fancy else ("OK", "FAIL", "...")
        self.arrow, self.retry = ("→", "↻") if fancy else ("->", "retry:")
        self.steps = 0

    def section(self, title: str) -> None:
        print(f"\n{title}", file=self.out, flush=True)

    def done(self, text: str, started: float | None) -> None:
        """A step that succeeded; with `started`, how long it took."""
        self.steps += 1
        took = "" if started is None else _duration(time.perf_counter() - started)
        print(f"  {self.ok} {text:<68} {took:>7}".rstrip(), file=self.out, flush=True)

    def note(self, text: str) -> None:
        print(f"      {text}", file=self.out, flush=True)

    def fail(self, text: str) -> None:
        print(f"  {self.failed} {text}", file=self.out, flush=True)


class Progress:
    """A one-line counter for a long listing: rewritten in place on a terminal, appended to in a log."""

    def __init__(self, report: Report, label: str) -> None:
        self.report = report
        self.label = label
        self.tty = report.out.isatty()
        self.started = False

    def update(self, done: int, total: int | None) -> None:
        out, more = self.report.out, self.report.more
        if self.tty:
            out.write(f"\r  {more} {self.label}: {done}" + (f"/{total}" if total else ""))
        else:
            if not self.started:
                out.write(f"  {more} {self.label}" + (f" (of {total})" if total else "") + ":")
            out.write(f" {done}")
        self.started = True
        out.flush()

    def finish(self) -> None:
        if self.started:
            self.report.out.write("\r\033[K" if self.tty else "\n")
            self.report.out.flush()


class RetryLog(logging.Handler):
    """Collects the client's "Retrying ..." warnings, to show them in the report instead of on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # "Retrying GET https://host/2.0/.../pullrequests in 1.0s ...": keep the path's last part only.
        self.messages.append(re.sub(r"https?://\S+/", ".../", record.getMessage()))


# ---- the flows on the fakes -------------------------------------------------------------------------


async def cloud_flow(report: Report, workspace: str, retries: RetryLog) -> None:
    from .cloud.models import PullRequestBranchInput, PullrequestEndpointInput

    deliveries: list[tuple[dict[str, str], bytes]] = []
    fake = FakeBitbucketCloud(
        async_merge=True,
        page_size=PAGE_SIZE,
        webhook_callback=lambda headers, body: deliveries.append((headers, body)),
        webhook_secret=SECRET,
    )
    fake.add_workspace(workspace, "Demo workspace")
    report.section("Bitbucket Cloud: FakeBitbucketCloud (in memory; no account, no network)")
    async with BitbucketCloud("demo-token", transport=fake) as bb:
        started = time.perf_counter()
        me = await bb.users.get_current()
        report.done(f"authenticated as {me.display_name} (the fake accepts any token)", started)

        started = time.perf_counter()
        repo = await bb.repositories.create(workspace, REPO, name="Hello Bitbucket", is_private=True)
        report.done(f"created repository {repo.full_name}", started)

        started = time.perf_counter()
        # The Cloud document gives "create a branch" no request body: `request()` sends one anyway.
        await bb.request(
            "POST",
            f"repositories/{workspace}/{REPO}/refs/branches",
            json={"name": BRANCH, "target": {"hash": "main"}},
        )
        commit = fake.add_commit(workspace, REPO, BRANCH, "Say hello")  # what a `git push` would do
        report.done(f"created branch {BRANCH}, pushed commit {commit.hash[:7]} (simulated)", started)

        started = time.perf_counter()
        pr = await bb.pullrequests.create(
            workspace,
            REPO,
            title="Say hello",
            source=PullrequestEndpointInput(branch=PullRequestBranchInput(name=BRANCH)),
            close_source_branch=True,
        )
        if pr.id is UNSET:
            raise RuntimeError("the new pull request has no id")
        pr_id = pr.id  # response models are lenient: `is UNSET` narrows `int | Unset` to `int`
        report.done(f'opened pull request #{pr_id} "{pr.title}" ({BRANCH} {report.arrow} main)', started)

        for number in range(SEEDED_PULL_REQUESTS):
            author = ("alice", "bob", "carol")[number % 3]
            fake.add_pull_request(workspace, REPO, title=f"Routine change {number + 1}", author=author)
        report.note(f"(seeded {SEEDED_PULL_REQUESTS} more open pull requests from teammates)")

        started = time.perf_counter()
        progress = Progress(report, "listing open pull requests")
        count = pages = 0
        async for page in bb.pullrequests.list(workspace, REPO, page_size=PAGE_SIZE).pages():
            pages += 1
            count += len(page.items)
            size = page.raw.get("size")
            progress.update(count, size if isinstance(size, int) else None)
            if pages == RATE_LIMITED_PAGE - 1:
                # Bitbucket will refuse the next page once: 429 Too Many Requests, Retry-After: 1.
                fake.faults.rate_limit(times=1, retry_after=1, operation="pullrequests.list")
        progress.finish()
        report.done(f"listed {count} open pull requests in {pages} pages of {PAGE_SIZE}", started)
        limited = [r for r in fake.requests if r.status == 429]
        if not limited or not retries.messages:
            raise RuntimeError("the injected 429 was not seen: the demo is broken")
        page_number = limited[0].params.get("page", "1")
        report.done(f"survived an injected 429 on page {page_number} (waited as Retry-After said)", None)
        report.note(f"client log {report.retry} {retries.messages[-1]}")

        started = time.perf_counter()
        await bb.pullrequests.approve(workspace, REPO, pr_id)
        task = await bb.pullrequests.merge(workspace, REPO, pr_id, merge_strategy="squash", wait=False)
        answered = "202 Accepted" if not task.done else "200 OK"
        merged = await task.wait(first_delay=0.2)
        polls = len(fake.requests_for("pullrequests.get_merge_task_status"))
        merge_commit = str(merged.merge_commit.hash_)[:7] if merged.merge_commit else "?"
        report.done(f"approved #{merged.id} and merged it through async-merge polling", started)
        arrow = report.arrow
        report.note(
            f"{answered} {arrow} {polls} polls of the task: PENDING {arrow} SUCCESS; "
            f"{merged.state}, squashed into {merge_commit}"
        )

        started = time.perf_counter()
        headers, body = next((h, b) for h, b in deliveries if h["X-Event-Key"] == "pullrequest:fulfilled")
        event = unwrap(headers, body, SECRET)  # checks X-Hub-Signature, then parses
        if not isinstance(event, cloud_events.PullRequestEvent) or not event.delivery.verified:
            raise RuntimeError(f"unexpected webhook event: {event!r}")
        state = event.pullrequest.state if event.pullrequest else "?"
        report.done(f"verified and parsed the {event.event_key} webhook", started)
        report.note(f"signature OK; {type(event).__name__}: pull request #{pr_id} {state}")
        keys = ", ".join(dict.fromkeys(h["X-Event-Key"] for h, _ in deliveries))
        report.note(f"{len(deliveries)} signed webhooks in all: {keys}")


async def server_flow(report: Report) -> None:
    from .server.models import (
        RestApplicationUserInput,
        RestPullRequestParticipantInput,
        RestPullRequestRefInput,
    )

    deliveries: list[tuple[dict[str, str], bytes]] = []
    fake = FakeBitbucketServer(
        tokens={"demo-token": "fake-user", "alice-token": "alice"},
        webhook_callback=lambda headers, body: deliveries.append((headers, body)),
        webhook_secret=SECRET,
    )
    fake.add_project("DEMO", "Demo project")
    fake.state.user("alice", "Alice Reviewer")
    report.section("Bitbucket Data Center: FakeBitbucketServer (optimistic locking with `version`)")
    async with fake.client("demo-token") as bb, fake.client("alice-token") as alice:
        started = time.perf_counter()
        repo = await bb.repositories.create("DEMO", name=REPO)
        slug = str(repo.slug)
        await bb.refs.create_branch("DEMO", slug, name=BRANCH, start_point="main")
        fake.add_commit("DEMO", slug, BRANCH, "Say hello")
        pr = await bb.pullrequests.create(
            "DEMO",
            slug,
            title="Say hello",
            from_ref=RestPullRequestRefInput(id=f"refs/heads/{BRANCH}"),
            to_ref=RestPullRequestRefInput(id="refs/heads/main"),
            reviewers=[RestPullRequestParticipantInput(user=RestApplicationUserInput(name="alice"))],
        )
        if pr.id is UNSET:
            raise RuntimeError("the new pull request has no id")
        pr_id = pr.id
        report.done(f"created DEMO/{slug}, opened pull request #{pr_id} (version {pr.version})", started)

        started = time.perf_counter()
        await alice.pullrequests.set_participant_status("DEMO", slug, pr_id, "alice", status="APPROVED")
        edited = await bb.pullrequests.update(
            "DEMO", slug, pr_id, version=pr.version, title="Say hello to everyone"
        )
        report.done(f"alice approved it; its title was edited (now version {edited.version})", started)

        started = time.perf_counter()
        try:
            await bb.pullrequests.merge("DEMO", slug, pr_id, version=pr.version)
        except ConflictError as error:
            exception = str(error.errors[0].get("exceptionName", "")).rsplit(".", 1)[-1]
            report.done(f"merging with the stale version {pr.version}: 409 {exception}", started)
        else:
            raise RuntimeError("a merge with a stale version succeeded: the demo is broken")

        started = time.perf_counter()
        current = await bb.pullrequests.get("DEMO", slug, pr_id)
        merged = await bb.pullrequests.merge("DEMO", slug, pr_id, version=current.version)
        report.done(f"merged with the current version {current.version}: state {merged.state}", started)

        started = time.perf_counter()
        headers, body = next((h, b) for h, b in deliveries if h["X-Event-Key"] == "pr:merged")
        event = unwrap(headers, body, SECRET)
        if not isinstance(event, server_events.PullRequestEvent) or not event.delivery.verified:
            raise RuntimeError(f"unexpected webhook event: {event!r}")
        report.done(f"verified and parsed the {event.event_key} webhook: {type(event).__name__}", started)


# ---- read-only calls to a real account --------------------------------------------------------------


async def real_cloud_flow(
    report: Report, workspace: str, limit: int, client: BitbucketCloud | None = None
) -> None:
    """Read-only calls (GET only) to a real workspace; `client` defaults to one configured from the
    environment's credentials."""
    report.section(f"Bitbucket Cloud: your workspace {workspace} (read-only calls)")
    async with client or BitbucketCloud() as bb:
        started = time.perf_counter()
        me = await bb.users.get_current()
        report.done(f"authenticated as {me.display_name}", started)

        started = time.perf_counter()
        found = await bb.workspaces.get(workspace)
        report.done(f"workspace {found.slug}: {found.name}", started)

        started = time.perf_counter()
        progress = Progress(report, "listing repositories")
        repos = []
        async for page in bb.repositories.list(workspace, sort="-updated_on", max_items=limit).pages():
            repos.extend(page.items)
            size = page.raw.get("size")
            progress.update(len(repos), min(size, limit) if isinstance(size, int) else None)
        progress.finish()
        report.done(f"{len(repos)} repositories, most recently updated first", started)
        for repo in repos[:5]:
            report.note(f"{repo.full_name}")

        for repo in repos[:3]:
            started = time.perf_counter()
            slug = str(repo.full_name).split("/", 1)[-1]
            prs = [pr async for pr in bb.pullrequests.list(workspace, slug, max_items=5)]
            report.done(f"{repo.full_name}: {len(prs)} recent open pull request(s)", started)
            for pr in prs:
                report.note(f"#{pr.id} {pr.title}")


# ---- entry point ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bitbucket_client.demo",
        description="Watch the client work: on in-memory fakes by default, or read-only on your workspace.",
    )
    parser.add_argument("--workspace", help="your Cloud workspace (with credentials: read-only calls to it)")
    parser.add_argument(
        "--product",
        choices=("cloud", "server", "both"),
        default="both",
        help="which fake to run (default: both)",
    )
    parser.add_argument("--offline", action="store_true", help="use the fakes even if credentials are set")
    parser.add_argument("--limit", type=int, default=50, help="repositories to list on a real account")
    args = parser.parse_args(argv)
    report = Report(out or sys.stdout)

    real = not args.offline and auth_from_env("cloud", os.environ) is not None
    if real and not args.workspace:
        report.note("Bitbucket credentials are set: add --workspace W for read-only calls to your workspace.")
        real = False
    started = time.perf_counter()
    try:
        if real:
            # On a real account, the client's warnings (retries, odd pages) go to stderr as usual.
            anyio.run(real_cloud_flow, report, args.workspace, args.limit)
        else:
            _run_fakes(report, args.product, args.workspace or "demo-workspace")
    except BitbucketError as error:
        report.fail(f"{type(error).__name__}: {error}")
        if real:
            report.note("Check the credentials (BITBUCKET_TOKEN, or BITBUCKET_EMAIL + BITBUCKET_API_TOKEN).")
        return 1
    elapsed = _duration(time.perf_counter() - started)
    print(f"\nAll {report.steps} steps passed in {elapsed}.", file=report.out)
    if not real:
        print(
            "Next: docs/testing.md tests your own code against these fakes; with BITBUCKET_TOKEN set,\n"
            "`python -m bitbucket_client.demo --workspace <yours>` makes read-only calls to your workspace.",
            file=report.out,
        )
    return 0


def _run_fakes(report: Report, product: str, workspace: str) -> None:
    # The retry after the injected 429 is logged as a warning: show it in the report, not on stderr.
    retries = RetryLog()
    logger = logging.getLogger("bitbucket_client")
    logger.addHandler(retries)
    saved_propagate, logger.propagate = logger.propagate, False
    try:
        if product in ("cloud", "both"):
            anyio.run(cloud_flow, report, workspace, retries)
        if product in ("server", "both"):
            anyio.run(server_flow, report)
    finally:
        logger.removeHandler(retries)
        logger.propagate = saved_propagate
    for message in retries.messages[1:]:  # anything beyond the one retry the demo provokes
        report.note(f"client log: {message}")


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _can_print(out: TextIO, text: str) -> bool:
    encoding = getattr(out, "encoding", None)
    if encoding is None:  # an in-memory text buffer holds any text
        return True
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
