"""Voting-day benchmark over HTTP: `--processes` app processes (`budget serve`) on a fresh
PostgreSQL database behind Debian's nginx (deploy/nginx/budget.conf, as the README's
Production section runs it), driven over loopback by an async HTTP client.

Set-up (not measured): the demo's cycle open for voting and `--voters` residents on its roll,
each signed in (tests/resilience/rig.py: made through the services). Then, for each
concurrency (8, 64, 256), for `--seconds`: the trivial endpoint (`/healthz`, same app, same
proxy) as the ceiling, and voters casting ballots as a browser does, each a voter of its own:
GET the ballot page (its CSRF token), POST the choices (action=review: the confirmation page
and its form key), POST the cast form (the receipt page). A ballot counts when its receipt
page came back; latency is the cast POST's. `ratio` is ballots/s over the trivial endpoint's
requests/s at the same concurrency. Then the pages a voter reads at 64 concurrent visitors.

    .venv/bin/python scripts/bench_web.py                      # TEST_DATABASE_URL or --database-url
    .venv/bin/python scripts/bench_web.py --processes 2 --voters 3000 --seconds 8

The last line is `ballots/s <x> p99_ms <y> errors <z> ratio <r>` at 64 concurrent voters.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.databases import fresh_postgres_database  # noqa: E402 - after the path
from tests.resilience import rig  # noqa: E402

LEVELS = (8, 64, 256)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, successful only
    errors: int = 0
    elapsed: float = 0.0
    failures: Counter[str] = field(default_factory=Counter)  # why, for the errors

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class FlowError(Exception):
    """A request of the flow did not answer as a browser expects (its status, or what was
    missing from the page)."""


Client = aiohttp.ClientSession
Request = Callable[[Client], Awaitable[float]]  # latency; raises FlowError


async def run(base: str, concurrency: int, seconds: float, request: Request) -> Stats:
    """`concurrency` clients in a loop for `seconds`. The client is aiohttp, whose connection
    pool costs little CPU per request (with httpx's, the trivial endpoint read 122/s at 64
    connections, with aiohttp's 2,074/s: the client was measuring itself); each voter's cookie
    is sent by hand (no cookie jar)."""
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        base_url=base, connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as client:  # fmt: skip
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                try:
                    stats.latencies.append(await request(client))
                except (FlowError, aiohttp.ClientError, TimeoutError) as error:
                    stats.errors += 1
                    stats.failures[str(error) or type(error).__name__] += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        stats.elapsed = time.perf_counter() - start
    return stats


def get(path: str, cookies: itertools.cycle[str] | None = None) -> Request:
    async def request(client: Client) -> float:
        headers = {"Cookie": next(cookies)} if cookies else {}
        start = time.perf_counter()
        async with client.get(path, headers=headers, allow_redirects=False) as response:
            await response.read()
            if response.status != 200:
                raise FlowError(f"GET {response.status}")
        return time.perf_counter() - start

    return request


def ballots(voting: rig.Voting, voters: itertools.cycle[str]) -> Request:
    """One voter's ballot: the ballot page, the review post, the cast post."""
    path = f"/vote/budgets/{voting.budget_id}"
    counter = itertools.count()

    async def fetch(
        client: Client, method: str, url: str, cookie: str, body: str | None
    ) -> tuple[int, str]:
        headers = {"Cookie": cookie, **(FORM if body is not None else {})}
        async with client.request(
            method, url, data=body, headers=headers, allow_redirects=False
        ) as response:
            return response.status, await response.text()

    async def request(client: Client) -> float:
        cookie = next(voters)
        n = next(counter)
        status, page = await fetch(client, "GET", path, cookie, None)
        token = rig.CSRF_FIELD.search(page) if status == 200 else None
        if token is None:
            raise FlowError(f"ballot page {status}")
        choices = [voting.projects[(n + k) % len(voting.projects)] for k in range(2)]
        fields = [("csrf_token", token.group(1)), ("action", "review")]
        fields += [("choice", str(p)) for p in choices]
        status, confirm = await fetch(client, "POST", path, cookie, urlencode(fields))
        form = rig.CAST_FORM.search(confirm) if status == 200 else None
        if form is None:
            raise FlowError(f"review {status}")
        start = time.perf_counter()
        status, receipt = await fetch(
            client, "POST", form.group(1), cookie, urlencode(rig.HIDDEN.findall(form.group(2)))
        )
        latency = time.perf_counter() - start
        if status != 200 or not rig.RECEIPT.search(receipt):
            raise FlowError(f"cast {status}")
        return latency

    return request


def row(name: str, stats: Stats, ceiling: Stats) -> str:
    ratio = stats.rate / ceiling.rate if ceiling.rate else 0.0
    why = ", ".join(f"{n} x {reason}" for reason, n in stats.failures.most_common())
    return (
        f"| {name:<22} | {stats.rate:>8.1f} | {stats.pct(0.50):>7.1f} | {stats.pct(0.99):>7.1f} "
        f"| {stats.errors:>6} | {ceiling.rate:>9.1f} | {ratio:>5.2f} |" + (f" {why}" if why else "")
    )


HEADER = (
    "| what                   |    per s | p50 ms  | p99 ms  | errors | trivial/s | ratio |\n"
    "|------------------------|----------|---------|---------|--------|-----------|-------|"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=6.0, help="per measurement")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.database_url:
        parser.error("PostgreSQL is needed: --database-url or TEST_DATABASE_URL")
    key = rig.new_secret_key()
    with fresh_postgres_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        voting = rig.prepare(url, key, args.voters)
        print(f"set-up: {args.voters} voters signed in in {time.perf_counter() - started:.0f} s")
        with rig.deployment(
            url, key, Path(tmp), processes=args.processes, proxy=True
        ) as deployment:
            return asyncio.run(measure(deployment.base, voting, args))


async def measure(base: str, voting: rig.Voting, args: argparse.Namespace) -> int:
    print(f"{args.processes} processes behind nginx, PostgreSQL, {args.seconds:g} s each\n")
    print(HEADER)
    voters = itertools.cycle(voting.cookies)
    last = ""
    for level in LEVELS:
        ceiling = await run(base, level, args.seconds, get("/healthz"))
        cast = await run(base, level, args.seconds, ballots(voting, voters))
        print(row(f"ballots @{level}", cast, ceiling), flush=True)
        if level == 64:
            ratio = cast.rate / ceiling.rate if ceiling.rate else 0.0
            last = (
                f"ballots/s {cast.rate:.1f} p99_ms {cast.pct(0.99):.1f} errors {cast.errors} "
                f"ratio {ratio:.2f}"
            )
            pages_ceiling = ceiling
    proposal = voting.projects[0]
    pages = {
        "home": "/",
        "cycle page": f"/cycles/{voting.cycle_id}",
        "proposal list": f"/cycles/{voting.cycle_id}/proposals",
        "proposal page": f"/proposals/{proposal}",
        "ballot page": f"/vote/budgets/{voting.budget_id}",
    }
    print("\npages a voter reads, 64 concurrent signed-in visitors\n")
    print(HEADER)
    for name, path in pages.items():
        stats = await run(base, 64, args.seconds, get(path, voters))
        print(row(name, stats, pages_ceiling), flush=True)
    print()
    print(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
