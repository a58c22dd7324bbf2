"""What hub found when a list page source's selectors stopped finding its items: the
settings detection proposes, one row per source, kept until an editor applies them or
the source's entry changes. Never applied by hub itself."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, select

from hub.models import Proposal
from hub.store.desk import Sessions
from hub.store.tables import UTCDateTime


class ProposalRow(SQLModel, table=True):
    __tablename__ = "proposals"

    source_id: str = Field(primary_key=True)
    made: datetime = Field(sa_type=UTCDateTime)
    based_on: str  # the digest of the source's entry when it failed
    entry: str = ""  # the proposed entry as channels.yaml lines; "" when none was found
    settings: str = "{}"  # JSON: the proposed `page:` settings
    items: int = 0  # items they read on the first page
    titles: str = "[]"  # JSON: the first few of them
    note: str = ""  # one line: what detection found or why not


class ProposalStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def put(self, proposal: Proposal) -> None:
        with self._sessions() as session:
            session.merge(
                ProposalRow(
                    source_id=proposal.source_id,
                    made=proposal.made,
                    based_on=proposal.based_on,
                    entry=proposal.entry,
                    settings=proposal.settings,
                    items=proposal.items,
                    titles=proposal.titles,
                    note=proposal.note,
                )
            )
            session.commit()

    def all(self) -> dict[str, Proposal]:
        with self._sessions() as session:
            rows = list(session.exec(select(ProposalRow)))
        return {
            row.source_id: Proposal(
                row.source_id,
                row.made,
                row.based_on,
                row.entry,
                row.settings,
                row.items,
                row.titles,
                row.note,
            )
            for row in rows
        }

    def drop(self, source_id: str) -> None:
        with self._sessions() as session:
            row = session.get(ProposalRow, source_id)
            if row is not None:
                session.delete(row)
                session.commit()
