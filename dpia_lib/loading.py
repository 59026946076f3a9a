"""Loading a register directory and its catalogues into a :class:`~dpia_lib.register.Register`.

Every file is read, parsed and validated before anything is raised, so one run reports every problem
(file, line, column, field path, code, message, and a suggestion for near misses). The files of a
register are described in :mod:`dpia_lib.layout`; its catalogues (``data/*.yaml``, see
:mod:`dpia_lib.catalogue`) are found by :func:`dpia_lib.resources.data_dir_for`.
"""

from __future__ import annotations

import functools
import os
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from dpia_lib.annotations import unwrap
from dpia_lib.catalogue import Catalogue, Country, DataCategory, DataSubjectCategory, Measure
from dpia_lib.diagnostics import Problem, suggest
from dpia_lib.errors import RegisterError
from dpia_lib.layout import RegisterLayout
from dpia_lib.records import Activity, DpiaRecord, Organisation, Party, System
from dpia_lib.register import Register, SourceRef
from dpia_lib.resources import data_dir_for, shipped_data_dir
from dpia_lib.sources import Sources
from dpia_lib.yamlio import MAX_FILE_BYTES, Locator, format_loc, parse_yaml, read_text, too_large

if TYPE_CHECKING:
    from dpia_lib.references import CrossChecks

__all__ = [
    "DEFAULT_DATA_DIR",
    "PartialRegister",
    "given_texts",
    "load_catalogue",
    "load_data_file",
    "load_register",
    "load_register_partial",
    "read_register",
]

M = TypeVar("M", bound=BaseModel)

#: The catalogues shipped with dpia-workbook (see :func:`dpia_lib.resources.shipped_data_dir`).
DEFAULT_DATA_DIR = shipped_data_dir()


def load_data_file(name: str, model: type[M], data_dir: Path | str | None = None) -> M:
    """Read the data file ``name`` from ``data_dir`` (default: the shipped ``data/``) as one ``model``;
    a problem raises :class:`~dpia_lib.errors.RegisterError` naming file, line and field.

    >>> from dpia_lib.riskmatrix import RiskMatrix
    >>> load_data_file("risk_matrix.yaml", RiskMatrix).level(4, 4)  # both axes at the top: maximum
    4
    """
    path = Path(data_dir if data_dir is not None else DEFAULT_DATA_DIR) / name
    shown = str(path)
    text, problems = read_text(path, shown)
    if text is None:
        raise RegisterError(problems)
    data, problems = parse_yaml(text, shown)
    if problems:
        raise RegisterError(problems)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        locator = Locator(text)
        found = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            line, col = locator.position(loc)
            found.append(Problem("bad-value", shown, line, col, format_loc(loc), err["msg"]))
        raise RegisterError(found) from None


