"""`budget demo`: a generated, Paris-like cycle in an empty database, built through the services.

"Budget participatif 2027": a city-wide envelope (Tout Paris) and one per arrondissement
(Paris Centre, 5e to 20e), every ballot type on show, about a hundred proposals in every state,
a few thousand residents and one account per role. Proposals have Markdown descriptions, a
category, an address and a point near their district's centre, an estimate, sometimes
co-authors and a second version; the demo resident has an invitation to answer. Everything is
generated from fixed seeds and name lists (no real person, project or figure is copied): the
same call builds the same cycle.
The cycle is left in the review phase with every proposal decided, so the council can open voting.
"""

from __future__ import annotations

import itertools
import random
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from argon2 import PasswordHasher
from sqlalchemy import func
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Account, Cycle
from budget.domain import geo
from budget.domain.accounts import Role
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.domain.errors import DemoNotEmpty
from budget.domain.proposals import ProposalStatus
from budget.services import (
    accounts,
    budgets,
    categories,
    cycles,
    decisions,
    demo_engagement,
    demo_identity,
    demo_outlines,
    demo_polling,
    demo_roll,
    demo_voting,
    proposals,
)
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from budget.services.demo_data import (
    BENEFITS,
    CATEGORIES,
    CENTRES,
    DISTRICTS,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES,
    PROJECT_IDEAS,
    REASONS,
    STREETS,
)
from budget.services.demo_implementation import load_past_cycle
from budget.services.proposals import ProposalForm

EURO = 100  # cents
MIN_RESIDENTS = 40
PAST_VOTERS = 1500  # the past cycle's voters (each casts two ballots): seconds, not minutes


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    cycle_id: int
    accounts: tuple[DemoAccount, ...]
    residents: int
    proposals: int
    voting_codes: tuple[str, ...] = ()  # in clear, shown once (demo_voting.CodeDemo)


# Known passwords, printed by `budget demo`: a demo database is for trying things out only.
DEMO_ACCOUNTS = (
    DemoAccount(Role.COUNCIL, "council@demo.budget", "demo-council-2027"),
    DemoAccount(Role.COUNCIL, "council2@demo.budget", "demo-council2-2027"),
    DemoAccount(Role.REVIEWER, "reviewer@demo.budget", "demo-reviewer-2027"),
    DemoAccount(Role.OFFICER, "officer@demo.budget", "demo-officer-2027"),
    DemoAccount(Role.OFFICER, "officer2@demo.budget", "demo-officer2-2027"),
    DemoAccount(Role.RESIDENT, "resident@demo.budget", "demo-resident-2027"),
)


class _SharedHash(PasswordHasher):
    """Hands every generated resident the same stored hash: that of a random password thrown
    away at once, so no one knows a password that opens these accounts. One argon2 computation
    instead of thousands keeps `budget demo` to seconds; the demo role accounts, which people
    do sign in to, get their own hashes from the real hasher."""

    def __init__(self, hasher: PasswordHasher) -> None:
        super().__init__(
            time_cost=hasher.time_cost,
            memory_cost=hasher.memory_cost,
            parallelism=hasher.parallelism,
        )
        self._encoded = hasher.hash(secrets.token_urlsafe(32))

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        return self._encoded


