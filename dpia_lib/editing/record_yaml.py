"""One record as YAML text, as it sits in its file, and that text edited back into an :class:`EditSession`.

The editor's "advanced" view shows a record's lines of its file (an activity or DPIA record: its whole
file; a party, system or role: its item of the list, dedented) and lets the officer edit them.
:func:`apply_record_yaml` reads the edited text with the register's own strict reader and sets every
top-level field whose value changed through :meth:`EditSession.set` in one :meth:`EditSession.batch`: so
the edit is checked like any other edit, is one step of undo, and changes in the file only the lines of
the fields that changed (unchanged parts keep their comments and layout, as with a field widget).
A text that cannot be read, that is no mapping of fields, or that changes the record's id changes
nothing; its problems are returned with the line of the text.

Comments and layout typed in the text are not taken over: only field values are applied.

>>> import shutil, tempfile, pathlib
>>> from dpia_lib.editing.session import EditSession
>>> from dpia_lib.loading import DEFAULT_DATA_DIR
>>> tmp = tempfile.TemporaryDirectory()
>>> session = EditSession(shutil.copytree(DEFAULT_DATA_DIR.parent / "ropa", pathlib.Path(tmp.name) / "r"))
>>> shown = record_yaml(session, "party:labour-expert")
>>> print(shown.text[:shown.text.index("note")], end="")
id: labour-expert
name: {nl: Arbeidsdeskundige, en: Labour expert}
kind: labour-expert
role: controller
confidentiality: contract
>>> shown.file, shown.first_line
('parties.yaml', 26)
>>> apply_record_yaml(session, "party:labour-expert", shown.text.replace("contract", "statute")).applied
('confidentiality',)
>>> bad = apply_record_yaml(session, "party:labour-expert", "id: labour-expert\\nkind: x\\n  role: y\\n")
>>> [(p.code, p.line, p.field) for p in bad.problems]  # nothing applied
[('yaml-syntax', 3, 'role')]
>>> session.get("party:labour-expert", "confidentiality")
'statute'
>>> tmp.cleanup()
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dpia_lib.diagnostics import Problem
from dpia_lib.editing.roundtrip import dump_rt, load_rt, to_rt
from dpia_lib.editing.session import EditSession
from dpia_lib.errors import DpiaError
from dpia_lib.yamlio import parse_yaml

__all__ = ["RecordYaml", "YamlEdit", "apply_record_yaml", "field_at_line", "record_yaml"]

#: Records kept as items of a list in one file: kind -> (file, key); the others have a file each.
_IN_LISTS = {"party": ("parties.yaml", "parties"), "system": ("systems.yaml", "systems"),
             "role": ("organisation.yaml", "roles")}
_IN_FOLDERS = {"activity": "activities", "dpia": "dpias"}
_KEY_LINE = re.compile(r"^\s*(?:-\s+)*([A-Za-z_][A-Za-z0-9_-]*)\s*:")


@dataclass(frozen=True)
class RecordYaml:
    """A record's YAML text as it sits in its file."""

    text: str
    file: str  # the file, relative to the register folder
    first_line: int  # the file's line (from 1) that the text's first line is


@dataclass(frozen=True)
class YamlEdit:
    """What applying a record's edited text did: the top-level fields set, or why nothing was applied.

    Problem codes: ``yaml-syntax``, ``duplicate-key`` and ``bad-value`` (the reader's, lines of the text),
    ``not-a-mapping``, ``id-changed`` and ``refused`` (a value the register cannot hold).
    """

    applied: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def _file_of(record: str) -> tuple[str, str | None]:
    kind, _, ident = record.partition(":")
    if kind in _IN_FOLDERS:
        return f"{_IN_FOLDERS[kind]}/{ident}.yaml", None
    if kind in _IN_LISTS:
        return _IN_LISTS[kind]
    return "organisation.yaml", None


def _key_field(record: str) -> str | None:
    kind = record.partition(":")[0]
    return None if kind == "organisation" else "activity" if kind == "dpia" else "id"


