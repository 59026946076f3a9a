"""The loaded register: records by id, the catalogue, and where each record came from.

:class:`Register` is immutable; an edit builds a new one. ``Register.locate`` turns a record and a field
path into a file, line and column, for problems and findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dpia_lib.catalogue import Catalogue
from dpia_lib.errors import UnknownActivityError
from dpia_lib.records import Activity, DpiaRecord, Flow, Organisation, Party, Role, System

__all__ = ["Register", "SourceRef"]


class SourceRef(BaseModel):
    """Where a record lives: the file and the field path of the record inside it."""

    model_config = ConfigDict(frozen=True)
    path: str
    prefix: tuple[str | int, ...] = ()


class Register(BaseModel):
    """The organisation's register of processing activities, validated.

    Activities and parties are kept sorted by id so everything derived from them is deterministic.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    root: Path
    organisation: Organisation
    parties: Mapping[str, Party]
    systems: Mapping[str, System]
    activities: Mapping[str, Activity]
    dpias: Mapping[str, DpiaRecord]
    catalogue: Catalogue
    sources: Mapping[str, SourceRef]
    #: ids of records that failed validation and '*kind' markers for unreadable files: references to
    #: them are not reported as unknown (their own problems are).
    unchecked: frozenset[str] = frozenset()
    #: The text of each file the register was read from, by path as in :attr:`sources`.
    texts: Mapping[str, str] = Field(default_factory=dict, repr=False)

    @cached_property
    def roles(self) -> dict[str, Role]:
        """The organisation's roles by id."""
        return {role.id: role for role in self.organisation.roles}

    @cached_property
    def flows(self) -> tuple[Flow, ...]:
        """Every flow of every activity, in activity then file order."""
        return tuple(flow for activity in self.activities.values() for flow in activity.flows)

    def activity(self, activity_id: str) -> Activity:
        """The activity with this id, or :class:`UnknownActivityError` naming the known ones."""
        try:
            return self.activities[activity_id]
        except KeyError:
            from dpia_lib.diagnostics import suggest

            raise UnknownActivityError(
                f"unknown activity {activity_id!r}{suggest(activity_id, self.activities)}"
            ) from None

    def node_kind(self, node_id: str) -> str | None:
        """'activity', 'party' or None for an id."""
        if node_id in self.activities:
            return "activity"
        if node_id in self.parties:
            return "party"
        return None

    def locate(self, key: str, loc: Sequence[str | int] = (), *, on_key: bool = False) -> tuple[str, int, int]:
        """File, line and column of field ``loc`` inside the record ``key`` (e.g. ``'activity:x'``).

        ``key`` is one of ``organisation``, ``activity:<id>``, ``dpia:<id>``, ``party:<id>``,
        ``system:<id>``. Each call composes the file anew: for many lookups use
        :meth:`dpia_lib.analysis.Analysis.locate` (or one :class:`~dpia_lib.sources.Sources`), which keeps
        composed files.
        """
        from dpia_lib.sources import Sources

        return Sources(self, size=1).locate(key, loc, on_key=on_key)
