"""Headings and labels of the reports in Dutch and English, read from ``data/labels.yaml``.

The file goes through the strict YAML reader and a pydantic check, so a typo or a missing language is
reported as a :class:`~dpia_lib.errors.RegisterError` naming file and line.

>>> labels = load_labels()
>>> labels.get("verdict", "nl"), labels.get("verdict", "en")
('Uitkomst', 'Verdict')
>>> labels.get("level-3", "en")
'significant'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from dpia_lib.diagnostics import suggest
from dpia_lib.errors import ParameterError
from dpia_lib.loading import load_data_file
from dpia_lib.records import Id, Record, Sourced, Text

__all__ = ["LANGUAGES", "Labels", "Principle", "check_language", "load_labels"]

#: The languages a report can be written in.
LANGUAGES: tuple[str, ...] = ("nl", "en")


class Principle(Sourced):
    """A principle of GDPR art. 5 and the finding codes that bear on it (DPIA part (b))."""

    id: Id
    label: Text
    codes: tuple[str, ...] = ()


class Labels(Record):
    """Label texts by key, and the art. 5 principles."""

    labels: dict[str, Text]
    principles: tuple[Principle, ...] = ()
    editor: dict[str, Text] = Field(default_factory=dict)  # the register editor's labels, help and messages
    #: The events a retention period runs from (register text), worded in both languages.
    events: dict[str, Text] = Field(default_factory=dict)

    def get(self, key: str, language: str) -> str:
        """The label ``key`` in ``language``; a ``KeyError`` names the closest key for a typo."""
        try:
            return self.labels[key].get(language)
        except KeyError:
            raise KeyError(f"no label {key!r}{suggest(key, self.labels)}") from None


def check_language(language: object) -> str:
    """``language`` if it is one of :data:`LANGUAGES`, else :class:`ParameterError`.

    >>> check_language("en")
    'en'
    >>> check_language("de")
    Traceback (most recent call last):
    ...
    dpia_lib.errors.ParameterError: language must be 'nl' or 'en', not 'de'
    """
    if language not in LANGUAGES:
        raise ParameterError(f"language must be 'nl' or 'en', not {language!r}")
    return str(language)


@lru_cache(maxsize=4)
def load_labels(data_dir: Path | str | None = None) -> Labels:
    """Read ``labels.yaml`` from ``data_dir`` (default: the shipped ``data/``)."""
    return load_data_file("labels.yaml", Labels, data_dir)
