"""Reading register YAML fast and safely, and finding the line of a field afterwards.

The fast path parses with libyaml (PyYAML's C loader) and refuses duplicate keys, anchors/aliases
(no register needs them, and they allow "billion laughs" expansion), oversized files and non-UTF-8
bytes. Line numbers are looked up only when a problem or finding needs them, by composing that one
file (:class:`Locator`), so a clean register never pays for line marks.

>>> data, problems = parse_yaml("a: 1\\nb: [x, y]\\n", "f.yaml")
>>> data, problems
({'a': 1, 'b': ['x', 'y']}, [])
>>> Locator("a: 1\\nb: [x, y]\\n").position(("b", 1))
(2, 8)
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import stat
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import yaml

from dpia_lib.diagnostics import Problem

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "Locator", "format_loc", "parse_yaml", "read_text", "too_large"]

#: Largest register or catalogue file accepted (a real activity file is a few kB).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Deepest nesting accepted; the register's deepest field is 4 levels down.
MAX_DEPTH = 32

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER: Any = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=65_536)
def _plain_tag(value: str) -> str:
    """The tag of the implicit plain scalar ``value``: a pure function of the text, so memoised."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    return tag


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    """libyaml loader that refuses duplicate keys, aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases are not allowed in a register file", node.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.constructor.ConstructorError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels", node.start_mark
                )
            if node.tag not in _SCALAR_TAGS and node.tag not in (_STR, _MAP, _SEQ):
                # !!binary, !!set, !!omap, !!python/... and local tags: no register field needs them
                raise yaml.constructor.ConstructorError(
                    None, None, f"the tag {node.tag!r} is not allowed in a register file", node.start_mark
                )
            return super().construct_object(node, deep=True)
        finally:
            self._depth -= 1

    # The safe loader has no path resolvers, so the composer's calls to these can be no-ops; and an
    # implicit plain scalar's tag depends on its text alone, so it is looked up once per distinct text.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        if self.yaml_path_resolvers:
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        if self.yaml_path_resolvers:
            super().ascend_resolver()

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # '2026-13-45' matches YAML's date pattern but is no date: report it at its line.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _BadScalar(f"{node.value!r} is not a valid date ({exc})", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    raise _DuplicateKey(key, first, key_node.start_mark)
                seen[key] = key_node
        return super().construct_mapping(node, deep=True)  # type: ignore[no-any-return]


    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        return _refuse_sexagesimal(node, super().construct_yaml_int(node))

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        return _refuse_sexagesimal(node, super().construct_yaml_float(node))


def _refuse_sexagesimal(node: yaml.ScalarNode, value: Any) -> Any:
    """YAML 1.1 reads ``1:30:00`` as the base-60 number 5400: no register field means that, so refuse it."""
    if ":" in node.value:
        raise _BadScalar(f"{node.value!r} would be read as the base-60 number {value} (YAML 1.1); "
                         "put it in quotes if it is text", node.start_mark)
    return value


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


class _BadScalar(yaml.YAMLError):
    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.problem_mark = mark


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, first_line: int, mark: yaml.Mark) -> None:
        super().__init__(f"duplicate key '{key}' (first at line {first_line})")
        self.key = key
        self.problem_mark = mark


#: What a path that is not a regular file is, by ``stat`` file type (for the problem message).
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def too_large(shown: str, size: int) -> Problem:
    """The problem of a file of ``size`` bytes over :data:`MAX_FILE_BYTES`, read from disk or held in memory.

    >>> too_large("x.yaml", MAX_FILE_BYTES + 1).code
    'file-too-large'
    """
    return Problem("file-too-large", shown, 1, 1, "", f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")


def read_text(path: Path, shown: str, *, root: Path | None = None,
              outside_links: bool = False) -> tuple[str | None, list[Problem]]:
    """Read ``path`` as UTF-8 text, refusing anything but a regular file of at most :data:`MAX_FILE_BYTES`.

    Devices, named pipes, sockets and folders are refused without being opened for a blocking read (a
    FIFO would hang, ``/dev/zero`` would never end), and at most ``MAX_FILE_BYTES + 1`` bytes are ever
    read, whatever the file's size claims. With ``root`` (the register or catalogue folder), a symbolic
    link whose target lies outside ``root`` is refused unless ``outside_links`` is true.

    >>> read_text(Path("/dev/zero"), "z.yaml")[1][0].format()
    'z.yaml:1:1: not-a-regular-file: this is a character device, not a regular file; only regular files are read'
    """
    def problem(code: str, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(code, shown, 1, 1, "", message)]

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return problem("not-a-regular-file",
                           f"this is {_kind(info.st_mode)}, not a regular file; only regular files are read")
        if root is not None and not outside_links and os.path.islink(path):
            target, inside = os.path.realpath(path), os.path.realpath(root)
            if not _inside(target, inside):
                return problem("outside-register", f"a symbolic link to {target}, outside {root}; "
                               "copy the file into the register instead")
        if info.st_size > MAX_FILE_BYTES:
            return None, [too_large(shown, info.st_size)]
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, opening it does not hang
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                return problem("not-a-regular-file",
                               f"this is {_kind(opened.st_mode)}, not a regular file; only regular files are read")
            chunks: list[bytes] = []
            total = 0
            while total <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - total)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        return problem("missing-file", f"cannot read file: {exc.strerror}")
    if total > MAX_FILE_BYTES:
        return problem("file-too-large", f"file grew past the limit of {MAX_FILE_BYTES} bytes while being read")
    raw = b"".join(chunks)
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem("bad-encoding", shown, line, column, "",
                              f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")]


class _Fallback(Exception):
    """The fast builder met something it leaves to the strict loader (which then reports it exactly)."""


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})


def _build(node: yaml.Node, loader: Any, depth: int) -> Any:
    """Python data of one composed node, for plain documents only; raises :class:`_Fallback` otherwise.

    Mirrors the strict loader: same values, same key order and last-wins for keys equal after
    construction; anything it would refuse (duplicate keys, deep nesting, merge keys, other tags) falls
    back to it.
    """
    if depth > MAX_DEPTH:
        raise _Fallback
    cls = node.__class__
    if cls is yaml.ScalarNode:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _Fallback
        return loader.yaml_constructors[tag](loader, node)
    if cls is yaml.SequenceNode:
        if node.tag != _SEQ:
            raise _Fallback
        deeper = depth + 1
        return [_build(item, loader, deeper) for item in node.value]
    if cls is yaml.MappingNode and node.tag == _MAP:
        pairs = node.value
        raw = set()
        for key_node, _ in pairs:
            if key_node.__class__ is not yaml.ScalarNode:
                raise _Fallback
            raw.add(key_node.value)
        if len(raw) != len(pairs):
            raise _Fallback  # a duplicate key
        deeper = depth + 1
        out = {}
        for key_node, value_node in pairs:
            key_tag = key_node.tag
            if key_tag == _STR:
                key = key_node.value
            elif key_tag in _SCALAR_TAGS:
                key = loader.yaml_constructors[key_tag](loader, key_node)
            else:
                raise _Fallback  # merge keys ('<<'), '=' and explicit tags
            out[key] = _build(value_node, loader, deeper)
        return out
    raise _Fallback


def _fast_parse(text: str) -> Any:
    """Parse a document without anchors (so without aliases) by composing in libyaml and building the
    data in one tight pass; :class:`_Fallback` (or any YAML error) sends it to the strict loader."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node, loader, 1)
    finally:
        loader.dispose()


