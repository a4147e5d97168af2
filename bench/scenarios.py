"""The five benchmark scenarios of `bench/run.py`.

Each scenario measures every contender in rounds: one round runs each contender once, in an order
that rotates from round to round, so that all figures of a scenario (and the ratios between them) come
from the same invocation, interleaved. A figure is the median over the rounds.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import data
from harness import BENCH_DIR, PEAK_RSS_CODE, TOKEN, bench_server, median, run_fresh

# ---- results --------------------------------------------------------------------------------------


@dataclass
class Figure:
    scenario: int
    style: str  # "Cloud", "Data Center", or "" when it does not apply
    contender: str
    unit: str
    samples: list[float]
    cpu_samples: list[float] = field(default_factory=list)  # client CPU, same unit, if measured
    rss_samples: list[float] = field(default_factory=list)  # MiB, fresh-process scenarios
    note: str = ""

    @property
    def value(self) -> float:
        return median(self.samples)

    @property
    def cpu(self) -> float | None:
        return median(self.cpu_samples) if self.cpu_samples else None

    @property
    def rss(self) -> float | None:
        return median(self.rss_samples) if self.rss_samples else None


@dataclass
class Ratio:
    scenario: int
    style: str
    text: str  # "bitbucket_client / raw httpx"
    value: float
    goal: str = ""  # "<= 1.50", or "" for a reported ratio without a goal
    ok: bool | None = None


@dataclass
class Result:
    scenario: int
    title: str
    setup: str
    figures: list[Figure] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)

    def figure(self, style: str, contender: str) -> Figure:
        for figure in self.figures:
            if figure.style == style and figure.contender == contender:
                return figure
        raise KeyError((style, contender))

    def ratio(
        self,
        style: str,
        numerator: str,
        denominator: str,
        *,
        text: str | None = None,
        at_most: float | None = None,
        at_least: float | None = None,
        invert: bool = False,
    ) -> Ratio:
        """numerator / denominator of two figures' medians (denominator / numerator with invert)."""
        a, b = self.figure(style, numerator).value, self.figure(style, denominator).value
        value = b / a if invert else a / b
        goal, ok = "", None
        if at_most is not None:
            goal, ok = f"<= {at_most:g}", value <= at_most
        elif at_least is not None:
            goal, ok = f">= {at_least:g}", value >= at_least
        label = text or (f"{denominator} / {numerator}" if invert else f"{numerator} / {denominator}")
        ratio = Ratio(self.scenario, style, label, value, goal, ok)
        self.ratios.append(ratio)
        return ratio


@dataclass
class Config:
    runs: int = 5
    quick: bool = False
    requests: int = 2000  # scenario 2
    decode_pages: int = 100  # scenario 3
    list_items: int = 5000  # scenario 4
    latency_ms: float = 50.0
    memory_items: int = 100_000  # scenario 5
    memory_page_size: int = 100
    memory_styles: tuple[str, ...] = ("cloud",)  # Cloud items are the larger ones: the worst case
    prefetch: int = 8

    @classmethod
    def quick_config(cls) -> Config:
        return cls(runs=3, quick=True, requests=300, decode_pages=20, list_items=500, memory_items=10_000)


def _rotations(items: list[Any], runs: int) -> list[list[Any]]:
    return [items[r % len(items) :] + items[: r % len(items)] for r in range(runs)]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- 1. cold start ------------------------------------------------------------------------------


