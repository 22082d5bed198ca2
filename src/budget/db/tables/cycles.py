"""Cycles, their phases, budgets, districts and categories."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import cents, utc


class District(SQLModel, table=True):
    """A district of one cycle: editing 2028's boundary leaves 2027's alone. A cycle created
    from another starts with copies of its districts."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    code: str = Field(max_length=16)  # INSEE code, e.g. 75111
    name: str = Field(max_length=120)
    # GeoJSON (Polygon/MultiPolygon geometry, Feature or FeatureCollection) the council uploads:
    # the map draws it and locations of district proposals must lie inside it.
    boundary: str | None = Field(default=None, sa_type=Text)


class Cycle(SQLModel, table=True):
    __tablename__ = "cycle"

    id: int | None = Field(default=None, primary_key=True)
    name_fr: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    instance: str = Field(max_length=32, unique=True)
    time_zone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    eligibility_mode: str = Field(max_length=16)  # roll | declared (domain.eligibility)
    district_mode: str = Field(max_length=16)  # residence | choice
    min_age: int | None = None
    reference_date: date
    max_proposals_per_author: int = 5
    # Proposing needs an active roll entry entitled to the proposal's budget (off: any resident).
    proposers_must_be_eligible: bool = False
    phase: str = Field(max_length=16)
    created_at: datetime = utc()


class PhaseSchedule(SQLModel, table=True):
    __tablename__ = "phase_schedule"
    __table_args__ = (UniqueConstraint("cycle_id", "phase"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    phase: str = Field(max_length=16)
    starts_at: datetime = utc()
    ends_at: datetime = utc()


class Budget(SQLModel, table=True):
    __tablename__ = "budget"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    name_fr: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    scope: str = Field(max_length=16)  # city | district
    district_id: int | None = Field(default=None, foreign_key="district.id")
    amount: int = cents()
    currency: str = Field(max_length=3)
    ballot_type: str | None = Field(default=None, max_length=16)
    min_choices: int | None = None
    max_choices: int | None = None
    min_spend_pct: int | None = None
    points: int | None = None
    max_per_project: int | None = None
    min_ranks: int | None = None
    max_ranks: int | None = None
    rule: str | None = Field(default=None, max_length=40)
    rule_options: str = Field(default="{}", sa_type=Text)  # JSON object
    tie_break: str | None = Field(default=None, max_length=200)
    max_project_cost: int | None = cents(nullable=True)
    # Drawn when voting opens; only the commitment is public until the count reveals the seed.
    lottery_seed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    lottery_commitment: str | None = Field(default=None, max_length=64)


class Category(SQLModel, table=True):
    """A proposal category of one cycle (Paris: environment, mobility, schools...)."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    code: str = Field(max_length=32)
    name_fr: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