def _annotation_at(model: type[BaseModel], loc: Sequence[str | int]) -> Any:
    """The type found by following ``loc`` through ``model``'s fields (None when lost)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {f.alias or n: f for n, f in tp.model_fields.items()}
            field = fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) in (tuple, list) and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) in (dict, Mapping):
            tp = typing.get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _unwrap(tp: Any) -> Any:
    return unwrap(tp)[0]


def _field_names(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    tp = _annotation_at(model, loc)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: Most problems reported for one record; the rest are counted in one more problem.
_MAX_PROBLEMS = 200


def _convert(
    exc: ValidationError, model: type[BaseModel], shown: str, locator: Locator, prefix: tuple[str | int, ...]
) -> list[Problem]:
    problems: list[Problem] = []
    errors = exc.errors(include_url=False)
    deeper = {tuple(e["loc"][:i]) for e in errors for i in range(len(e["loc"]))}
    for number, err in enumerate(errors):
        if len(problems) >= _MAX_PROBLEMS:  # a hostile file with 100 000 bad keys must not take minutes
            last = problems[-1]
            problems.append(Problem(last.code, shown, last.line, last.column, last.field,
                                    f"{len(errors) - number} more problems in this record are not shown"))
            break
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and loc in deeper:
            continue  # "at least 1 item" only because an item failed: the item's error says why
        full = (*prefix, *loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else ""
            line, col = locator.position(full, key=True)
            hint = suggest(key, _field_names(model, loc[:-1]))
            problems.append(Problem("unknown-key", shown, line, col, format_loc(full),
                                    f"unknown key {key!r}{hint}"))
        elif kind == "missing":
            line, col = locator.position(full[:-1])
            problems.append(Problem("missing-field", shown, line, col, format_loc(full),
                                    f"required field {str(loc[-1])!r} is missing"))
        else:
            line, col = locator.position(full)
            message = err["msg"].removeprefix("Value error, ")
            expected = err.get("ctx", {}).get("expected")
            if isinstance(expected, str) and isinstance(err.get("input"), str):
                choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",")]
                message += suggest(err["input"], choices)
            if kind not in ("model_type", "dict_type", "value_error"):
                message += f" (got {_short(err.get('input'))})"
            problems.append(Problem("bad-value", shown, line, col, format_loc(full), message))
    return problems


def _parse_file(path: Path, shown: str, *, root: Path | None = None,
                outside_links: bool = False) -> tuple[str | None, Any, list[Problem]]:
    """A file's text (None if unreadable), its parsed data and the problems of reading and parsing it.

    With ``root``, a symbolic link leaving ``root`` is refused unless ``outside_links``.
    """
    text, problems = read_text(path, shown, root=root, outside_links=outside_links)
    if text is None:
        return None, None, problems
    data, problems = parse_yaml(text, shown)
    return text, data, problems


def _parse_given(text: str | None, path: Path, shown: str) -> tuple[str | None, Any, list[Problem]]:
    """Like :func:`_parse_file` for a file whose text is given in memory (None: the file does not exist)."""
    if text is None:
        return None, None, [Problem("missing-file", shown, 1, 1, "", "cannot read file: No such file or directory")]
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        return None, None, [too_large(shown, size)]
    data, problems = parse_yaml(text, shown)
    return text, data, problems


def given_texts(root: Path, texts: Mapping[str, str] | None) -> dict[str, str] | None:
    """``texts`` (by path relative to ``root``) by the path the loader shows for each file (``root / rel``)."""
    if texts is None:
        return None
    inside = str(root)
    return {os.path.join(inside, rel): text for rel, text in texts.items()}


class ParseCache(Protocol):
    """Keeps parsed and validated files between runs (see :mod:`dpia_lib.incremental`)."""

    def parsed(self, path: Path, shown: str, parse: Callable[[Path, str], tuple[str | None, Any, list[Problem]]],
               text: str | None = None) -> tuple[str | None, Any, list[Problem]]:
        """``parse(path, shown)``, or its earlier result while the file is unchanged; ``text`` is the file's
        content when it is given in memory instead of read from ``path``."""

    def validated(self, shown: str, key: tuple[Any, ...],
                  validate: Callable[[], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem]]:
        """``validate()`` (a record or None, and its problems), or its earlier result for the unchanged file."""


class _Reader:
    """Reads files, keeping texts and problems, so that every problem of a run is collected."""

    def __init__(self, cache: ParseCache | None = None, root: Path | None = None, outside_links: bool = False,
                 given: Mapping[str, str] | None = None) -> None:
        self.cache = cache
        #: The register folder: files under it may link only inside it; others only inside their own folder.
        self.root = root
        self.outside_links = outside_links
        #: With texts given in memory (by path): the files under ``root`` are these, not the disk's.
        self.given = given
        self._inside = os.path.join(str(root), "") if root is not None else None
        self.problems: list[Problem] = []
        self.texts: dict[str, str] = {}
        #: ids of records that exist but failed validation, and '*kind' for a file that could not be read;
        #: references to them are not reported again (the record's own problem already is).
        self.unchecked: set[str] = set()

    def in_memory(self, shown: str) -> bool:
        """Whether the file ``shown`` is read from the texts given in memory."""
        return self.given is not None and self._inside is not None and shown.startswith(self._inside)

    def read(self, path: Path) -> Any:
        shown = str(path)
        if self.in_memory(shown):
            assert self.given is not None
            given = self.given.get(shown)
            parse: Callable[[Path, str], tuple[str | None, Any, list[Problem]]] = \
                functools.partial(_parse_given, given)
        else:
            given = None
            root = self.root if self.root is not None and path.is_relative_to(self.root) else path.parent
            parse = functools.partial(_parse_file, root=root, outside_links=self.outside_links)
        if self.cache is not None and (given is not None or not self.in_memory(shown)):
            text, data, problems = self.cache.parsed(path, shown, parse, given)
        else:
            text, data, problems = parse(path, shown)
        self.problems += problems
        if text is None:
            return None
        self.texts[shown] = text
        if problems:
            return None
        if data is None:
            self.problems.append(Problem("missing-field", shown, 1, 1, "", "the file is empty"))
        return data

    def validate(self, model: type[M], data: Any, path: Path, prefix: tuple[str | int, ...] = ()) -> M | None:
        shown = str(path)

        def run() -> tuple[M | None, list[Problem]]:
            try:
                return model.model_validate(data), []
            except ValidationError as exc:
                return None, _convert(exc, model, shown, Locator(self.texts.get(shown, "")), prefix)

        if self.cache is not None:
            record, problems = self.cache.validated(shown, (model, prefix), run)
        else:
            record, problems = run()
        self.problems += problems
        return record  # type: ignore[no-any-return]

    def entries(self, path: Path, key: str, model: type[M], kind: str) -> list[tuple[int, M]]:
        """The validated entries of a ``key: [...]`` list file, with their index."""
        data = self.read(path)
        if data is None:
            self.unchecked.add(f"*{kind}")
            return []
        shown = str(path)
        if not isinstance(data, dict) or key not in data:
            self.problems.append(Problem("missing-field", shown, 1, 1, key, f"the file must hold a '{key}:' list"))
            return []
        for extra in sorted(set(map(str, data)) - {key}):
            line, col = Locator(self.texts[shown]).position((extra,), key=True)
            self.problems.append(Problem("unknown-key", shown, line, col, extra,
                                         f"unknown key {extra!r}{suggest(extra, [key])}"))
        items = data[key]
        if not isinstance(items, list):
            line, col = Locator(self.texts[shown]).position((key,))
            self.problems.append(Problem("bad-value", shown, line, col, key, f"'{key}' must be a list"))
            self.unchecked.add(f"*{kind}")
            return []
        out = []
        for i, item in enumerate(items):
            record = self.validate(model, item, path, (key, i))
            if record is not None:
                out.append((i, record))
            else:
                self.mark_invalid(item, "id", "code")
        return out

    def yaml_files(self, folder: Path) -> list[Path]:
        """The ``*.yaml`` entries of ``folder``, sorted; a folder that cannot be listed, or that is a link
        leaving the register, is a problem (never an empty list that looks like an empty register)."""
        shown = str(folder)
        if self.in_memory(os.path.join(shown, "")):
            assert self.given is not None
            inside = os.path.join(shown, "")
            names = sorted(p[len(inside):] for p in self.given if p.startswith(inside) and p.endswith(".yaml"))
            return [folder / name for name in names if os.sep not in name]
        if self.root is not None and not self.outside_links and folder.is_symlink():
            target, root = os.path.realpath(folder), os.path.realpath(self.root)
            if not (target + os.sep).startswith(root + os.sep):
                self.problems.append(Problem("outside-register", shown, 0, 0, "",
                                             f"a symbolic link to {target}, outside {self.root}"))
                return []
        try:
            with os.scandir(folder) as entries:
                names = [entry.name for entry in entries if entry.name.endswith(".yaml")]
        except OSError as exc:
            self.problems.append(Problem("unreadable-folder", shown, 0, 0, "",
                                         f"cannot list the folder: {exc.strerror}; its files were not read"))
            return []
        return [folder / name for name in sorted(names)]

    def has_folder(self, folder: Path) -> bool:
        """Whether ``folder`` exists (with texts given in memory: on disk, or as the folder of a given text)."""
        inside = os.path.join(str(folder), "")
        if self.in_memory(inside):
            assert self.given is not None
            if any(p.startswith(inside) for p in self.given):
                return True
        return folder.is_dir()

    def mark_invalid(self, data: Any, *keys: str) -> None:
        """Remember the id of a record that failed validation."""
        if isinstance(data, dict):
            self.unchecked.update(str(data[k]) for k in keys if isinstance(data.get(k), str))

    def duplicate(self, shown: str, loc: tuple[str | int, ...], what: str, ident: str, first: str) -> None:
        line, col = Locator(self.texts.get(shown, "")).position(loc)
        self.problems.append(Problem("duplicate-id", shown, line, col, format_loc(loc),
                                     f"{what} id {ident!r} is already used ({first})"))


def _catalogue_entries(
    reader: _Reader, data_dir: Path, name: str, model: type[M], kind: str, key: Callable[[M], str]
) -> dict[str, M]:
    path = data_dir / f"{name}.yaml"
    out: dict[str, M] = {}
    for i, entry in reader.entries(path, name, model, kind):
        ident = key(entry)
        if ident in out:
            reader.duplicate(str(path), (name, i), name, ident, "earlier in this file")
        else:
            out[ident] = entry
    return dict(sorted(out.items()))


def _read_catalogue(reader: _Reader, data_dir: Path) -> Catalogue:
    from dpia_lib.catalogue import (
        ApListCategory,
        Art35Case,
        FearedEvent,
        IdentifierStatute,
        LargeScaleThreshold,
        RuleEntry,
        VocabularyEntry,
        Wp248Criterion,
    )

    def engine(name: str) -> Path:
        # The DPIA engine's catalogues fall back to the shipped ones when a custom data dir lacks them.
        return data_dir if (data_dir / f"{name}.yaml").is_file() else DEFAULT_DATA_DIR

    return Catalogue(
        categories=_catalogue_entries(reader, data_dir, "categories", DataCategory, "data category", lambda e: e.id),
        data_subjects=_catalogue_entries(reader, data_dir, "data_subjects", DataSubjectCategory,
                                         "data-subject category", lambda e: e.id),
        measures=_catalogue_entries(reader, data_dir, "measures", Measure, "measure", lambda e: e.id),
        countries=_catalogue_entries(reader, data_dir, "countries", Country, "country", lambda e: e.code),
        wp248=_catalogue_entries(reader, engine("wp248"), "wp248", Wp248Criterion, "WP248 criterion",
                                 lambda e: e.id),
        ap_list=_catalogue_entries(reader, engine("ap_list"), "ap_list", ApListCategory, "AP-list category",
                                   lambda e: e.id),
        art35_3=_catalogue_entries(reader, engine("art35_3"), "art35_3", Art35Case, "art. 35(3) case",
                                   lambda e: e.id),
        thresholds=_catalogue_entries(reader, engine("thresholds"), "thresholds", LargeScaleThreshold,
                                      "threshold", lambda e: e.id),
        rules=_catalogue_entries(reader, engine("rules"), "rules", RuleEntry, "rule", lambda e: e.code),
        risks=_catalogue_entries(reader, engine("risks"), "risks", FearedEvent, "feared event", lambda e: e.id),
        party_kinds=_catalogue_entries(reader, engine("party_kinds"), "party_kinds", VocabularyEntry, "party kind",
                                       lambda e: e.id),
        dossiers=_catalogue_entries(reader, engine("dossiers"), "dossiers", VocabularyEntry, "dossier",
                                    lambda e: e.id),
        channels=_catalogue_entries(reader, engine("channels"), "channels", VocabularyEntry, "channel",
                                    lambda e: e.id),
        identifier_statutes=_catalogue_entries(reader, engine("identifier_statutes"), "identifier_statutes",
                                               IdentifierStatute, "identifier statute", lambda e: e.id),
        source_dir=data_dir,
    )


def load_catalogue(data_dir: Path | str | None = None) -> Catalogue:
    """Load the reference catalogues, raising :class:`RegisterError` with every problem found.

    >>> catalogue = load_catalogue()
    >>> catalogue.categories["diagnosis-complaints"].medical_secrecy
    True
    """
    reader = _Reader()
    catalogue = _read_catalogue(reader, Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR)
    if reader.problems:
        raise RegisterError(reader.problems)
    return catalogue


def read_register(
    register_dir: Path | str = "ropa", data_dir: Path | str | None = None, *, cache: ParseCache | None = None,
    outside_links: bool = False, texts: Mapping[str, str] | None = None, cross: CrossChecks | None = None,
) -> tuple[Register | None, list[Problem]]:
    """Read and validate a register; return it (None if it could not be built) and every problem.

    Structural problems (syntax, schema, references) are returned; a register is built only without them.
    With ``cache`` (a :class:`ParseCache`), files unchanged since an earlier run are not parsed or validated again.
    Only regular files are read; a symbolic link leaving the register (or a catalogue file's folder) is a
    problem unless ``outside_links`` is true. With ``texts`` (every file of the register as text, by path
    relative to ``register_dir``, e.g. ``'activities/x.yaml'``: an editor's unsaved state), the register is
    read from those texts instead of its files on disk, and the problems still name the files in
    ``register_dir``. ``cross`` keeps the cross-record checks' results per record between runs
    (:class:`~dpia_lib.references.CrossChecks`); the result is the same without it.
    """
    from dpia_lib.references import check_references

    root = Path(register_dir)
    layout = RegisterLayout(root)
    reader = _Reader(cache, root, outside_links, given_texts(root, texts))
    if texts is None and not root.is_dir():
        return None, [Problem("missing-file", str(root), 0, 0, "", "register directory not found")]
    catalogue = _read_catalogue(reader, data_dir_for(root, data_dir))

    sources: dict[str, SourceRef] = {}
    organisation = None
    org_path = layout.organisation
    data = reader.read(org_path)
    if data is not None:
        organisation = reader.validate(Organisation, data, org_path)
        sources["organisation"] = SourceRef(path=str(org_path))
    if organisation is None:
        reader.unchecked.add("*role")

    parties: dict[str, Party] = {}
    parties_path = layout.list_file("party")
    for i, party in reader.entries(parties_path, "parties", Party, "party"):
        if party.id in parties:
            reader.duplicate(str(parties_path), ("parties", i), "party", party.id, "earlier in this file")
            continue
        parties[party.id] = party
        sources[f"party:{party.id}"] = SourceRef(path=str(parties_path), prefix=("parties", i))

    systems: dict[str, System] = {}
    systems_path = layout.list_file("system")
    for i, system in reader.entries(systems_path, "systems", System, "system"):
        if system.id in systems:
            reader.duplicate(str(systems_path), ("systems", i), "system", system.id, "earlier in this file")
            continue
        systems[system.id] = system
        sources[f"system:{system.id}"] = SourceRef(path=str(systems_path), prefix=("systems", i))

    activities: dict[str, Activity] = {}
    activity_dir = layout.folder("activity")
    if not reader.has_folder(activity_dir):
        reader.problems.append(Problem("missing-file", str(activity_dir), 0, 0, "", "no activities/ folder"))
    for path in reader.yaml_files(activity_dir) if reader.has_folder(activity_dir) else []:
        data = reader.read(path)
        activity = reader.validate(Activity, data, path) if data is not None else None
        if activity is None:
            reader.unchecked.add(path.stem)
            reader.mark_invalid(data, "id")
            continue
        shown = str(path)
        if activity.id != path.stem:
            line, col = Locator(reader.texts[shown]).position(("id",))
            reader.problems.append(Problem("id-mismatch", shown, line, col, "id",
                                           f"id {activity.id!r} does not match the file name {path.name!r}"))
            continue  # set aside whole: a copied file must not take the id of the file it was copied from
        if activity.id in activities or activity.id in parties:
            where = sources.get(f"activity:{activity.id}") or sources.get(f"party:{activity.id}")
            reader.duplicate(shown, ("id",), "activity", activity.id, where.path if where else "")
            continue
        activities[activity.id] = activity
        sources[f"activity:{activity.id}"] = SourceRef(path=shown)

    dpias: dict[str, DpiaRecord] = {}
    dpia_dir = layout.folder("dpia")
    for path in reader.yaml_files(dpia_dir) if reader.has_folder(dpia_dir) else []:
        data = reader.read(path)
        record = reader.validate(DpiaRecord, data, path) if data is not None else None
        if record is None:
            continue
        if record.activity != path.stem:
            line, col = Locator(reader.texts[str(path)]).position(("activity",))
            reader.problems.append(Problem("id-mismatch", str(path), line, col, "activity",
                                           f"activity {record.activity!r} does not match the file name {path.name!r}"))
            continue
        dpias[record.activity] = record
        sources[f"dpia:{record.activity}"] = SourceRef(path=str(path))

    if organisation is None or any(p.path in (str(org_path),) for p in reader.problems):
        return None, reader.problems
    register = Register(
        root=root,
        organisation=organisation,
        parties=dict(sorted(parties.items())),
        systems=dict(sorted(systems.items())),
        activities=dict(sorted(activities.items())),
        dpias=dict(sorted(dpias.items())),
        catalogue=catalogue,
        sources=sources,
        unchecked=frozenset(reader.unchecked),
        texts=reader.texts,
    )
    problems = reader.problems + check_references(register, Sources(register), cross)
    return register, problems


@dataclass(frozen=True)
class PartialRegister:
    """A register with its broken activities set aside: :attr:`broken` maps each activity whose own
    file (``activities/<id>.yaml`` or ``dpias/<id>.yaml``) has problems to those problems."""

    register: Register
    broken: Mapping[str, tuple[Problem, ...]]


def load_register_partial(register_dir: Path | str = "ropa", data_dir: Path | str | None = None) -> PartialRegister:
    """Load what is valid; activities whose own files have problems are set aside with them.

    A problem anywhere else (organisation, parties, systems, catalogues) still raises
    :class:`RegisterError`, since every activity depends on those. The batch uses this so that one
    broken activity does not stop the reports of the others.

    >>> partial = load_register_partial(DEFAULT_DATA_DIR.parent / "ropa")
    >>> dict(partial.broken), len(partial.register.activities)
    ({}, 13)
    """
    register, problems = read_register(register_dir, data_dir)
    if register is None:
        raise RegisterError(problems)
    layout = RegisterLayout(register_dir)
    broken: dict[str, list[Problem]] = {}
    elsewhere: list[Problem] = []
    for problem in problems:
        if layout.kind_of(problem.path) in ("activity", "dpia"):
            broken.setdefault(Path(problem.path).stem, []).append(problem)
        else:
            elsewhere.append(problem)
    if elsewhere:
        raise RegisterError(problems)
    return PartialRegister(register, {aid: tuple(found) for aid, found in sorted(broken.items())})


def load_register(register_dir: Path | str = "ropa", data_dir: Path | str | None = None) -> Register:
    """Load and validate a register, raising :class:`RegisterError` listing every problem found.

    >>> register = load_register(DEFAULT_DATA_DIR.parent / "ropa")
    >>> "reintegration-second-track" in register.activities
    True
    """
    register, problems = read_register(register_dir, data_dir)
    if problems or register is None:
        raise RegisterError(problems)
    return register