def _cold_start_code(port: int) -> dict[tuple[str, str], str]:
    base = f"http://127.0.0.1:{port}"
    dc_url = f"{base}/rest/api/latest/projects/PROJ/repos/repo/pull-requests/7"
    cloud_url = f"{base}/2.0/repositories/ws/repo/pullrequests/7"
    raw = (
        "import asyncio, json, httpx\n"
        "async def main():\n"
        "    async with httpx.AsyncClient() as client:\n"
        "        response = await client.get(URL, headers={'Authorization': 'Bearer TOKEN'})\n"
        "        response.raise_for_status()\n"
        "        assert json.loads(response.content)['id'] == 7\n"
        "asyncio.run(main())\n"
    )
    return {
        ("Data Center", "raw httpx + json.loads"): raw.replace("URL", repr(dc_url)).replace("TOKEN", TOKEN),
        ("Data Center", "bitbucket_client"): (
            "import asyncio\n"
            "from bitbucket_client import BitbucketServer\n"
            "async def main():\n"
            f"    async with BitbucketServer({base!r}, {TOKEN!r}) as bb:\n"
            "        assert (await bb.pullrequests.get('PROJ', 'repo', 7)).id == 7\n"
            "asyncio.run(main())\n"
        ),
        ("Data Center", "atlassian-python-api"): (
            "from atlassian import Bitbucket\n"
            f"assert Bitbucket({base!r}, token={TOKEN!r}).get_pull_request('PROJ', 'repo', 7)['id'] == 7\n"
        ),
        ("Cloud", "raw httpx + json.loads"): raw.replace("URL", repr(cloud_url)).replace("TOKEN", TOKEN),
        ("Cloud", "bitbucket_client"): (
            "import asyncio\n"
            "from bitbucket_client import BitbucketCloud\n"
            "async def main():\n"
            f"    async with BitbucketCloud({TOKEN!r}, base_url={base + '/2.0'!r}) as bb:\n"
            "        assert (await bb.pullrequests.get('ws', 'repo', 7)).id == 7\n"
            "asyncio.run(main())\n"
        ),
        ("Cloud", "atlassian-python-api"): (
            "from atlassian.bitbucket import Cloud\n"
            f"repo = Cloud(url={base!r}, token={TOKEN!r}).repositories.get('ws', 'repo')\n"
            "assert repo.pullrequests.get(7).id == 7\n"
        ),
    }


def cold_start(config: Config) -> Result:
    result = Result(
        1,
        "Cold start",
        "a fresh `python -c` imports the library, builds a client, GETs one pull request and decodes it; "
        "wall time from spawn to exit, and the process's peak RSS (VmHWM)",
    )
    with bench_server(total=100) as port:
        programs = _cold_start_code(port)
        for code in programs.values():  # compile .pyc files and warm the OS file cache, unmeasured
            run_fresh(["-c", code + PEAK_RSS_CODE])
        samples: dict[tuple[str, str], tuple[list[float], list[float]]] = {k: ([], []) for k in programs}
        for order in _rotations(list(programs), config.runs):
            for key in order:
                wall, rss, _ = run_fresh(["-c", programs[key] + PEAK_RSS_CODE])
                samples[key][0].append(wall * 1000)
                samples[key][1].append(rss)
    for (style, contender), (walls, rsss) in samples.items():
        result.figures.append(Figure(1, style, contender, "ms", walls, rss_samples=rsss))
    for style in ("Data Center", "Cloud"):
        result.ratio(style, "bitbucket_client", "raw httpx + json.loads", at_most=1.5)
        result.ratio(style, "bitbucket_client", "atlassian-python-api")
    result.figure(
        "Cloud", "atlassian-python-api"
    ).note = "2 requests: repositories.get, then pullrequests.get"
    return result


# ---- 2. per-request overhead --------------------------------------------------------------------