def parse_yaml(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """Parse ``text`` (the file ``shown``) with the strict libyaml loader."""
    if "&" not in text:  # no anchor, so no alias: the fast path applies
        try:
            return _fast_parse(text), []
        except Exception:  # noqa: BLE001 - the strict loader below reports the problem exactly
            pass
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data(), []
    except _DuplicateKey as exc:
        dup = exc.problem_mark
        return None, [Problem("duplicate-key", shown, dup.line + 1, dup.column + 1, str(exc.key), str(exc))]
    except _BadScalar as exc:
        bad = exc.problem_mark
        return None, [Problem("bad-value", shown, bad.line + 1, bad.column + 1, _field_at(text, bad), str(exc))]
    except yaml.MarkedYAMLError as exc:
        mark: yaml.Mark | None = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        lines = text.splitlines()
        if 0 < line <= len(lines) and "\t" in lines[line - 1]:
            message += " (use spaces, not tabs, for indentation)"
        return None, [Problem("yaml-syntax", shown, line, column, "", message)]
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: find its line (libyaml counts bytes)
        line, column = _reader_position(text, exc.position, byte_offset=_BaseLoader is not yaml.SafeLoader)
        message = f"character U+{exc.character:04X} is not allowed in a register file ({exc.reason})"
        return None, [Problem("yaml-syntax", shown, line, column, "", message)]
    except yaml.YAMLError as exc:
        return None, [Problem("yaml-syntax", shown, 1, 1, "", str(exc).splitlines()[0])]
    except RecursionError:
        return None, [Problem("yaml-syntax", shown, 1, 1, "", "nesting too deep")]
    finally:
        loader.dispose()


def _field_at(text: str, mark: yaml.Mark) -> str:
    """The field path (``purposes[0].basis``) of the scalar that starts at ``mark``, or ``""``.

    >>> _field_at("a:\\n  - \\u00e9\\n  - {b: 1:30}\\n", yaml.Mark("", 0, 2, 8, None, None))
    'a[1].b'
    """
    try:
        root = yaml.compose(text, Loader=_LocatorLoader)
    except (yaml.YAMLError, RecursionError):
        return ""
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, loc = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if (node.start_mark.line, node.start_mark.column) == (mark.line, mark.column):
                return format_loc(loc)
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, (*loc, i)) for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            stack += [(value, (*loc, str(key.value))) for key, value in node.value]
    return ""


