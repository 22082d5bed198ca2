"""The cycle's phase machine: moves, guards with every reason, and locks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import (
    BACKWARD,
    FORWARD,
    ORDER,
    BudgetSnapshot,
    CycleSnapshot,
    Phase,
    Reason,
    check_transition,
    is_locked,
    is_public,
    is_running,
    is_voting_open,
    project_cost_limit,
    targets,
    transition_problems,
)
from budget.domain.errors import TransitionRefused

NOW = datetime(2027, 9, 1, 12, tzinfo=UTC)


def ready_budget(name: str = "Tout Paris", **changes: object) -> BudgetSnapshot:
    values: dict[str, object] = {
        "name": name,
        "is_district": False,
        "has_district": False,
        "amount": 1_000_000,
        "ballot_type": BallotType.APPROVAL,
        "limits": BallotLimits(max_choices=5),
        "rule": "greedy",
        "tie_break": "more-votes,lower-cost,lottery",
        "costs": {"#1": 400_000, "#2": 300_000},
    }
    values.update(changes)
    return BudgetSnapshot(**values)  # type: ignore[arg-type]


def snapshot(phase: Phase, **changes: object) -> CycleSnapshot:
    values: dict[str, object] = {
        "phase": phase,
        "now": NOW,
        "budgets": (ready_budget(),),
        "scheduled": frozenset(Phase),
        "voting_ends_at": NOW - timedelta(days=1),
    }
    values.update(changes)
    return CycleSnapshot(**values)  # type: ignore[arg-type]


def codes(reasons: tuple[Reason, ...]) -> list[str]:
    return [r.code for r in reasons]


def test_phases_move_forward_one_at_a_time_with_two_ways_back() -> None:
    assert [targets(p) for p in ORDER] == [
        (Phase.SUBMISSION,),
        (Phase.REVIEW, Phase.DRAFT),
        (Phase.VOTING,),
        (Phase.CLOSED, Phase.REVIEW),
        (Phase.CERTIFIED,),
        (Phase.IMPLEMENTATION,),
        (Phase.ARCHIVED,),
        (),
    ]


def test_rules_lock_from_the_opening_of_voting() -> None:
    assert [is_locked(p) for p in ORDER] == [False] * 3 + [True] * 5


def test_a_jump_is_refused_as_not_adjacent() -> None:
    reasons = transition_problems(snapshot(Phase.DRAFT), Phase.VOTING)
    assert reasons == (Reason("cycle.not-adjacent", {"source": "draft", "target": "voting"}),)
    assert str(reasons[0]) == "cycle.not-adjacent (source=draft, target=voting)"
    assert str(Reason("cycle.no-roll")) == "cycle.no-roll"


def test_opening_submission_needs_budgets_districts_and_dates() -> None:
    orphan = ready_budget("11e", is_district=True, has_district=False)
    problems = transition_problems(
        snapshot(Phase.DRAFT, budgets=(orphan,), scheduled=frozenset()), Phase.SUBMISSION
    )
    assert codes(problems) == ["budget.no-district", "cycle.dates-missing"]
    empty = transition_problems(snapshot(Phase.DRAFT, budgets=()), Phase.SUBMISSION)
    assert codes(empty) == ["cycle.no-budget"]
    assert transition_problems(snapshot(Phase.DRAFT), Phase.SUBMISSION) == ()
    check_transition(snapshot(Phase.DRAFT), Phase.SUBMISSION)  # allowed: nothing raised


def test_back_to_draft_only_before_any_submission() -> None:
    assert transition_problems(snapshot(Phase.SUBMISSION), Phase.DRAFT) == ()
    refused = transition_problems(snapshot(Phase.SUBMISSION, submitted_proposals=2), Phase.DRAFT)
    assert refused == (Reason("cycle.proposals-submitted", {"count": 2}),)
    assert transition_problems(snapshot(Phase.SUBMISSION), Phase.REVIEW) == ()


def test_opening_voting_lists_every_failing_budget_as_in_scenario_3() -> None:
    """PRODUCT.md scenario 3: "11e: no tie-break chain", "17e: knapsack minimum 80% unreachable"."""
    eleventh = ready_budget("11e", tie_break=None)
    seventeenth = ready_budget(
        "17e", ballot_type=BallotType.KNAPSACK, limits=BallotLimits(min_spend_pct=80),
        costs={"#7": 600_000, "#8": 500_000},
    )  # fmt: skip
    with pytest.raises(TransitionRefused) as caught:
        check_transition(snapshot(Phase.REVIEW, budgets=(eleventh, seventeenth)), Phase.VOTING)
    assert caught.value.reasons == (
        Reason("budget.no-tie-break", {"budget": "11e"}),
        Reason("budget.unsatisfiable", {"budget": "17e", "ballot_type": "knapsack"}),
    )
    assert caught.value.params["source"] == "review"
    assert "budget.no-tie-break" in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ballot_type": None}, [Reason("budget.no-ballot-type", {"budget": "B"})]),
        (
            {"limits": BallotLimits()},
            [
                Reason(
                    "budget.limit",
                    {"budget": "B", "field": "max_choices", "code": "field.required"},
                )
            ],
        ),
        ({"rule": None}, [Reason("budget.no-rule", {"budget": "B"})]),
        (
            {
                "rule": "phragmen",
                "ballot_type": BallotType.RANKED,
                "limits": BallotLimits(max_ranks=2),
            },
            [
                Reason(
                    "budget.rule-incompatible",
                    {"budget": "B", "rule": "phragmen", "ballot_type": "ranked"},
                )
            ],
        ),
        (
            {"tie_break": "more-votes"},
            [
                Reason(
                    "budget.tie-break", {"budget": "B", "detail": "the chain must end with lottery"}
                )
            ],
        ),
        ({"costs": {}}, [Reason("budget.no-projects", {"budget": "B"})]),
        (
            {"costs": {"#1": 2_000_000}},
            [
                Reason(
                    "budget.project-over-envelope",
                    {"budget": "B", "project": "#1", "cost": 2_000_000, "limit": 1_000_000},
                )
            ],
        ),
        (
            {"max_project_cost": 350_000},
            [
                Reason(
                    "budget.project-over-cap",
                    {"budget": "B", "project": "#1", "cost": 400_000, "limit": 350_000},
                )
            ],
        ),
        (
            {"limits": BallotLimits(min_choices=3, max_choices=5)},
            [Reason("budget.unsatisfiable", {"budget": "B", "ballot_type": "approval"})],
        ),
    ],
)
def test_each_budget_problem_blocks_voting_with_its_reason(changes, expected) -> None:
    problems = transition_problems(
        snapshot(Phase.REVIEW, budgets=(ready_budget("B", **changes),)), Phase.VOTING
    )
    assert list(problems) == expected


def test_opening_voting_needs_decisions_roll_dates_and_a_budget() -> None:
    state = snapshot(
        Phase.REVIEW, budgets=(), undecided_proposals=3, needs_roll=True, scheduled=frozenset()
    )
    assert codes(transition_problems(state, Phase.VOTING)) == [
        "cycle.no-budget", "cycle.undecided-proposals", "cycle.no-roll", "cycle.dates-missing",
    ]  # fmt: skip
    with_roll = snapshot(Phase.REVIEW, needs_roll=True, has_roll=True)
    assert transition_problems(with_roll, Phase.VOTING) == ()


def test_no_going_back_once_votes_exist() -> None:
    assert transition_problems(snapshot(Phase.VOTING), Phase.REVIEW) == ()
    refused = transition_problems(snapshot(Phase.VOTING, has_votes=True), Phase.REVIEW)
    assert codes(refused) == ["cycle.votes-exist"]


def test_closing_waits_for_the_announced_end_and_reconciled_places() -> None:
    early = snapshot(Phase.VOTING, voting_ends_at=NOW + timedelta(seconds=1), unreconciled_places=2)
    assert codes(transition_problems(early, Phase.CLOSED)) == [
        "cycle.voting-not-ended",
        "cycle.unreconciled",
    ]
    undated = snapshot(Phase.VOTING, voting_ends_at=None)
    assert codes(transition_problems(undated, Phase.CLOSED)) == ["cycle.voting-not-ended"]
    assert transition_problems(snapshot(Phase.VOTING, voting_ends_at=NOW), Phase.CLOSED) == ()


def test_later_phases_need_two_certifications_publication_and_finished_projects() -> None:
    assert codes(
        transition_problems(snapshot(Phase.CLOSED, certifications=1), Phase.CERTIFIED)
    ) == ["cycle.not-certified"]
    assert transition_problems(snapshot(Phase.CLOSED, certifications=2), Phase.CERTIFIED) == ()
    assert codes(transition_problems(snapshot(Phase.CERTIFIED), Phase.IMPLEMENTATION)) == [
        "cycle.not-published"
    ]
    published = snapshot(Phase.CERTIFIED, results_published=True)
    assert transition_problems(published, Phase.IMPLEMENTATION) == ()
    building = snapshot(Phase.IMPLEMENTATION, unfinished_projects=4)
    assert codes(transition_problems(building, Phase.ARCHIVED)) == ["cycle.unfinished-projects"]
    assert transition_problems(snapshot(Phase.IMPLEMENTATION), Phase.ARCHIVED) == ()


class CycleMachine(RuleBasedStateMachine):
    """The guards against a deliberately naive model of PRODUCT.md's table: facts change at
    random, moves are attempted at random, and the guard must allow exactly what the model does."""

    def __init__(self) -> None:
        super().__init__()
        self.phase = Phase.DRAFT
        self.budgets: list[tuple[bool, int]] = []  # (fully configured, projects on ballot)
        self.scheduled: set[Phase] = set()
        self.submitted = self.undecided = self.certifications = self.unfinished = 0
        self.votes = self.ended = self.published = False
        self.ever_voted = False

    def snapshot(self) -> CycleSnapshot:
        budgets = tuple(
            ready_budget(f"b{i}", costs={f"#{k}": 1000 for k in range(n)},
                         **({} if ok else {"rule": None}))
            for i, (ok, n) in enumerate(self.budgets)
        )  # fmt: skip
        return CycleSnapshot(
            phase=self.phase, now=NOW, budgets=budgets, scheduled=frozenset(self.scheduled),
            voting_ends_at=NOW - timedelta(hours=1) if self.ended else NOW + timedelta(hours=1),
            submitted_proposals=self.submitted, undecided_proposals=self.undecided,
            has_votes=self.votes, certifications=self.certifications,
            results_published=self.published, unfinished_projects=self.unfinished,
        )  # fmt: skip

    def model_allows(self, goal: Phase) -> bool:
        budgets_ready = bool(self.budgets) and all(ok and n > 0 for ok, n in self.budgets)
        can_submit = bool(self.budgets) and Phase.SUBMISSION in self.scheduled
        allowed = {
            (Phase.DRAFT, Phase.SUBMISSION): can_submit,
            (Phase.SUBMISSION, Phase.DRAFT): self.submitted == 0,
            (Phase.SUBMISSION, Phase.REVIEW): True,
            (Phase.REVIEW, Phase.VOTING): budgets_ready and self.undecided == 0
            and Phase.VOTING in self.scheduled,
            (Phase.VOTING, Phase.REVIEW): not self.votes,
            (Phase.VOTING, Phase.CLOSED): self.ended,
            (Phase.CLOSED, Phase.CERTIFIED): self.certifications >= 2,
            (Phase.CERTIFIED, Phase.IMPLEMENTATION): self.published,
            (Phase.IMPLEMENTATION, Phase.ARCHIVED): self.unfinished == 0,
        }  # fmt: skip
        return allowed.get((self.phase, goal), False)

    @rule(configured=st.booleans(), projects=st.integers(0, 3))
    def add_budget(self, configured: bool, projects: int) -> None:
        self.budgets.append((configured, projects))

    @precondition(lambda self: bool(self.budgets))
    @rule(data=st.data())
    def fix_budget(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(self.budgets) - 1))
        self.budgets[index] = (True, max(1, self.budgets[index][1]))

    @rule(phase=st.sampled_from(list(Phase)))
    def schedule(self, phase: Phase) -> None:
        self.scheduled.add(phase)

    @precondition(lambda self: self.phase is Phase.SUBMISSION)
    @rule()
    def submit(self) -> None:
        self.submitted += 1
        self.undecided += 1

    @precondition(lambda self: self.undecided > 0)
    @rule()
    def decide(self) -> None:
        self.undecided -= 1

    @precondition(lambda self: self.phase is Phase.VOTING)
    @rule()
    def vote(self) -> None:
        self.votes = self.ever_voted = True

    @rule()
    def time_passes(self) -> None:
        self.ended = True

    @precondition(lambda self: self.phase is Phase.CLOSED)
    @rule()
    def certify(self) -> None:
        self.certifications += 1

    @rule(published=st.booleans(), unfinished=st.integers(0, 2))
    def report(self, published: bool, unfinished: int) -> None:
        self.published, self.unfinished = published, unfinished

    @rule(goal=st.sampled_from(list(Phase)))
    def move(self, goal: Phase) -> None:
        problems = transition_problems(self.snapshot(), goal)
        assert (not problems) is self.model_allows(goal), (self.phase, goal, problems)
        if not problems:
            assert goal in (FORWARD.get(self.phase), BACKWARD.get(self.phase))
            self.phase = goal

    @invariant()
    def votes_never_return_to_review(self) -> None:
        if self.ever_voted:
            assert self.phase not in (Phase.DRAFT, Phase.SUBMISSION, Phase.REVIEW)


TestCycleMachine = CycleMachine.TestCase


def test_a_draft_cycle_is_private_and_an_archived_one_no_longer_running() -> None:
    assert [p for p in Phase if not is_public(p)] == [Phase.DRAFT]
    assert [p for p in Phase if not is_running(p)] == [Phase.ARCHIVED]


def test_a_project_costs_at_most_the_envelope_and_the_cap() -> None:
    assert project_cost_limit(1000, None) == 1000
    assert project_cost_limit(1000, 300) == 300
    assert project_cost_limit(1000, 5000) == 1000


def test_voting_is_open_only_in_the_voting_phase_inside_its_window():
    start = datetime(2027, 9, 1, tzinfo=UTC)
    end = datetime(2027, 9, 20, tzinfo=UTC)
    window = (start, end)
    assert is_voting_open(Phase.VOTING, window, start)
    assert not is_voting_open(Phase.VOTING, window, end)  # the end is excluded
    assert not is_voting_open(Phase.VOTING, window, start - timedelta(seconds=1))
    assert not is_voting_open(Phase.CLOSED, window, start)
    assert not is_voting_open(Phase.VOTING, None, start)


def test_an_envelope_needs_a_project_of_its_category_on_the_ballot() -> None:
    from budget.domain.cycle import BudgetSnapshot, budget_problems

    ready = BudgetSnapshot(
        name="City", is_district=False, has_district=False, amount=1000,
        ballot_type=BallotType.APPROVAL, rule="greedy", tie_break="more-votes,lottery",
        costs={"#1": 100}, envelopes=("green", "care"), categories=frozenset({"green"}),
    )  # fmt: skip
    found = [(r.code, r.params.get("category")) for r in budget_problems(ready)]
    assert [f for f in found if f[0].startswith("budget.envelope")] == [
        ("budget.envelope-empty", "care")
    ]