def per_request(config: Config) -> Result:
    import httpx
    import requests

    from bitbucket_client import BitbucketCloud, BitbucketServer

    n = config.requests
    result = Result(
        2,
        "Per-request overhead",
        f"{n:,} sequential GETs of one pull request over a keep-alive connection, each decoded "
        "(typed model for bitbucket_client, dict for the others); figure: wall µs per request "
        "(client CPU µs per request in the notes)",
    )
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with bench_server(total=100) as port:
        base, dc_url, cloud_url = pull_request_urls(port)
        runner = asyncio.Runner()
        raw_client = httpx.AsyncClient()
        server = runner.run(_make(lambda: BitbucketServer(base, TOKEN)))
        cloud = runner.run(_make(lambda: BitbucketCloud(TOKEN, base_url=f"{base}/2.0")))
        aio = _aiohttp_transport()
        server_aio = cloud_aio = None
        if aio is not None:
            server_aio = runner.run(_make(lambda: BitbucketServer(base, TOKEN, transport=aio())))
            cloud_aio = runner.run(
                _make(lambda: BitbucketCloud(TOKEN, base_url=f"{base}/2.0", transport=aio()))
            )
        session = requests.Session()

        async def raw_loop(url: str, count: int) -> None:
            for _ in range(count):
                response = await raw_client.get(url, headers=headers)
                json.loads(response.content)

        async def ours_dc(count: int, client: Any = server) -> None:
            for _ in range(count):
                await client.pullrequests.get("PROJ", "repo", 7)

        async def ours_cloud(count: int, client: Any = cloud) -> None:
            for _ in range(count):
                await client.pullrequests.get("ws", "repo", 7)

        def requests_loop(url: str, count: int) -> None:
            for _ in range(count):
                json.loads(session.get(url, headers=headers).content)

        atl_dc_loop, atl_cloud_loop = atlassian_loops(base)

        contenders: dict[tuple[str, str], Callable[[int], Any]] = {
            ("Data Center", "raw httpx + json.loads"): lambda c: runner.run(raw_loop(dc_url, c)),
            ("Data Center", "bitbucket_client"): lambda c: runner.run(ours_dc(c)),
            ("Data Center", "atlassian-python-api"): atl_dc_loop,
            ("Data Center", "raw requests + json.loads"): lambda c: requests_loop(dc_url, c),
            ("Cloud", "raw httpx + json.loads"): lambda c: runner.run(raw_loop(cloud_url, c)),
            ("Cloud", "bitbucket_client"): lambda c: runner.run(ours_cloud(c)),
            ("Cloud", "atlassian-python-api"): atl_cloud_loop,
            ("Cloud", "raw requests + json.loads"): lambda c: requests_loop(cloud_url, c),
        }
        if aio is not None:
            contenders[("Data Center", AIOHTTP)] = lambda c: runner.run(ours_dc(c, server_aio))
            contenders[("Cloud", AIOHTTP)] = lambda c: runner.run(ours_cloud(c, cloud_aio))
        walls, cpus = measure_per_request(contenders, n, config.runs)
        runner.run(raw_client.aclose())
        runner.run(server.aclose())
        runner.run(cloud.aclose())
        for client in (server_aio, cloud_aio):
            if client is not None:
                runner.run(client.aclose())
        runner.close()
        session.close()
    for (style, contender), values in walls.items():
        figure = Figure(2, style, contender, "µs/req", values, cpu_samples=cpus[(style, contender)])
        result.figures.append(figure)
    result.figure(
        "Cloud", "atlassian-python-api"
    ).note = "Cloud(...).repositories.get(...).pullrequests.get(7)"
    result.figure("Data Center", "atlassian-python-api").note = "Bitbucket(...).get_pull_request(...)"
    for style in ("Data Center", "Cloud"):
        result.ratio(style, "bitbucket_client", "raw httpx + json.loads", at_most=1.25)
        result.ratio(style, "bitbucket_client", "atlassian-python-api", at_most=1.0)
        result.ratio(style, "raw httpx + json.loads", "raw requests + json.loads")
        if aio is not None:
            result.ratio(style, AIOHTTP, "atlassian-python-api")
            result.figure(style, AIOHTTP).note = "transport=httpx_aiohttp.AiohttpTransport()"
    return result


AIOHTTP = "bitbucket_client, aiohttp transport"


def pull_request_urls(port: int) -> tuple[str, str, str]:
    """The bench server's root, and the URLs of one pull request on Data Center and on Cloud."""
    base = f"http://127.0.0.1:{port}"
    return (
        base,
        f"{base}/rest/api/latest/projects/PROJ/repos/repo/pull-requests/7",
        f"{base}/2.0/repositories/ws/repo/pullrequests/7",
    )


def atlassian_loops(base: str) -> tuple[Callable[[int], None], Callable[[int], None]]:
    """atlassian-python-api getting that pull request n times: on Data Center, on Cloud."""
    from atlassian import Bitbucket
    from atlassian.bitbucket import Cloud

    dc = Bitbucket(base, token=TOKEN)
    cloud_prs = Cloud(url=base, token=TOKEN).repositories.get("ws", "repo").pullrequests

    def on_dc(count: int) -> None:
        for _ in range(count):
            dc.get_pull_request("PROJ", "repo", 7)

    def on_cloud(count: int) -> None:
        for _ in range(count):
            cloud_prs.get(7)

    return on_dc, on_cloud


