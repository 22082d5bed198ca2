"""Before review: proposal images, supports, comments, flags for moderation, follows and the
notification topics a resident turned off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class ProposalImage(SQLModel, table=True):
    """An image of a proposal, as re-encoded by the server (never the uploaded bytes). Stored
    in the database (`data`, `thumb`) or, when a media directory is configured, as files
    named by the random `storage_key`: never by the upload's name."""

    __tablename__ = "proposal_image"
    __table_args__ = (UniqueConstraint("proposal_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    position: int
    alt_text: str = Field(max_length=250)
    width: int
    height: int
    storage_key: str = Field(max_length=64, unique=True)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    thumb: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    uploaded_by: int = Field(foreign_key="account.id")
    uploaded_at: datetime = utc()


class SupportSettings(SQLModel, table=True):
    """A cycle's supports option: on or off, and the optional threshold below which a proposal
    does not go to review."""

    __tablename__ = "support_settings"

    cycle_id: int = Field(foreign_key="cycle.id", primary_key=True)
    enabled: bool = False
    threshold: int | None = None


class Support(SQLModel, table=True):
    """One resident's support of one proposal: the unique constraint is the rule (one each)."""

    __tablename__ = "support"
    __table_args__ = (UniqueConstraint("proposal_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = utc()


class Comment(SQLModel, table=True):
    """A comment (Markdown source, rendered sanitised) or a reply to one (one level). A hidden
    comment keeps its text for the audit; pages show only the public reason."""

    __tablename__ = "comment"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comment.id")
    account_id: int = Field(foreign_key="account.id", index=True)
    body: str = Field(sa_type=Text)
    by_author: bool = False  # written by an accepted author of the proposal
    created_at: datetime = utc()
    edited_at: datetime | None = utc(nullable=True)
    hidden_at: datetime | None = utc(nullable=True)
    hidden_reason: str | None = Field(default=None, max_length=500)


class Flag(SQLModel, table=True):
    """A signed-in user's report of a comment or a proposal, with a reason, until the council
    hides the target or dismisses the flag."""

    __tablename__ = "flag"
    __table_args__ = (UniqueConstraint("target_kind", "target_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target_kind: str = Field(max_length=16)  # comment | proposal
    target_id: int = Field(index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    reason: str = Field(max_length=500)
    created_at: datetime = utc()
    resolved_at: datetime | None = utc(nullable=True)
    resolution: str | None = Field(default=None, max_length=16)  # hidden | dismissed
    resolved_by: int | None = Field(default=None, foreign_key="account.id")


class Follow(SQLModel, table=True):
    """A resident follows a proposal: they are told of its decision, the vote, its results and
    its implementation."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("proposal_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = utc()


class TopicOptOut(SQLModel, table=True):
    """A follow topic (decision, vote, results, implementation) a resident does not want."""

    __tablename__ = "topic_opt_out"
    __table_args__ = (UniqueConstraint("account_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    topic: str = Field(max_length=16)