def load_demo(
    db: Session,
    now: datetime,
    hasher: PasswordHasher,
    *,
    residents: int = 3000,
    code_key: bytes | None = None,
) -> DemoSummary:
    """Fill an empty database (DemoNotEmpty otherwise); the caller commits. At least
    MIN_RESIDENTS residents, so that no one authors more than the cycle allows. With the app's
    `code_key`, the roll-mode voting cycle's codes are issued and three returned in clear."""
    residents = max(residents, MIN_RESIDENTS)
    if (
        db.exec(select(func.count()).select_from(Account)).one()
        or db.exec(select(func.count()).select_from(Cycle)).one()
    ):
        raise DemoNotEmpty()
    rng = random.Random(2027)  # noqa: S311 - reproducible demo data, not a secret
    council = _role_accounts(db, now, hasher)
    cycle_id = _cycle(db, now, council)
    demo_identity.write_pages(db, now, council)
    district_ids = [
        cycles.create_district(db, now, actor_id=council, cycle_id=cycle_id, code=code, name=name)
        for code, name, _ in DISTRICTS
    ]
    category_ids = _categories(db, now, council, cycle_id)
    budget_ids = _budgets(db, now, council, cycle_id, district_ids)
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    authors = _residents(db, now, hasher, rng, district_ids, residents)
    demo_roll.load(db, now, council=council, cycle_id=cycle_id, residents=authors)
    count = _proposals(db, now, rng, council, cycle_id, budget_ids, authors, category_ids)
    second = queries.find_account(db, "council2@demo.budget")
    assert second is not None  # noqa: S101 - _role_accounts made it
    members = [(council, DEMO_ACCOUNTS[0].password), (second.id, DEMO_ACCOUNTS[1].password)]
    load_past_cycle(
        db, now, members=members, hasher=hasher, copy_from=cycle_id, authors=authors,
        voters=min(residents, PAST_VOTERS),
    )  # fmt: skip
    for index, district_id in enumerate(district_ids):  # after the proposals were placed
        budgets.set_district_boundary(
            db, now, actor_id=council, district_id=district_id, geojson=demo_outlines.outline(index)
        )
    voter = queries.find_account(db, "resident@demo.budget")
    voting = demo_voting.load_voting_demo(
        db, now, council=council, voter_id=voter.id if voter else 0
    )
    demo_polling.load_polling_demo(
        db, now, council=council, cycle_id=voting.cycle_id, officers=_officers(db)
    )
    by_post = demo_voting.load_code_voting_demo(
        db, now, council=council, author_id=authors[0], key=code_key
    )
    demo_engagement.load_open_cycle(
        db, now, council=council, resident=_demo_resident(db), authors=authors
    )
    return DemoSummary(
        cycle_id=cycle_id, accounts=DEMO_ACCOUNTS, residents=residents, proposals=count,
        voting_codes=by_post.codes,
    )  # fmt: skip


def _officers(db: Session) -> tuple[int, int]:
    found = [queries.find_account(db, a.email) for a in DEMO_ACCOUNTS if a.role is Role.OFFICER]
    ids = [a.id for a in found if a is not None]
    return ids[0], ids[1]


def _demo_resident(db: Session) -> int:
    found = queries.find_account(db, DEMO_ACCOUNTS[-1].email)
    assert found is not None  # noqa: S101 - made by _role_accounts
    return found.id


def _role_accounts(db: Session, now: datetime, hasher: PasswordHasher) -> int:
    """The demo accounts; returns the first council member's id."""
    first, *others = DEMO_ACCOUNTS
    council = accounts.create_admin(
        db, now, email=first.email, password=first.password, display_name="Camille Conseil",
        hasher=hasher,
    ).id  # fmt: skip
    for demo in others:
        name = f"Demo {demo.role.value.capitalize()}"
        view = demo_identity.register_verified(
            db, now, email=demo.email, password=demo.password, display_name=name, hasher=hasher
        )
        if demo.role is not Role.RESIDENT:
            accounts.grant_role(db, now, actor_id=council, account_id=view.id, role=demo.role)
    return council


def _cycle(db: Session, now: datetime, council: int) -> int:
    form = CycleForm(
        name_fr="Budget participatif 2027",
        name_en="Participatory budget 2027",
        instance="2027",
        time_zone="Europe/Paris",
        currency="EUR",
        eligibility_mode="declared",
        district_mode="choice",
        min_age=None,
        reference_date=date(2027, 9, 8),
    )
    cycle_id = cycles.create_cycle(db, now, actor_id=council, form=form)
    windows = {
        Phase.SUBMISSION: ((2027, 1, 10), (2027, 2, 10)),
        Phase.REVIEW: ((2027, 2, 11), (2027, 6, 30)),
        Phase.VOTING: ((2027, 9, 8), (2027, 9, 30)),
        Phase.CLOSED: ((2027, 10, 1), (2027, 10, 15)),
    }
    dates = {
        phase: (datetime(*start, 8, tzinfo=UTC), datetime(*end, 18, tzinfo=UTC))
        for phase, (start, end) in windows.items()
    }
    cycles.set_schedule(db, now, actor_id=council, cycle_id=cycle_id, dates=dates)
    return cycle_id


# (ballot type, limits, rule) per district budget, in turn: every ballot type appears.
_BALLOTS = (
    (BallotType.APPROVAL, BallotLimits(max_choices=5), "greedy"),
    (BallotType.KNAPSACK, BallotLimits(min_spend_pct=70), "greedy"),
    (BallotType.CUMULATIVE, BallotLimits(points=10, max_per_project=5), "mes-add1"),
    (BallotType.APPROVAL, BallotLimits(max_choices=3), "phragmen"),
    (BallotType.RANKED, BallotLimits(max_ranks=3), "greedy"),
    (BallotType.CHOOSE_ONE, BallotLimits(), "greedy"),
)


