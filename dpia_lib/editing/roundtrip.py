"""Round-trip YAML for the editor: load one register file with ruamel.yaml and write it back so that
only the lines of the fields that changed differ.

ruamel.yaml's round-trip mode keeps comments, key order, quoting and flow style, but it re-wraps flow
collections that span several lines (``measures: [a, b,\\n  c]``) and writes ``null`` as an empty value.
:func:`minimal_text` therefore splices: it dumps the file once as loaded and once as edited, diffs the
two dumps, and copies the officer's original lines for every part the edit did not touch.

>>> text = "# kept\\nname: {nl: Naam, en: Name}\\nlist: [a,\\n       b]\\nn: 1  # one\\n"
>>> doc = load_rt(text)
>>> doc["n"] = 2
>>> print(minimal_text(text, dump_rt(load_rt(text)), dump_rt(doc)), end="")
# kept
name: {nl: Naam, en: Name}
list: [a,
       b]
n: 2  # one
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import math
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq, Format, LineCol, merge_attrib
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString, SingleQuotedScalarString
from ruamel.yaml.tag import Tag
from yaml.resolver import Resolver

from dpia_lib.errors import ParameterError
from dpia_lib.yamlio import MAX_DEPTH

__all__ = ["MAX_ITEMS", "MAX_TEXT", "copy_rt", "dump_rt", "load_rt", "make_yaml", "merge_rt", "minimal_text", "needs_quotes",
           "to_plain", "to_rt"]

#: Longest text the editor writes (the longest register field allows 20 000 characters; more would only
#: make the YAML emitter crawl).
MAX_TEXT = 50_000
#: Most items in one list or mapping the editor writes.
MAX_ITEMS = 10_000


def make_yaml() -> YAML:
    """A ruamel.yaml round-trip instance matching the register's layout.

    Mappings are indented 2, block sequences 4 with the dash at offset 2 (``  - id: x``), lines are never
    re-wrapped (width 4096) and quotes are preserved.
    """
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    return yaml


def load_rt(text: str) -> Any:
    """Parse ``text`` into ruamel's commented round-trip structures.

    The text must already have passed the strict checks of :mod:`dpia_lib.yamlio`; a parse failure here
    is reported as :class:`ParameterError`.
    """
    try:
        return make_yaml().load(text)
    except YAMLError as exc:
        raise ParameterError(f"cannot parse YAML for editing: {str(exc).splitlines()[0]}") from None


def copy_rt(doc: Any) -> Any:
    """A deep copy of a round-trip document that keeps its comments.

    ruamel.yaml keeps some comments in two places at once (a comment between a key and its block value
    belongs to the parent's key and to the value), as one object; its own ``deepcopy`` copies comments
    without the copy's memo (``copy_attributes`` passes the memo to ``getattr``), so the two places get
    two objects and, copied again, the dump drops the comment. Here every attribute is copied with one memo.

    >>> doc = load_rt("a: 1\\nb:\\n  # about b\\n  c: 2\\n")
    >>> doc["a"] = 2
    >>> dump_rt(copy_rt(copy_rt(doc))) == dump_rt(doc)
    True
    """
    return _copy_rt(doc, {})


_RT_ATTRIBUTES = (Comment.attrib, Format.attrib, LineCol.attrib, Anchor.attrib, Tag.attrib, merge_attrib)


def _copy_rt(node: Any, memo: dict[int, Any]) -> Any:
    if id(node) in memo:
        return memo[id(node)]
    out: Any
    if type(node) is CommentedMap:
        out = memo[id(node)] = CommentedMap()
        for key, value in node.items():
            out[key] = _copy_rt(value, memo)
    elif type(node) is CommentedSeq:
        out = memo[id(node)] = CommentedSeq()
        out.extend(_copy_rt(value, memo) for value in node)
    else:
        return copy.deepcopy(node, memo)
    for name in _RT_ATTRIBUTES:
        if hasattr(node, name):
            setattr(out, name, copy.deepcopy(getattr(node, name), memo))
    return out


def dump_rt(doc: Any) -> str:
    """The round-trip document as YAML text."""
    out = io.StringIO()
    make_yaml().dump(doc, out)
    return out.getvalue()


def _units(original: list[str], baseline: list[str]) -> tuple[list[int], list[list[str]]]:
    """Group the baseline dump's lines into units, each with the original lines it stands for.

    Returns ``unit_of`` (unit index of each baseline line) and ``texts`` (original lines per unit).
    """
    unit_of = [0] * len(baseline)
    texts: list[list[str]] = []
    pending: list[str] = []  # original-only lines, attached to the next unit
    matcher = difflib.SequenceMatcher(None, baseline, original, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                unit_of[i1 + k] = len(texts)
                texts.append(pending + [original[j1 + k]])
                pending = []
        elif i1 == i2:  # lines only the original has (the dump dropped them)
            pending += original[j1:j2]
        else:  # a normalised region: one unit
            for k in range(i1, i2):
                unit_of[k] = len(texts)
            texts.append(pending + original[j1:j2])
            pending = []
    if pending:
        if texts:
            texts[-1] = texts[-1] + pending
        else:
            texts.append(pending)
    return unit_of, texts


def minimal_text(original: str, baseline: str, edited: str) -> str:
    """The edited file, keeping the original text of every region the edit did not change.

    ``baseline`` is :func:`dump_rt` of the file as loaded, ``edited`` of the file after the edit.
    """
    if baseline == edited:
        return original
    orig_lines = original.splitlines(keepends=True)
    base_lines = baseline.splitlines(keepends=True)
    new_lines = edited.splitlines(keepends=True)
    unit_of, texts = _units(orig_lines, base_lines)
    matched: dict[int, int] = {}  # baseline line -> edited line
    matcher = difflib.SequenceMatcher(None, base_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                matched[i1 + k] = j1 + k
    members: dict[int, list[int]] = {}
    for line, unit in enumerate(unit_of):
        members.setdefault(unit, []).append(line)
    clean: set[int] = set()
    for unit, lines in members.items():
        targets = [matched.get(line) for line in lines]
        if all(t is not None for t in targets):
            ints = [t for t in targets if t is not None]
            if ints == list(range(ints[0], ints[0] + len(ints))):
                clean.add(unit)
    reverse = {j: i for i, j in matched.items()}
    out: list[str] = []
    emitted: set[int] = set()
    for j, new_line in enumerate(new_lines):
        i = reverse.get(j)
        if i is not None and unit_of[i] in clean:
            unit = unit_of[i]
            if unit not in emitted:
                emitted.add(unit)
                out += texts[unit]
        else:
            out.append(new_line)
    # units of original-only lines with no baseline line (e.g. a file of comments only)
    for unit, text in enumerate(texts):
        if unit not in members and unit not in emitted:
            out += text
    return "".join(out)


def to_plain(node: Any) -> Any:
    """ruamel's commented structures as plain dicts, lists and scalars (strings lose their quote style)."""
    if isinstance(node, Mapping):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


#: Plain words YAML 1.1 reads as booleans that PyYAML's resolver leaves out (the spec's y/n forms).
_YAML11_BOOL_EXTRA = frozenset({"y", "Y", "n", "N"})


def needs_quotes(text: str) -> bool:
    """Whether a reader of YAML 1.1 (PyYAML, which loads the register) would read ``text``, written
    plain, as something other than text: a boolean (``no``, ``on``, ``Off``, ``y``), a number (``1e3``,
    ``0x1F``), a base-60 number (``1:30:00``), a date, or null.

    ruamel.yaml writes YAML 1.2, in which these are plain text, so :func:`to_rt` quotes them.

    >>> [w for w in ("no", "on", "Off", "yes", "y", "1:30:00", "2026-01-01", "~", "name", "no way") if needs_quotes(w)]
    ['no', 'on', 'Off', 'yes', 'y', '1:30:00', '2026-01-01', '~']
    """
    if text in _YAML11_BOOL_EXTRA:
        return True
    candidates = Resolver.yaml_implicit_resolvers.get(text[:1] if text else "", [])
    candidates = [*candidates, *Resolver.yaml_implicit_resolvers.get(None, [])]
    return any(regexp.match(text) is not None for _tag, regexp in candidates)


def _text(value: str) -> str:
    """``value`` as a single-quoted scalar when YAML 1.1 would read it plain as something else."""
    if isinstance(value, ScalarString) or not needs_quotes(value):
        return value
    quoted: str = SingleQuotedScalarString(value)
    return quoted


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, dt.date))


