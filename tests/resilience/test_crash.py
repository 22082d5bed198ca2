"""T8 crash safety: the real server (`budget serve`, PostgreSQL) takes concurrent ballot
submissions through real form posts and is killed with SIGKILL at a random moment mid-load,
then restarted; three rounds. After each: every acknowledged receipt (the receipt page was
shown) is recorded with its ballot, nothing is half-stored, and the audit chain verifies
(`budget audit verify`, the operator's command, at the end). Unacknowledged submissions are
posted again after the restart (same form key, as a voter pressing the button again would):
in the end every voter has exactly one counted ballot.

The same rounds run against two processes behind nginx in test_processes.py.
"""

from __future__ import annotations

import queue
import random
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from budget.db.engine import make_engine
from budget.db.tables import Ballot, BallotLink, IdempotencyKey, Participation, Receipt
from budget.services import audit
from tests.resilience import rig
from tests.resilience.conftest import Prepared

ROUNDS = 3
PER_ROUND = 20  # new voters per round; conftest.VOTERS covers them
WORKERS = 8
TRANSIENT = {502, 503, 504}  # nginx while a process is down; never from the app


@dataclass
class Round:
    acknowledged: list[rig.Ballot] = field(default_factory=list)
    pending: list[rig.Ballot] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # why submissions were not acknowledged


def submit_all(
    base: str, budget_id: int, ballots: Sequence[rig.Ballot], *, on_ack: Callable[[], None]
) -> Round:
    """WORKERS threads submit the ballots (review when not reviewed yet, then cast)."""
    todo: queue.Queue[rig.Ballot] = queue.Queue()
    for ballot in ballots:
        todo.put(ballot)
    done = Round()
    lock = threading.Lock()

    def work() -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                try:
                    ballot = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    if ballot.cast_path is None:
                        rig.review(client, base, ballot, budget_id)
                    rig.cast(client, base, ballot)
                except (rig.NotAcknowledgedError, httpx.TransportError) as error:
                    with lock:
                        done.pending.append(ballot)
                        done.statuses.append(str(error))
                    continue
                with lock:
                    done.acknowledged.append(ballot)
                on_ack()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def crash_round(
    base: str, budget_id: int, ballots: Sequence[rig.Ballot], kill: Callable[[], None],
    rng: random.Random,
) -> Round:  # fmt: skip
    """Submit the ballots and kill when a random number of them have been acknowledged."""
    at = rng.randrange(2, max(3, len(ballots) // 2))
    count = 0
    reached = threading.Event()
    lock = threading.Lock()

    def acked() -> None:
        nonlocal count
        with lock:
            count += 1
            if count >= at:
                reached.set()

    def killer() -> None:
        reached.wait(timeout=60)
        threading.Event().wait(rng.uniform(0, 0.05))  # not on a request boundary
        kill()

    thread = threading.Thread(target=killer)
    thread.start()
    done = submit_all(base, budget_id, ballots, on_ack=acked)
    reached.set()
    thread.join()
    return done


def check_stored(prepared: Prepared, acknowledged: Sequence[rig.Ballot]) -> int:
    """Every acknowledged receipt is recorded with a ballot; nothing is half-stored. Returns
    the number of ballots stored."""
    budget = prepared.voting.budget_id
    engine = make_engine(prepared.url)
    try:
        with Session(engine) as db:

            def count(table: type, where: ColumnElement[bool]) -> int:
                return db.exec(select(func.count()).select_from(table).where(where)).one()

            recorded = set(
                db.exec(
                    select(Receipt.receipt_hash).where(
                        Receipt.budget_id == budget, Receipt.state == "recorded"
                    )
                ).all()
            )
            ballots = set(db.exec(select(Ballot.receipt_hash).where(Ballot.budget_id == budget)))
            for ballot in acknowledged:
                assert ballot.receipt_hash in recorded, ballot.receipt
                assert ballot.receipt_hash in ballots, ballot.receipt
            stored = count(Ballot, col(Ballot.budget_id) == budget)
            # One transaction stores all five or none (each voter votes once here).
            assert recorded == ballots
            assert count(Participation, col(Participation.budget_id) == budget) == stored
            assert count(BallotLink, col(BallotLink.budget_id) == budget) == stored
            assert count(IdempotencyKey, col(IdempotencyKey.budget_id) == budget) == stored
            assert count(Receipt, col(Receipt.budget_id) == budget) == stored
            linked = set(
                db.exec(
                    select(Ballot.receipt_hash)
                    .join(BallotLink, col(BallotLink.ballot_id) == col(Ballot.id))
                    .where(col(Ballot.budget_id) == budget)
                ).all()
            )
            assert linked == ballots  # no link without its ballot, no ballot without its link
            assert audit.verify_chain(db).ok
    finally:
        engine.dispose()
    return stored


def audit_verify(prepared: Prepared) -> None:
    """`budget audit verify`, the command an operator runs after a crash."""
    verify = subprocess.run(
        [sys.executable, "-m", "budget.cli", "audit", "verify"],
        env=rig.app_env(prepared.url, prepared.secret_key), capture_output=True, text=True,
        check=False, cwd=rig.ROOT,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "the chain is intact" in verify.stdout


def assert_no_server_error(done: Round) -> None:
    for status in done.statuses:
        for code in ("500", "501"):
            assert f": {code}" not in status, done.statuses


def run_rounds(
    prepared: Prepared, deployment: rig.Deployment, kill: Callable[[], None],
    restart: Callable[[], None], seed: int,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    voting = prepared.voting
    acknowledged: list[rig.Ballot] = []
    pending: list[rig.Ballot] = []
    killed_with_work = 0
    for n in range(ROUNDS):
        fresh = [
            rig.Ballot(cookie, tuple(rng.sample(voting.projects, voting.max_choices)))
            for cookie in voting.cookies[n * PER_ROUND : (n + 1) * PER_ROUND]
        ]
        done = crash_round(deployment.base, voting.budget_id, pending + fresh, kill, rng)
        assert_no_server_error(done)
        acknowledged += done.acknowledged
        pending = done.pending
        killed_with_work += bool(pending)
        check_stored(prepared, acknowledged)
        restart()
    done = submit_all(deployment.base, voting.budget_id, pending, on_ack=lambda: None)
    assert not done.pending, done.statuses  # the retries after the last restart all land
    acknowledged += done.acknowledged
    stored = check_stored(prepared, acknowledged)
    assert stored == len(acknowledged) == ROUNDS * PER_ROUND  # one counted ballot per voter
    assert len({b.receipt for b in acknowledged}) == stored
    assert killed_with_work >= 1  # the kills did land mid-load
    audit_verify(prepared)


@pytest.mark.heavy
@pytest.mark.postgres
@pytest.mark.threat("T8")
def test_t8_sigkill_mid_load_loses_no_acknowledged_ballot(
    prepared: Prepared, workdir: Path
) -> None:
    with rig.deployment(prepared.url, prepared.secret_key, workdir) as deployment:
        app = deployment.apps[0]
        run_rounds(prepared, deployment, app.kill, app.start, seed=random.randrange(10**6))