def _budgets(
    db: Session, now: datetime, council: int, cycle_id: int, district_ids: list[int]
) -> list[int]:
    city = BudgetForm(
        name_fr="Tout Paris", name_en="All of Paris", scope="city", district_id=None,
        amount=30_000_000 * EURO, ballot_type=BallotType.APPROVAL,
        limits=BallotLimits(max_choices=5), rule="greedy",
        tie_break="more-votes,lower-cost,lottery", max_project_cost=5_000_000 * EURO,
    )  # fmt: skip
    ids = [budgets.create_budget(db, now, actor_id=council, cycle_id=cycle_id, form=city)]
    for index, ((_, name, weight), district_id) in enumerate(
        zip(DISTRICTS, district_ids, strict=True)
    ):
        ballot_type, limits, rule = _BALLOTS[index % len(_BALLOTS)]
        tie_break = "lower-cost,more-votes,lottery" if rule.startswith("mes") else None
        form = BudgetForm(
            name_fr=name, name_en=name, scope="district", district_id=district_id,
            amount=weight * 250_000 * EURO, ballot_type=ballot_type, limits=limits, rule=rule,
            tie_break=tie_break or "more-votes,lower-cost,lottery",
        )  # fmt: skip
        ids.append(budgets.create_budget(db, now, actor_id=council, cycle_id=cycle_id, form=form))
    return ids


def _residents(
    db: Session,
    now: datetime,
    hasher: PasswordHasher,
    rng: random.Random,
    district_ids: list[int],
    count: int,
) -> list[int]:
    shared = _SharedHash(hasher)
    ids = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{_ascii(first)}.{_ascii(last)}.{n}@demo.budget"
        # Drawn as when accounts held them, so the rest of the demo stays the same.
        rng.choice(district_ids), rng.randint(1940, 2012)
        view = demo_identity.register_verified(
            db, now, email=email, password=secrets.token_urlsafe(16),
            display_name=f"{first} {last}", language=rng.choice(("fr", "fr", "fr", "en")),
            hasher=shared,
        )  # fmt: skip
        ids.append(view.id)
    return ids


def _ascii(name: str) -> str:
    """Letters without accents, for generated email addresses."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


# Share of the envelope (percent) of the k-th project put on a district ballot: the first four
# sum to 90 %, so a knapsack minimum of 70 % can always be met.
_SHARES = (30, 25, 20, 15, 12, 10, 8, 6)
# Proposals per budget beyond those put on the ballot: one infeasible, one withdrawn, one draft.
_OTHER_FATES = (ProposalStatus.INFEASIBLE, ProposalStatus.WITHDRAWN, ProposalStatus.DRAFT)
# A proposer's estimate against the city's final cost, in percent: residents guess roughly.
_ESTIMATE_PCT = (70, 80, 90, 100, 110, 125, 150)
_JITTER_E6 = 2500  # about 280 m around a district's centre


def _categories(db: Session, now: datetime, council: int, cycle_id: int) -> dict[str, int]:
    """The cycle's categories, by code."""
    return {
        code: categories.create_category(
            db,
            now,
            actor_id=council,
            cycle_id=cycle_id,
            code=code,
            name_fr=name_fr,
            name_en=name_en,
        )
        for code, name_fr, name_en in CATEGORIES
    }


def _proposals(
    db: Session,
    now: datetime,
    rng: random.Random,
    council: int,
    cycle_id: int,
    budget_ids: list[int],
    authors: list[int],
    category_ids: dict[str, int],
) -> int:
    """Proposals in every state, some co-authored, some revised after submission; then review
    starts and the council decides each one."""
    resident = queries.find_account(db, DEMO_ACCOUNTS[-1].email)
    resident_id = resident.id if resident else authors[0]
    # The demo resident authors the first proposal; the others are spread over everyone, at
    # most four each, within the cycle's limit of five.
    pool = itertools.cycle([resident_id, *rng.sample(authors, len(authors))])
    plan: list[tuple[int, ProposalStatus, int]] = []  # proposal, fate, final cost
    for index, budget_id in enumerate(budget_ids):
        budget = queries.get_budget(db, budget_id)
        on_ballot = 10 if index == 0 else rng.randint(3, 5) + 1
        fates = [ProposalStatus.ON_BALLOT] * on_ballot + list(_OTHER_FATES)
        for k, fate in enumerate(fates):
            author = next(pool)
            cost = _final_cost(rng, budget.amount, k, city=index == 0)
            where = rng.randrange(len(DISTRICTS)) if index == 0 else index - 1
            form = _proposal_form(rng, budget_id, where, category_ids, cost, k)
            proposal = proposals.create_draft(db, now, author_id=author, form=form)
            if k % 3 == 1:
                _coauthors(db, now, rng, author, proposal, authors, accept=True)
            if index == 1 and k == 0 and author != resident_id:  # an invitation to answer
                _invite(db, now, author, proposal, resident_id)
            if fate is not ProposalStatus.DRAFT:
                proposals.submit_proposal(db, now, actor_id=author, proposal_id=proposal)
                if k % 4 == 2:
                    _revise(db, now, rng, author, proposal, form)
            if fate is ProposalStatus.WITHDRAWN:
                proposals.withdraw_proposal(db, now, actor_id=author, proposal_id=proposal)
            plan.append((proposal, fate, cost))
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    for proposal, fate, cost in plan:
        if fate in (ProposalStatus.ON_BALLOT, ProposalStatus.INFEASIBLE):
            feasible = fate is ProposalStatus.ON_BALLOT
            decisions.decide_proposal(
                db, now, actor_id=council, proposal_id=proposal, feasible=feasible,
                final_cost=cost if feasible else None,
                explanation=None if feasible else INFEASIBLE_EXPLANATION,
            )  # fmt: skip
    return len(plan)