def to_rt(value: Any, _depth: int = 0) -> Any:
    """Plain data as round-trip structures in the register's style.

    Mappings and lists holding only scalars are written in flow style (``{nl: ..., en: ...}``,
    ``[a, b]``); the rest in block style. Anything that is not YAML data raises :class:`ParameterError`.

    Text that YAML 1.1 would read as something else (:func:`needs_quotes`) is quoted.

    >>> print(dump_rt(to_rt({"name": {"nl": "Nee", "en": "no"}, "tags": ["a", "1:30"], "n_": 1})), end="")
    name: {nl: Nee, en: 'no'}
    tags: [a, '1:30']
    n_: 1
    """
    if _depth > MAX_DEPTH:
        raise ParameterError(f"value nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ParameterError(f"text of {len(value)} characters; a register field holds at most {MAX_TEXT}")
    if isinstance(value, (list, tuple, Mapping)) and len(value) > MAX_ITEMS:
        raise ParameterError(f"{len(value)} items; a register list or mapping holds at most {MAX_ITEMS}")
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParameterError(f"mapping keys must be text, not {type(key).__name__}")
            out[_text(key)] = to_rt(item, _depth + 1)
        if out and all(_scalar(v) for v in out.values()):
            out.fa.set_flow_style()
        return out
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(to_rt(v, _depth + 1) for v in value)
        if all(_scalar(v) for v in seq):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dt.datetime):
        raise ParameterError("a date is expected, not a date and time")
    if isinstance(value, str):
        return _text(value)
    if _scalar(value):
        if isinstance(value, float) and math.isnan(value):
            raise ParameterError("NaN is not a register value")
        return value
    raise ParameterError(f"a {type(value).__name__} cannot be written to the register")