def record_yaml(session: EditSession, record: str) -> RecordYaml:
    """The lines of ``record`` in its file as the session holds it (with unsaved edits).

    A record in a list is its item, dedented; where the list is written on one line (flow style) the
    item is written out instead, and ``first_line`` is 0.
    """
    rel, key = _file_of(record)
    text = session.texts().get(rel, "")
    if key is None:
        return RecordYaml(text, rel, 1)
    ident = record.partition(":")[2]
    doc = load_rt(text)
    items = doc.get(key) if isinstance(doc, CommentedMap) else None
    index = next((i for i, item in enumerate(items or []) if isinstance(item, Mapping) and item.get("id") == ident),
                 None)
    if not isinstance(items, CommentedSeq) or index is None:
        return RecordYaml(dump_rt(to_rt(session.get(record) or {})), rel, 0)
    lines = text.splitlines()
    start = items.lc.item(index)[0]
    if index + 1 < len(items):
        end = items.lc.item(index + 1)[0]
    else:
        keys = list(doc)
        after = keys[keys.index(key) + 1:]
        end = doc.lc.key(after[0])[0] if after else len(lines)
    if items.fa.flow_style() or end <= start or not isinstance(items[index], CommentedMap):
        return RecordYaml(dump_rt(to_rt(session.get(record) or {})), rel, 0)
    block = lines[start:end]
    while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
        block.pop()  # blank lines and the comment that opens the next item
    first = block[0]
    dash = first.index("-")
    block[0] = first[:dash] + " " + first[dash + 1:]
    return RecordYaml(textwrap.dedent("\n".join(block)) + "\n", rel, start + 1)


def field_at_line(text: str, line: int) -> str:
    """The key of the field written at or above ``line`` (from 1) of ``text``, or ``""``.

    >>> field_at_line("id: x\\npurposes:\\n  - id: a\\n    basis: [\\n", 4)
    'basis'
    """
    lines = text.splitlines()
    for number in range(min(line, len(lines)), 0, -1):
        found = _KEY_LINE.match(lines[number - 1])
        if found:
            return found.group(1)
    return ""


def _opened_at(text: str) -> tuple[int | None, int | None]:
    """Where a bracket, brace or quotation mark left open was opened (line, column from 1): the reader
    notices only at the next line, but the slip is where it was opened.

    >>> _opened_at("id: x\\nowner: [a\\nrole: b\\n")
    (2, 8)
    """
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark
        if mark is not None and (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted")):
            return mark.line + 1, mark.column + 1
    except yaml.YAMLError:
        pass
    return None, None


def _line_of_key(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def apply_record_yaml(session: EditSession, record: str, text: str) -> YamlEdit:
    """Set every top-level field of ``record`` that ``text`` (the record's YAML) gives another value.

    All fields are set in one batch (one step of undo); a field left out of the text is removed. Nothing
    is applied when the text has a problem (see :class:`YamlEdit`); the problems of the values themselves
    (a missing name, an unknown role) are the session's, as after any edit (:meth:`EditSession.problems_for`).
    """
    shown = f"{record} (YAML)"
    data, problems = parse_yaml(text, shown) if text.strip() else (None, [])
    if problems:
        found = problems[0]
        line, column = _opened_at(text) if found.code == "yaml-syntax" else (None, None)
        line, column = line or found.line, column or found.column
        return YamlEdit(problems=(Problem(found.code, found.path, line, column,
                                          found.field or field_at_line(text, line), found.message),))
    if not isinstance(data, dict):
        return YamlEdit(problems=(Problem("not-a-mapping", shown, 1, 1, "", "the text is not a mapping of fields"),))
    named = next((k for k in data if not isinstance(k, str)), None)
    if named is not None:
        return YamlEdit(problems=(Problem("refused", shown, 1, 1, "", f"a field name must be text, not {named!r}"),))
    current = session.get(record)
    current = current if isinstance(current, dict) else {}
    key = _key_field(record)
    if key is not None and data.get(key) != current.get(key):
        return YamlEdit(problems=(Problem("id-changed", shown, _line_of_key(text, key), 1, key,
                                          f"the {key} cannot be changed here ({current.get(key)!r})"),))
    changed = [k for k in [*data, *(k for k in current if k not in data)] if data.get(k) != current.get(k)]
    for name in changed:
        try:
            to_rt(data.get(name))  # a value the register cannot hold: refuse before anything is set
        except DpiaError as exc:
            return YamlEdit(problems=(Problem("refused", shown, _line_of_key(text, name), 1, name, str(exc)),))
    if not changed:
        return YamlEdit()
    try:
        with session.batch():
            for name in changed:
                session.set(record, (name,), data.get(name))  # the key as written, never a dotted path
    except DpiaError as exc:
        session.undo()  # the batch is one step of undo: take back the fields already set
        return YamlEdit(problems=(Problem("refused", shown, 1, 1, "", str(exc)),))
    return YamlEdit(applied=tuple(changed))