INFEASIBLE_EXPLANATION = (
    "Le projet relève d'une dépense de fonctionnement et non d'un investissement : il ne peut "
    "pas être financé par le budget participatif."
)


def _proposal_form(
    rng: random.Random,
    budget_id: int,
    district: int,
    category_ids: dict[str, int],
    cost: int,
    k: int,
) -> ProposalForm:
    """A proposal for the budget, placed in district number `district` of DISTRICTS."""
    start, sentence, category, works = rng.choice(PROJECT_IDEAS)
    street, place = rng.choice(STREETS), rng.choice(PLACES)
    lat, lon = CENTRES[district]
    estimate = cost * rng.choice(_ESTIMATE_PCT) // 100 // (1000 * EURO) * (1000 * EURO)
    benefits = "\n".join(f"- {benefit}" for benefit in rng.sample(BENEFITS, 3))
    description = (
        f"## Le constat\n\n{rng.choice(REASONS)} {sentence}\n\n"
        f"## Ce que nous proposons\n\nAux abords {place}, {street} : {works}.\n\n"
        f"## Ce que le quartier y gagne\n\n{benefits}\n"
    )
    return ProposalForm(
        budget_id=budget_id, title=f"{start}, {street}",
        summary=f"{sentence} Près {place}, {street}.", description=description,
        category_id=category_ids[category],
        address=f"{rng.randint(1, 120)} {street}, {DISTRICTS[district][1]}",
        lat=geo.format_degrees(lat + rng.randint(-_JITTER_E6, _JITTER_E6)),
        lon=geo.format_degrees(lon + rng.randint(-_JITTER_E6, _JITTER_E6)),
        estimated_cost=(estimate or 1000 * EURO) if k % 5 != 4 else None,
    )  # fmt: skip


def _invite(db: Session, now: datetime, author: int, proposal: int, invitee: int) -> None:
    email = queries.get_account(db, invitee).email
    proposals.invite_coauthor(db, now, actor_id=author, proposal_id=proposal, email=email)


def _coauthors(
    db: Session,
    now: datetime,
    rng: random.Random,
    author: int,
    proposal: int,
    residents: list[int],
    *,
    accept: bool,
) -> None:
    """One or two other residents co-author the proposal."""
    for coauthor in rng.sample([r for r in residents if r != author], rng.randint(1, 2)):
        _invite(db, now, author, proposal, coauthor)
        proposals.answer_invitation(db, now, actor_id=coauthor, proposal_id=proposal, accept=accept)


def _revise(
    db: Session, now: datetime, rng: random.Random, author: int, proposal: int, form: ProposalForm
) -> None:
    """A second version after submission, as authors do once neighbours have commented."""
    update = rng.choice(
        (
            "Après discussion avec les voisins, le projet prévoit aussi un entretien par "
            "une association du quartier.",
            "Précision : les travaux peuvent avoir lieu pendant les vacances scolaires.",
            "Nous avons ajouté un accès pour les poussettes et les fauteuils.",
        )
    )
    revised = replace(form, description=f"{form.description}\n## Mise à jour\n\n{update}\n")
    proposals.update_proposal(db, now, actor_id=author, proposal_id=proposal, form=revised)


def _final_cost(rng: random.Random, amount: int, k: int, *, city: bool) -> int:
    """A round cost (thousands of euros): 0.5-5 M€ city-wide, else a share of the envelope."""
    if city:
        return rng.randint(500, 5000) * 1000 * EURO
    share = _SHARES[k % len(_SHARES)]
    return amount * share // 100 // (1000 * EURO) * (1000 * EURO)