def merge_rt(old: Any, new: Any) -> Any:
    """``new`` (plain data) as round-trip structures, reusing ``old``'s nodes wherever nothing changed.

    Unchanged keys and items keep their comments, quoting and flow style, so replacing a whole mapping
    or list with a copy that differs in one place changes only that place in the file.

    >>> doc = load_rt("r:\\n  a: {period: 1 year, from: x}  # kept\\n  b: {period: 2 years, from: y}\\n")
    >>> doc["r"] = merge_rt(doc["r"], {"a": {"period": "1 year", "from": "x"}, "b": {"period": "3 years", "from": "y"}})
    >>> print(dump_rt(doc), end="")
    r:
      a: {period: 1 year, from: x}  # kept
      b: {period: 3 years, from: y}
    """
    if isinstance(old, CommentedMap) and isinstance(new, Mapping) and not isinstance(new, CommentedMap):
        if any(not isinstance(k, str) for k in new):
            return to_rt(new)
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            if key in old:
                merged = merge_rt(old[key], value)
                if merged is not old[key]:
                    old[key] = merged
            else:
                old[_text(key)] = to_rt(value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, (list, tuple)):
        items = list(new)
        if len(items) >= len(old):
            for i, value in enumerate(items[:len(old)]):
                merged = merge_rt(old[i], value)
                if merged is not old[i]:
                    old[i] = merged
            for value in items[len(old):]:
                old.append(to_rt(value))
            return old
        seq = to_rt(items)
        if isinstance(seq, CommentedSeq) and old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if not isinstance(old, (Mapping, list)) and to_plain(old) == to_plain(new) and type(to_plain(old)) is type(new):
        return old
    converted = to_rt(new)
    if isinstance(old, ScalarString) and isinstance(converted, str) and not isinstance(converted, ScalarString):
        return type(old)(converted)
    return converted