def _reader_position(text: str, position: int, byte_offset: bool) -> tuple[int, int]:
    """1-based line and column of a reader error at ``position`` (a UTF-8 byte or a character offset).

    >>> _reader_position("a: 1\\nb: \\u00e9\\x03\\n", 10, byte_offset=True)
    (2, 5)
    """
    if byte_offset:
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    position = max(0, min(position, len(text)))
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def format_loc(loc: Sequence[str | int]) -> str:
    """A field path as text: ``("purposes", 0, "basis")`` → ``purposes[0].basis``.

    >>> format_loc(("parties", 3, "dpa", "signed"))
    'parties[3].dpa.signed'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _LocatorLoader(_BaseLoader):  # type: ignore[misc]
    """Composes nodes for their marks only: tags do not matter, so resolving is skipped."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _STR


class Locator:
    """Finds the line and column of a field path in one YAML text (composed on first use).

    With ``parsed=True`` (the caller knows the whole text composes, e.g. a register was loaded from it),
    a path under a top-level key composes only the part of the text up to the end of that key's value:
    the text is cut before the next line that starts with a letter, digit or ``_`` in column 0, which in
    a text that composes can only be the next top-level key (a quoted scalar or flow collection cut open
    fails to compose, and then the whole text is composed). Nodes before such a cut have the same marks
    in the part as in the whole text, so the answer is the same, for far less work when the key comes
    early in a long file.

    >>> text = "id: x\\ndpia: {status: required}\\nflows:\\n- id: f\\n"
    >>> Locator(text, parsed=True).position(("dpia", "status")), Locator(text).position(("dpia", "status"))
    ((2, 16), (2, 16))
    """

    def __init__(self, text: str, *, parsed: bool = False) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False
        self._parsed = parsed
        self._parts: dict[int, yaml.Node | None] = {}  # composed prefixes by length
        self._ends: dict[str, int] | None = None  # top-level key -> end of its value (indexed once)

    def _node(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            self._parts.clear()
            try:
                self._root = yaml.compose(self._text, Loader=_LocatorLoader)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        return self._root

    def _part(self, key: str) -> yaml.Node | None:
        """The composed root of the shortest prefix holding top-level ``key`` and its whole value, or None."""
        end = self._top_ends().get(key)
        if end is None:
            return None
        if end not in self._parts:
            if len(self._parts) >= 4:  # many keys asked: composing the whole text once is cheaper
                return None
            try:
                node: yaml.Node | None = yaml.compose(self._text[:end], Loader=_LocatorLoader)
            except (yaml.YAMLError, RecursionError):
                node = None
            self._parts[end] = node
        node = self._parts[end]
        if isinstance(node, yaml.MappingNode) and any(str(k.value) == key for k, _ in node.value):
            return node
        return None

    def _top_ends(self) -> dict[str, int]:
        """Where the value of each top-level key ends (the start of the next top-level line), in one pass.

        Indexed once per text, so that locating N fields costs one pass over the text plus N lookups.
        A key is the shortest start of a top line that ends in ``:`` before a blank or the line end (the
        first line of each key counts); a key not found here makes :meth:`_part` fall back to the
        whole text.
        """
        if self._ends is None:
            starts = [m.start() for m in _TOP_LINE.finditer(self._text)]
            starts.append(len(self._text))
            ends: dict[str, int] = {}
            for start, end in itertools.pairwise(starts):
                found = _TOP_KEY.match(self._text, start, end)
                if found is not None:
                    ends.setdefault(found.group(1), end)
            self._ends = ends
        return self._ends

    def position(self, loc: Sequence[str | int], key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the deepest node on ``loc``; of the key itself if ``key``."""
        node = None
        if self._parsed and not self._composed and loc and isinstance(loc[0], str):
            node = self._part(loc[0])
        if node is None:
            node = self._node()
        if node is None:
            return 1, 1
        best = node.start_mark
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if str(key_node.value) == str(part):
                        best = key_node.start_mark if (last and key) else value_node.start_mark
                        node = value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                best = node.start_mark
            else:
                break
        return best.line + 1, best.column + 1


#: The start of a line that, in a text that composes, can only begin a top-level key (or end the document).
_TOP_LINE = re.compile(r"^[A-Za-z0-9_]", re.MULTILINE)
#: A top-level key at the start of such a line: the shortest text before ``:`` and a blank or line end.
_TOP_KEY = re.compile(r"([A-Za-z0-9_][^\n]*?):(?=[ \t\r\n]|$)", re.MULTILINE)