PerRequest = dict[tuple[str, str], list[float]]


def measure_per_request(
    contenders: dict[tuple[str, str], Callable[[int], Any]], n: int, runs: int
) -> tuple[PerRequest, PerRequest]:
    """Wall and CPU µs per request of each contender, `n` requests a round, in rotating rounds."""
    for run in contenders.values():  # warm-up: imports, lazy model loading, connections
        run(max(50, n // 20))
    walls: PerRequest = {key: [] for key in contenders}
    cpus: PerRequest = {key: [] for key in contenders}
    for order in _rotations(list(contenders), runs):
        for key in order:
            gc.collect()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            contenders[key](n)
            walls[key].append((time.perf_counter() - wall0) / n * 1e6)
            cpus[key].append((time.process_time() - cpu0) / n * 1e6)
    return walls, cpus


def _aiohttp_transport() -> Any:
    """httpx-aiohttp's transport class, if installed (optional: the contender is skipped without it)."""
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        return None
    return AiohttpTransport


async def _make(factory: Callable[[], Any]) -> Any:
    return factory()  # clients must be built inside the loop that will use them


# ---- 3. decoding --------------------------------------------------------------------------------


def _touch_model_cloud(pr: Any) -> Any:
    return (pr.id, pr.title, pr.state, pr.author.display_name, pr.source.branch.name)


def _touch_dict_cloud(pr: dict[str, Any]) -> Any:
    return (pr["id"], pr["title"], pr["state"], pr["author"]["display_name"], pr["source"]["branch"]["name"])


def _touch_model_dc(pr: Any) -> Any:
    return (pr.id, pr.title, pr.state, pr.from_ref.display_id, pr.to_ref.repository.project.key)


def _touch_dict_dc(pr: dict[str, Any]) -> Any:
    return (
        pr["id"],
        pr["title"],
        pr["state"],
        pr["fromRef"]["displayId"],
        pr["toRef"]["repository"]["project"]["key"],
    )


def decoding(config: Config) -> Result:
    from bitbucket_client.cloud.models import Pullrequest
    from bitbucket_client.server.models import RestPullRequest

    pages = config.decode_pages
    result = Result(
        3,
        "Decoding",
        f"{pages} pages of 50 pull requests (bytes in memory, no network): `json.loads` of each page, "
        "then each item read (5 fields, 2-3 levels deep) as a dict, or turned into the typed model "
        "(`Pullrequest.from_dict` / `RestPullRequest.from_dict`) and read; figure: ms for all pages",
    )
    cloud_list = "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests"
    total = pages * 50
    bodies = {
        "Cloud": [data.dumps(data.cloud_page(p, 50, total, cloud_list)) for p in range(1, pages + 1)],
        "Data Center": [data.dumps(data.dc_page(s, 50, total)) for s in range(0, total, 50)],
    }
    sizes = {style: sum(map(len, b)) / total for style, b in bodies.items()}

    def baseline(style: str) -> Callable[[], None]:
        touch = _touch_dict_cloud if style == "Cloud" else _touch_dict_dc
        pages_ = bodies[style]

        def run() -> None:
            for body in pages_:
                for pr in json.loads(body)["values"]:
                    touch(pr)

        return run

    def typed(style: str) -> Callable[[], None]:
        touch = _touch_model_cloud if style == "Cloud" else _touch_model_dc
        from_dict = Pullrequest.from_dict if style == "Cloud" else RestPullRequest.from_dict
        pages_ = bodies[style]

        def run() -> None:
            for body in pages_:
                for pr in json.loads(body)["values"]:
                    touch(from_dict(pr))

        return run

    contenders = {
        ("Cloud", "json.loads"): baseline("Cloud"),
        ("Cloud", "json.loads + typed models"): typed("Cloud"),
        ("Data Center", "json.loads"): baseline("Data Center"),
        ("Data Center", "json.loads + typed models"): typed("Data Center"),
    }
    for run in contenders.values():
        run()
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in contenders}
    for order in _rotations(list(contenders), config.runs):
        for key in order:
            gc.collect()
            start = time.perf_counter()
            contenders[key]()
            samples[key].append((time.perf_counter() - start) * 1000)
    for (style, contender), values in samples.items():
        figure = Figure(3, style, contender, "ms", values)
        if contender == "json.loads":
            figure.note = f"{sizes[style]:,.0f} B per pull request"
        else:
            per_item = (median(values) - median(samples[(style, "json.loads")])) / total * 1000
            figure.note = f"typed models add {per_item:.1f} µs per pull request"
        result.figures.append(figure)
    for style in ("Cloud", "Data Center"):
        result.ratio(style, "json.loads + typed models", "json.loads", at_most=2.0)
    return result


# ---- 4. listing under latency -------------------------------------------------------------------


def listing(config: Config) -> Result:
    from atlassian import Bitbucket
    from atlassian.bitbucket import Cloud

    from bitbucket_client import BitbucketCloud, BitbucketServer

    items, latency, prefetch = config.list_items, config.latency_ms, config.prefetch
    result = Result(
        4,
        "Listing under latency",
        f"{items:,} pull requests, page size 50 ({items // 50} pages), {latency:g} ms added to every "
        "response by the server; figure: seconds to iterate the whole list (client CPU seconds in the notes)",
    )
    with bench_server(total=items, latency_ms=latency) as port:
        base = f"http://127.0.0.1:{port}"
        runner = asyncio.Runner()
        server = runner.run(_make(lambda: BitbucketServer(base, TOKEN)))
        cloud = runner.run(_make(lambda: BitbucketCloud(TOKEN, base_url=f"{base}/2.0")))
        atl_dc = Bitbucket(base, token=TOKEN)
        atl_cloud_prs = Cloud(url=base, token=TOKEN).repositories.get("ws", "repo").pullrequests

        async def ours(client: Any, owner: str, prefetch_: int) -> int:
            count = 0
            async for _pr in client.pullrequests.list(owner, "repo", page_size=50, prefetch=prefetch_):
                count += 1
            return count

        def atl_cloud() -> int:
            # PullRequests.each() would GET every pull request again (N+1 requests); its paging loop:
            return sum(1 for _ in atl_cloud_prs._get_paged(None, trailing=True, params={"pagelen": 50}))

        def atl_server() -> int:
            return sum(1 for _ in atl_dc.get_pull_requests("PROJ", "repo", limit=50))

        contenders: dict[tuple[str, str], Callable[[], int]] = {
            ("Cloud", "bitbucket_client sequential"): lambda: runner.run(ours(cloud, "ws", 0)),
            ("Cloud", f"bitbucket_client prefetch={prefetch}"): lambda: runner.run(
                ours(cloud, "ws", prefetch)
            ),
            ("Cloud", "atlassian-python-api"): atl_cloud,
            ("Data Center", "bitbucket_client sequential"): lambda: runner.run(ours(server, "PROJ", 0)),
            ("Data Center", f"bitbucket_client prefetch={prefetch}"): lambda: runner.run(
                ours(server, "PROJ", prefetch)
            ),
            ("Data Center", "atlassian-python-api"): atl_server,
        }
        # Warm-up without the latency: imports, models, connections (8 of them for prefetching).
        runner.run(_warm_up(cloud, server, prefetch))
        samples: dict[tuple[str, str], list[float]] = {key: [] for key in contenders}
        cpu: dict[tuple[str, str], list[float]] = {key: [] for key in contenders}
        for order in _rotations(list(contenders), config.runs):
            for key in order:
                gc.collect()
                start, cpu0 = time.perf_counter(), time.process_time()
                count = contenders[key]()
                samples[key].append(time.perf_counter() - start)
                cpu[key].append(time.process_time() - cpu0)
                if count != items:
                    raise RuntimeError(f"{key}: listed {count} items, expected {items}")
        runner.run(server.aclose())
        runner.run(cloud.aclose())
        runner.close()
    floor = items / 50 * latency / 1000
    for (style, contender), values in samples.items():
        figure = Figure(4, style, contender, "s", values, cpu_samples=cpu[(style, contender)])
        if contender == "atlassian-python-api":
            figure.note = (
                "paging loop of PullRequests.each() (_get_paged, pagelen=50)"
                if style == "Cloud"
                else "Bitbucket.get_pull_requests(limit=50)"
            )
        elif contender == "bitbucket_client sequential":
            figure.note = f"latency alone: {items // 50} pages x {latency:g} ms = {floor:.2f} s"
        result.figures.append(figure)
    pre = f"bitbucket_client prefetch={prefetch}"
    result.ratio(
        "Cloud",
        pre,
        "bitbucket_client sequential",
        text=f"speed-up of prefetch={prefetch}",
        invert=True,
        at_least=5.0,
    )
    result.ratio("Cloud", pre, "atlassian-python-api", text="speed-up over atlassian-python-api", invert=True)
    result.ratio(
        "Data Center",
        pre,
        "bitbucket_client sequential",
        text=f"speed-up of prefetch={prefetch}",
        invert=True,
    )
    result.ratio(
        "Data Center", pre, "atlassian-python-api", text="speed-up over atlassian-python-api", invert=True
    )
    return result


async def _warm_up(cloud: Any, server: Any, prefetch: int) -> None:
    for client, owner in ((cloud, "ws"), (server, "PROJ")):
        listing_ = client.pullrequests.list(
            owner, "repo", page_size=50, max_items=50 * prefetch, prefetch=prefetch
        )
        async for _ in listing_:
            pass


# ---- 5. memory ------------------------------------------------------------------------------------


def memory(config: Config) -> Result:
    items, page_size, prefetch = config.memory_items, config.memory_page_size, config.prefetch
    result = Result(
        5,
        "Memory",
        f"a fresh process iterates {items:,} pull requests (page size {page_size}), keeping none; "
        "figure: the process's peak RSS (VmHWM, MiB), wall time in the note",
    )
    child = str(BENCH_DIR / "memory_child.py")
    with bench_server(total=items) as port:
        programs: dict[tuple[str, str], list[str]] = {}
        for style in config.memory_styles:
            name = {"cloud": "Cloud", "dc": "Data Center"}[style]
            programs[(name, f"bitbucket_client prefetch={prefetch}")] = [
                "ours",
                style,
                "--prefetch",
                str(prefetch),
            ]
            programs[(name, "bitbucket_client sequential")] = ["ours", style, "--prefetch", "0"]
            programs[(name, "raw httpx + json.loads")] = ["raw", style]
        # Once unmeasured, so that the server has built and cached every page.
        for style in config.memory_styles:
            run_fresh([child, "raw", style, str(port), "--page-size", str(page_size)])
        rss: dict[tuple[str, str], list[float]] = {key: [] for key in programs}
        walls: dict[tuple[str, str], list[float]] = {key: [] for key in programs}
        for order in _rotations(list(programs), config.runs):
            for key in order:
                args = programs[key]
                _wall, peak, out = run_fresh(
                    [child, args[0], args[1], str(port), "--page-size", str(page_size), *args[2:]]
                )
                count, seconds = out.split()
                if int(count) != items:
                    raise RuntimeError(f"{key}: iterated {count} items, expected {items}")
                rss[key].append(peak)
                walls[key].append(float(seconds))
    for (style, contender), values in rss.items():
        figure = Figure(5, style, contender, "MiB", values)
        figure.note = f"{median(walls[(style, contender)]):.1f} s"
        result.figures.append(figure)
    for style in sorted({style for style, _ in programs}):
        for contender in ("bitbucket_client sequential", f"bitbucket_client prefetch={prefetch}"):
            value = result.figure(style, contender).value
            label = f"peak RSS, {contender.removeprefix('bitbucket_client ')} (MiB)"
            result.ratios.append(Ratio(5, style, label, value, "<= 60", value <= 60))
    return result


SCENARIOS: dict[int, Callable[[Config], Result]] = {
    1: cold_start,
    2: per_request,
    3: decoding,
    4: listing,
    5: memory,
}

__all__ = ["SCENARIOS", "Config", "Figure", "Ratio", "Result"]
