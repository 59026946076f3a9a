"""The register editor as an ipywidgets app (``notebooks/editor.ipynb``, also servable with Voilà).

:class:`EditorApp` edits every kind of record (organisation, activities, parties, systems, roles, DPIA
records) in a form derived from the pydantic records (:mod:`dpia_lib.editing.fields`): nested records as
sub-forms, lists of records with add and remove, retention per category, sets as checkboxes where one
click adds or removes one item, drop-downs for vocabularies in words with their citation
(:mod:`dpia_lib.editing.choices`) and for references by name (the id second for records of the register,
whose ids the officer chose). Labels, help and messages come from the ``editor`` section of
``data/labels.yaml`` in Dutch or English. Under each form, an "advanced" view (collapsed) shows the
record's YAML as it sits in its file; edited and applied, it is checked like any other edit
(:mod:`dpia_lib.editing.record_yaml`).

Every change goes through :class:`EditSession` (re-checked incrementally), problems are shown in plain
words next to the field, and the panel on the right lists the screening of the activity shown and the
findings and problems of the whole register, each opening its record. Undo, discard all, a question
before removing a record (with what refers to it), a browser warning before leaving with unsaved
changes, and merged saves when a file changed on disk. Everything shown as HTML is escaped; the app is
plain Python, so tests drive it without a browser.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from dpia_lib.diagnostics import Problem
from dpia_lib.editing.changes import check_id
from dpia_lib.editing.choices import choice_label
from dpia_lib.editing.fields import MODELS, SECTIONS, FieldSpec, exceptions_for, field_specs, section_of
from dpia_lib.editing.record_yaml import RecordYaml, apply_record_yaml, record_yaml
from dpia_lib.editing.save import InvalidSaveError
from dpia_lib.editing.session import EditSession, MergeConflictError
from dpia_lib.errors import DpiaError
from dpia_lib.loading import DEFAULT_DATA_DIR
from dpia_lib.report.labels import load_labels
from dpia_lib.yamlio import format_loc, parse_yaml

__all__ = ["REGISTER_ENV", "EditorApp", "Texts", "editor_from_environment", "plain_message",
           "register_from_environment"]

#: Environment variable naming the register folder the editor notebook opens.
REGISTER_ENV = "DPIA_REGISTER"

_HET = {"advies", "besluit", "belang", "doel", "kanaal", "adres", "land", "actieplan", "dossier"}

#: The YAML reader's words for the usual slips in typed YAML, and the editor label that says each plainly
#: (any other slip is shown in the reader's words).
_SYNTAX_WORDS: tuple[tuple[str, str], ...] = (
    ("not tabs", "yaml.tab"),
    ("mapping values are not allowed", "yaml.colon"),
    ("did not find expected ',' or '}'", "yaml.brace"),
    ("did not find expected ',' or ']'", "yaml.bracket"),
    ("duplicate key", "yaml.duplicate"),
    ("while scanning a quoted scalar", "yaml.quote"),
    ("anchors and aliases", "yaml.anchor"),
    ("did not find expected key", "yaml.indent"),
    ("expected <block end>", "yaml.indent"),
    ("did not find expected '-' indicator", "yaml.indent"),
)

#: Installs the browser's "leave this page?" question while unsaved changes are shown (an ``img`` whose
#: ``onerror`` runs once: widget HTML is set as innerHTML, where ``script`` elements do not run).
_LEAVE_GUARD = (
    "<img src='x:' alt='' style='display:none' onerror=\"if(!window.__dpiaLeave){window.__dpiaLeave=1;"
    "window.addEventListener('beforeunload',function(e){if(document.querySelector('.dpia-unsaved'))"
    "{e.preventDefault();e.returnValue='';return '';}});}\">"
)


def register_from_environment() -> Path:
    """The register folder: ``$DPIA_REGISTER`` if set, else the shipped ``ropa/``."""
    value = os.environ.get(REGISTER_ENV)
    return Path(value) if value else DEFAULT_DATA_DIR.parent / "ropa"


class Texts:
    """The editor's labels in one language (``data/labels.yaml``, section ``editor``).

    >>> texts = Texts("nl")
    >>> texts.field("data_subjects_per_year"), Texts("en").field("data_subjects_per_year")
    ('Betrokkenen per jaar (schatting)', 'Data subjects per year (estimate)')
    >>> texts.field("a_new_field")
    'A new field'
    """

    def __init__(self, language: str = "nl", data_dir: Path | None = None) -> None:
        self.language = language
        self._labels = load_labels(data_dir).editor

    def t(self, key: str, **values: Any) -> str:
        """The text ``key`` with ``{placeholders}`` filled in."""
        entry = self._labels.get(key)
        text = entry.get(self.language) if entry is not None else key
        return text.format(**values) if values else text

    def field(self, name: str) -> str:
        """A field's label (its key made readable when the catalogue has none)."""
        entry = self._labels.get(f"field.{name}")
        return entry.get(self.language) if entry is not None else name.replace("_", " ").capitalize()

    def help(self, name: str, description: str) -> str:
        """A field's help text (the record's English description only in English)."""
        entry = self._labels.get(f"help.{name}")
        if entry is not None:
            return entry.get(self.language)
        return description if self.language == "en" else ""


def plain_message(problem: Problem, field: str, texts: Texts) -> str:
    """A problem in plain words naming the field (and the language of a text), never a code.

    ``field`` is the problem's field relative to its record.

    >>> p = Problem("bad-value", "x.yaml", 3, 7, "name.nl", "String should have at least 1 character (got '')")
    >>> plain_message(p, "name.nl", Texts("nl")), plain_message(p, "name.en", Texts("en"))
    ('De Nederlandse naam is leeg', 'The English name is empty')
    >>> q = Problem("unknown-reference", "x.yaml", 6, 8, "owner", "unknown role 'nobody'")
    >>> plain_message(q, "owner", Texts("nl"))
    "Eigenaar (rol): 'nobody' bestaat niet in het register"
    >>> r = Problem("bad-value", "x.yaml", 6, 8, "owner", "String should match pattern '^[a-z]+$' (got 'Jan')")
    >>> plain_message(r, "owner", Texts("en"))
    "Owner (role): invalid value ('Jan': An id consists of lower-case letters, digits and hyphens, e.g. 'new-activity')"
    """
    names = [p for p in re.split(r"[.\[\]]", field) if p and not p.isdigit()]
    language = names[-1] if names and names[-1] in ("nl", "en") else None
    base = (names[-2] if language and len(names) > 1 else names[-1]) if names else ""
    label = texts.field(base) if base else texts.t("ui.record")
    message = problem.message
    empty = problem.code == "missing-field" and language or "at least 1 character" in message
    if empty and language:
        adjective = texts.t(f"adj.{language}")
        if " " in label:
            return texts.t("msg.empty-text", label=label, language=adjective.lower() if texts.language == "nl"
                           else adjective)
        the = "Het" if label.lower() in _HET else "De"
        return texts.t("msg.empty", the=the, language=adjective, label=label.lower())
    if empty:
        return texts.t("msg.empty-value", label=label)
    if problem.code == "missing-field":
        return texts.t("msg.missing", label=label)
    if problem.code == "unknown-reference":
        found = re.search(r"'([^']*)'", message)
        return texts.t("msg.unknown", label=label, value=found.group(1) if found else "?")
    bad_id = re.search(r"should match pattern .*\(got '(.*)'\)$", message)
    if bad_id:  # an id or a reference that is no id: the value and the rule in words, not the pattern
        return texts.t("msg.invalid", label=label, detail=f"'{bad_id.group(1)}': {texts.t('msg.bad-id')}")
    detail = re.sub(r"\s*\(got .*\)$", "", message)
    return texts.t("msg.invalid", label=label, detail=detail)


def _slug(path: Sequence[Any]) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9_]", "_", str(p)) for p in path)


class EditorApp:
    """The editor: record kinds, search and picker, a tabbed form, the register's findings, and Save."""

    def __init__(self, session: EditSession, *, as_of: dt.date | None = None, language: str = "nl") -> None:
        self.session = session
        self.as_of = as_of or session.as_of
        self.texts = Texts(language, session.data_dir)
        self.kind = "activity"
        self.ident: str | None = None
        self.messages: dict[str, w.HTML] = {}
        self.inputs: dict[str, Any] = {}
        #: the checkbox of each item of a set field, by field path and item id
        self.items: dict[str, dict[str, w.Checkbox]] = {}
        self._advanced_open = False
        self._yaml_note = ""
        self.widget = w.VBox(layout=w.Layout(width="100%"))
        self.widget.add_class("dpia-editor")
        self._build()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        t = self.texts
        self._pending: str | None = None  # the record to open once the kind toggle has switched
        self.heading = w.HTML(f"<h2 style='margin:4px 0'>{html.escape(t.t('title'))}</h2>")
        self.language = w.ToggleButtons(options=[("NL", "nl"), ("EN", "en")], value=t.language,
                                        style={"button_width": "48px"})
        self.language.add_class("dpia-language")
        self.language.observe(lambda change: self.set_language(change["new"]), names="value")
        self.kinds = w.ToggleButtons(options=[(t.t(f"kind.{k}"), k) for k in
                                              ("activity", "dpia", "party", "system", "role", "organisation")],
                                     value=self.kind, style={"button_width": "auto"})
        self.kinds.add_class("dpia-kinds")
        self.kinds.observe(lambda change: self.show(change["new"], self._take_pending()), names="value")
        self.search = w.Text(placeholder=t.t("ui.search"), continuous_update=True, layout=w.Layout(width="260px"))
        self.search.add_class("dpia-search")
        self.search.observe(lambda _: self._fill_picker(), names="value")
        self.picker = w.Dropdown(layout=w.Layout(width="420px"))
        self.picker.add_class("dpia-picker")
        self.picker.observe(self._picked, names="value")
        self.new_id = w.Text(placeholder=t.t("ui.new-id"), layout=w.Layout(width="300px"))
        self.new_id.add_class("dpia-new-id")
        self.add_button = self._button(t.t("ui.add"), "dpia-add", lambda: self.add_record(self.new_id.value.strip()))
        self.duplicate_button = self._button(t.t("ui.duplicate"), "dpia-duplicate",
                                             lambda: self.duplicate_record(self.new_id.value.strip()))
        self.remove_button = self._button(t.t("ui.remove"), "dpia-remove", self.ask_remove, style="danger")
        self.save_button = self._button(t.t("ui.save"), "dpia-save", self.save, style="primary")
        self.undo_button = self._button(t.t("ui.undo"), "dpia-undo", self.undo)
        self.discard_button = self._button(t.t("ui.discard"), "dpia-discard", self.ask_discard)
        self.status = w.HTML()
        self.status.add_class("dpia-status")
        self.confirm = w.VBox()
        self.confirm.add_class("dpia-confirm")
        self.form = w.VBox(layout=w.Layout(width="100%"))
        self.side = w.VBox(layout=w.Layout(width="440px", margin="0 0 0 16px"))
        self.screening = w.HTML()
        self.screening.add_class("dpia-screening")
        self.findings = w.Select(rows=10, layout=w.Layout(width="430px"))
        self.findings.add_class("dpia-findings")
        self.findings.observe(self._open_finding, names="value")
        self.problems = w.Select(rows=6, layout=w.Layout(width="430px"))
        self.problems.add_class("dpia-problems")
        self.problems.observe(self._open_problem, names="value")
        self.findings_title = w.HTML()
        self.problems_title = w.HTML()
        self.side.children = [self.screening, self.problems_title, self.problems, self.findings_title, self.findings]
        self.register_path = w.Text(value=str(self.session.root), layout=w.Layout(width="420px"))
        open_button = self._button(t.t("ui.open"), "dpia-open", self.ask_open)
        guard = w.HTML(_LEAVE_GUARD)
        self.widget.children = [
            w.HBox([self.heading, self.language], layout=w.Layout(justify_content="space-between")),
            self.kinds,
            w.HBox([self.search, self.picker, self.save_button, self.undo_button, self.discard_button]),
            self.status, self.confirm,
            w.HBox([self.form, self.side]),
            w.HBox([self.new_id, self.add_button, self.duplicate_button, self.remove_button]),
            w.HBox([w.HTML(f"<small>{html.escape(t.t('ui.open-register'))}</small>"), self.register_path,
                    open_button]),
            guard,
        ]
        self.show(self.kind, self.ident)

    @staticmethod
    def _button(text: str, css: str, action: Callable[[], Any], style: str = "") -> w.Button:
        button = w.Button(description=text, button_style=style, layout=w.Layout(width="auto"))
        button.add_class(css)
        button.on_click(lambda _: action())
        return button

    def set_language(self, language: str) -> None:
        """Show everything in ``language`` ('nl' or 'en')."""
        self.texts = Texts(language, self.session.data_dir)
        self._build()

    # ----------------------------------------------------------------- records
    @property
    def record(self) -> str | None:
        """The record shown, e.g. ``activity:newsletter`` or ``organisation``."""
        if self.kind == "organisation":
            return "organisation"
        return f"{self.kind}:{self.ident}" if self.ident else None

    def _name(self, kind: str, ident: str) -> str:
        register = self.session.register
        lang = self.texts.language
        if register is not None:
            found: Any = {"activity": register.activities, "party": register.parties,
                          "system": register.systems, "dpia": register.activities,
                          "role": {r.id: r for r in register.organisation.roles}}.get(kind, {}).get(ident)
            name = getattr(found, "name", None)
            if name is not None and hasattr(name, "get"):
                return str(name.get(lang))
        try:
            value = self.session.get(f"{kind}:{ident}", "name")
        except DpiaError:
            value = None
        return str(value.get(lang) or ident) if isinstance(value, dict) else ident

    def _options(self, source: str | None) -> list[tuple[str, str]]:
        """(label, id) pairs for a reference field: the name; for records of the register (roles, parties,
        systems, activities) the id second, since the officer chose those ids and two records may share a
        name; a catalogue entry by its label alone, with its id only when another entry has the same label."""
        register = self.session.register
        lang = self.texts.language
        if source is None or register is None:
            return []
        cat = register.catalogue
        pool: Mapping[str, Any]
        if source == "nodes":
            pool = {**register.parties, **register.activities}
        else:
            pool = {"roles": {r.id: r for r in register.organisation.roles}, "parties": register.parties,
                    "systems": register.systems, "activities": register.activities, "measures": cat.measures,
                    "categories": cat.categories, "data_subjects": cat.data_subjects,
                    "party_kinds": cat.party_kinds, "dossiers": cat.dossiers, "channels": cat.channels,
                    "risks": getattr(cat, "risks", {}) or {}}.get(source, {})
        named: list[tuple[str, str]] = []
        for ident, entry in pool.items():
            name = getattr(entry, "name", None) or getattr(entry, "label", None)
            named.append((name.get(lang) if name is not None and hasattr(name, "get") else str(ident), str(ident)))
        catalogue = source in ("measures", "categories", "data_subjects", "party_kinds", "dossiers", "channels",
                               "risks")
        texts = [text for text, _ in named]
        out = [(text if text == ident or (catalogue and texts.count(text) == 1) else f"{text} ({ident})", ident)
               for text, ident in named]
        return sorted(out, key=lambda o: o[0].lower())

    def _fill_picker(self, select: str | None = None) -> None:
        if self.kind == "organisation":
            self.picker.options, self.picker.disabled = [], True
            return
        self.picker.disabled = False
        query = self.search.value.strip().lower()
        ids = self.session.records(self.kind)
        options = [(f"{self._name(self.kind, i)} ({i})", i) for i in ids]
        options = [o for o in options if query in o[0].lower()] if query else options
        current = select or self.ident
        self._muted_picker = True
        try:
            self.picker.options = options
            self.picker.value = current if current in [v for _, v in options] else (options[0][1] if options else None)
        finally:
            self._muted_picker = False
        if self.picker.value != self.ident:
            self.ident = self.picker.value
            self._render()

    def _take_pending(self) -> str | None:
        ident, self._pending = self._pending, None
        return ident

    def open_tab(self, section: str) -> None:
        """Show the tab of ``section`` of the activity shown (e.g. ``'retention'``)."""
        if self.tabs is not None:
            names = [n for n, _ in SECTIONS] + ["other"]
            titles = [self.tabs.get_title(i) for i in range(len(self.tabs.children))]
            title = self.texts.t(f"section.{section}")
            if title in titles:
                self.tabs.selected_index = titles.index(title)
            del names

    def _picked(self, change: Any) -> None:
        if getattr(self, "_muted_picker", False):
            return
        self._tab = 0
        self._yaml_note = ""
        self.ident = change["new"]
        self._render()

    def show(self, kind: str, ident: str | None) -> None:
        """Show one record (``ident`` None: the first of its kind)."""
        if self.kinds.value != kind:
            self._pending = ident
            self.kinds.value = kind  # calls show again through the observer, with ident
            return
        self.kind, self.ident = kind, ident
        self._yaml_note = ""
        if ident is not None and self.search.value:
            self.search.value = ""
        self._fill_picker(ident)
        self._render()

    # ----------------------------------------------------------------- the form
    def _render(self) -> None:
        self.messages, self.inputs, self.items = {}, {}, {}
        record = self.record
        self.confirm.children = ()
        self.advanced: w.Accordion | None = None
        if record is None:
            self.form.children = ()
        else:
            specs = field_specs(MODELS[self.kind])
            try:
                data = self.session.get(record) or {}
            except DpiaError:
                data = {}
            head = w.HTML()
            head.add_class("dpia-record-messages")
            self.messages[""] = head
            if self.kind == "activity":  # one tab per section, each built when first opened
                sections = [n for n, _ in SECTIONS] + ["other"]
                pages = [(n, [s for s in specs if section_of(s.name) == n]) for n in sections]
                pages = [(n, items) for n, items in pages if items]
                boxes = [w.VBox() for _ in pages]
                tabs = w.Tab(children=boxes)
                tabs.add_class("dpia-tabs")
                for i, (section, _) in enumerate(pages):
                    tabs.set_title(i, self.texts.t(f"section.{section}"))

                def fill(index: int | None) -> None:
                    if self.tabs is not tabs:  # a click on a form being replaced: open that tab on the new one
                        if self.tabs is not None and index is not None and index < len(self.tabs.children):
                            self.tabs.selected_index = index
                        return
                    if index is None or boxes[index].children:
                        return
                    boxes[index].children = [self._field(s, (s.name,), data.get(s.name)) for s in pages[index][1]]
                    self._tab = index
                    self._refresh()

                index = min(getattr(self, "_tab", 0), len(pages) - 1)
                tabs.selected_index = index
                tabs.observe(lambda change: fill(change["new"]), names="selected_index")
                boxes[index].children = [self._field(s, (s.name,), data.get(s.name)) for s in pages[index][1]]
                self.tabs: w.Tab | None = tabs
                self.form.children = [head, tabs, self._advanced()]
            else:
                self.tabs = None
                self.form.children = [head, *(self._field(s, (s.name,), data.get(s.name)) for s in specs),
                                      self._advanced()]
        self._refresh()

    # ----------------------------------------------------------------- the advanced view
    def _advanced(self) -> w.Accordion:
        """The record's YAML as it sits in its file, editable; collapsed until the officer opens it."""
        t = self.texts
        self.yaml_area = w.Textarea(value="", continuous_update=False,
                                    layout=w.Layout(width="760px", height="360px"))
        self.yaml_area.add_class("dpia-yaml")
        self._yaml_shown: RecordYaml | None = None
        self.yaml_help = w.HTML()
        self.yaml_messages = w.HTML()
        self.yaml_messages.add_class("dpia-yaml-messages")
        apply = self._button(t.t("ui.apply"), "dpia-yaml-apply", self.apply_yaml)
        accordion = w.Accordion(children=[w.VBox([self.yaml_help, self.yaml_area, apply, self.yaml_messages])])
        accordion.set_title(0, t.t("section.advanced"))
        accordion.selected_index = 0 if self._advanced_open else None
        accordion.add_class("dpia-advanced")
        accordion.observe(self._advanced_toggled, names="selected_index")
        self.advanced = accordion
        return accordion

    def _advanced_toggled(self, change: Any) -> None:
        self._advanced_open = change["new"] == 0
        self._refresh_yaml()

    def open_advanced(self) -> None:
        """Open the advanced view of the record shown."""
        if self.advanced is not None:
            self.advanced.selected_index = 0

    def _refresh_yaml(self) -> None:
        """While the advanced view is open: the record's text as the session holds it (unless the officer
        typed in the box and has not applied it yet), and the record's problems with their line."""
        record = self.record
        if self.advanced is None or not self._advanced_open or record is None:
            return
        t = self.texts
        try:
            current = record_yaml(self.session, record)
            problems = self.session.problems_for(record)
        except DpiaError:
            return
        shown = self._yaml_shown
        if shown is None or self.yaml_area.value == shown.text:
            self.yaml_area.value = current.text
            self._yaml_shown = current
        self.yaml_help.value = f"<small style='color:#555'>{html.escape(t.t('help.advanced', file=current.file))}</small>"
        rows = []
        count = len(current.text.splitlines())
        for name, found in problems.items():
            for problem in found:
                line = problem.line - current.first_line + 1 if current.first_line else 0
                where = f"{t.t('msg.line', line=line)}: " if 0 < line <= count else ""
                rows.append(f"<li>{html.escape(where + plain_message(problem, name, t))}</li>")
        listing = (f"<div style='color:#a00'>{html.escape(t.t('msg.yaml-problems'))}<ul>{''.join(rows)}</ul></div>"
                   if rows else "")
        self.yaml_messages.value = (f"<div>{self._yaml_note}</div>" if self._yaml_note else "") + listing

    def apply_yaml(self, text: str | None = None) -> bool:
        """Apply the advanced view's text (or ``text``) to the record shown: every field whose value
        changed is set through the session in one step of undo; a text that cannot be read, or that
        changes the id, changes nothing and says why, naming the line and the field."""
        record = self.record
        if record is None or self.advanced is None:
            return False
        t = self.texts
        result = apply_record_yaml(self.session, record, self.yaml_area.value if text is None else text)
        if result.problems:
            self._yaml_note = _red(html.escape(self._yaml_problem(result.problems[0])))
            self._refresh_yaml()  # the officer's text stays in the box to correct
            return False
        if result.applied:
            fields = ", ".join(t.field(name) for name in result.applied)
            self._yaml_note = f"<span class='dpia-yaml-applied'>{html.escape(t.t('msg.yaml-applied', fields=fields))}</span>"
        else:
            self._yaml_note = html.escape(t.t("msg.yaml-unchanged"))
        self._render()  # every field shows the applied values; the box shows the file's text again
        return True

    def _yaml_problem(self, problem: Problem) -> str:
        t = self.texts
        label = t.field(problem.field) if problem.field else ""
        if problem.code == "not-a-mapping":
            return t.t("msg.yaml-not-mapping")
        if problem.code == "id-changed":
            return t.t("msg.yaml-id", label=label, line=problem.line)
        if problem.code == "refused":
            return t.t("msg.yaml-refused", label=label or t.t("ui.record"), line=problem.line, detail=problem.message)
        detail = next((t.t(key) for words, key in _SYNTAX_WORDS if words in problem.message), problem.message)
        near = " " + t.t("msg.yaml-near", label=label) if label else ""
        return t.t("msg.yaml-syntax", line=problem.line, near=near, detail=detail)

    def _label(self, spec: FieldSpec, depth: int) -> w.HTML:
        t = self.texts
        optional = "" if spec.required else f" <small style='color:#777'>({html.escape(t.t('ui.optional'))})</small>"
        tag = "b" if depth == 0 else "span"
        return w.HTML(f"<{tag}>{html.escape(t.field(spec.name))}</{tag}>{optional}", layout=w.Layout(width="230px"))

    def _message(self, path: tuple[Any, ...]) -> w.HTML:
        box = w.HTML()
        box.add_class("dpia-msg")
        box.add_class(f"dpia-msg-{_slug(path)}")
        self.messages[format_loc(path)] = box
        return box

    def _field(self, spec: FieldSpec, path: tuple[Any, ...], value: Any, depth: int = 0) -> w.Widget:
        """The widget of one field (recursively for nested records)."""
        t = self.texts
        help_text = t.help(spec.name, spec.help)
        helper = w.HTML(f"<small style='color:#555'>{html.escape(help_text)}</small>") if help_text else None
        if spec.kind in ("model", "models", "mapping"):
            body = self._nested(spec, path, value, depth)
            parts = [w.HTML(f"<b>{html.escape(t.field(spec.name))}</b>"), *([helper] if helper else []),
                     self._message(path), body]
            box = w.VBox(parts, layout=w.Layout(border="1px solid #ddd", padding="4px 8px", margin="4px 0"))
            box.add_class(f"dpia-field-{spec.name}")
            return box
        control = self._control(spec, path, value)
        control.add_class(f"dpia-field-{spec.name}")
        control.add_class(f"dpia-f-{_slug(path)}")
        self.inputs[format_loc(path)] = control
        row = w.VBox([w.HBox([self._label(spec, depth), control]), *([helper] if helper else []), self._message(path)])
        row.add_class(f"dpia-row-{spec.name}")
        return row

    def _control(self, spec: FieldSpec, path: tuple[Any, ...], value: Any) -> Any:
        t = self.texts
        kind = spec.kind
        wide = w.Layout(width="460px")
        if kind == "text":
            value = value if isinstance(value, dict) else {}
            boxes = []
            for lang in ("nl", "en"):
                box = w.Text(value=str(value.get(lang) or ""), placeholder=t.t(f"ui.{lang}"),
                             continuous_update=False, layout=w.Layout(width="460px"))
                box.add_class(f"dpia-f-{_slug((*path, lang))}")
                box.observe(self._text_changed(spec, path, lang), names="value")
                boxes.append(box)
            return w.VBox(boxes)
        if kind == "refs":
            return self._checkboxes(spec, path, value or [])
        if kind == "strings":
            tags = w.TagsInput(value=[str(v) for v in value or []], allow_duplicates=False, layout=wide)
            tags.observe(lambda change: self._edit(path, list(change["new"]) or None), names="value")
            return tags
        if kind in ("choice", "ref"):
            options: list[tuple[str, Any]]
            if kind == "choice":
                choices = spec.choices
                if spec.name == "dutch_exception":
                    condition = self.session.get(self.record or "", path[:-1] + ("condition",)) if self.record else None
                    choices = tuple(c for c in choices if c in exceptions_for(condition))
                options = [(choice_label(spec.vocabulary, c, t.language), c) for c in choices]
            else:
                options = list(self._options(spec.source))
            if not spec.required or value is None:
                options = [(t.t("ui.none"), None), *options]
            if value is not None and value not in [v for _, v in options]:
                options.append((str(value), value))
            drop = w.Dropdown(options=options, value=value, layout=wide)
            drop.observe(lambda change: self._edit(path, change["new"], rerender=spec.name == "condition"),
                         names="value")
            return drop
        if kind == "bool":
            box = w.Checkbox(value=bool(value), indent=False)
            box.observe(lambda change: self._edit(path, bool(change["new"])), names="value")
            return box
        if kind == "int":
            number = w.IntText(value=int(value) if isinstance(value, int) else 0, continuous_update=False,
                               layout=w.Layout(width="160px"))
            number.observe(lambda change: self._edit(path, int(change["new"])), names="value")
            return number
        if kind == "date":
            picker = w.DatePicker(value=value if isinstance(value, dt.date) else None)
            picker.observe(lambda change: self._edit(path, change["new"]), names="value")
            return picker
        if kind == "yaml":
            area = w.Textarea(value=_yaml_text(value), continuous_update=False,
                              layout=w.Layout(width="460px", height="110px"))
            area.observe(self._yaml_changed(path), names="value")
            return area
        if kind == "long":
            area = w.Textarea(value="" if value is None else str(value), continuous_update=False,
                              layout=w.Layout(width="460px", height="70px"))
            area.observe(self._line_changed(spec, path), names="value")
            return area
        line = w.Text(value="" if value is None else str(value), continuous_update=False, layout=wide,
                      disabled=path == ("id",) or path == ("activity",) and self.kind == "dpia")
        line.observe(self._line_changed(spec, path), names="value")
        return line

    def _checkboxes(self, spec: FieldSpec, path: tuple[Any, ...], value: list[Any]) -> w.Widget:
        """One checkbox per possible item: a click adds or removes exactly that item."""
        options = list(self._options(spec.source))
        known = {v for _, v in options}
        options += [(str(v), str(v)) for v in value if v not in known]
        boxes = []
        items = self.items[format_loc(path)] = {}
        for label, ident in options:
            box = w.Checkbox(value=ident in value, description=label, indent=False,
                             layout=w.Layout(width="auto", margin="0 12px 0 0"))
            box.add_class(f"dpia-item-{_slug([ident])}")
            box.observe(lambda change, ident=ident: self.toggle(path, ident, bool(change["new"])), names="value")
            boxes.append(box)
            items[ident] = box
        return w.GridBox(boxes, layout=w.Layout(grid_template_columns="repeat(2, 300px)", width="620px"))

    def _nested(self, spec: FieldSpec, path: tuple[Any, ...], value: Any, depth: int) -> w.Widget:
        t = self.texts
        if spec.kind == "model":
            if value is None:
                return self._button(t.t("ui.add-item"), f"dpia-add-{_slug(path)}",
                                    lambda: self._edit(path, {}, rerender=True))
            rows = [self._field(c, (*path, c.name), value.get(c.name) if isinstance(value, dict) else None, depth + 1)
                    for c in spec.children]
            if not spec.required:
                rows.append(self._button(t.t("ui.clear"), f"dpia-clear-{_slug(path)}",
                                         lambda: self._edit(path, None, rerender=True)))
            return w.VBox(rows)
        if spec.kind == "models":
            items = value if isinstance(value, list) else []
            boxes = []
            for i, item in enumerate(items):
                rows = [self._field(c, (*path, i, c.name), item.get(c.name) if isinstance(item, dict) else None,
                                    depth + 1) for c in spec.children]
                title = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"{i + 1}"
                remove = self._button(t.t("ui.remove-item"), f"dpia-remove-{_slug((*path, i))}",
                                      self._remover(path, i))
                boxes.append(w.VBox([w.HBox([w.HTML(f"<i>{html.escape(str(title))}</i>"), remove]), *rows],
                                    layout=w.Layout(border="1px dashed #ccc", padding="4px", margin="2px 0")))
            add = self._button(t.t("ui.add-item"), f"dpia-add-{_slug(path)}",
                               lambda: self._structure(lambda: self.session.add_item(
                                   self.record or "", path, self._skeleton(spec, items))))
            return w.VBox([*boxes, add])
        entries = value if isinstance(value, dict) else {}
        boxes = []
        names: dict[str, str] = {ident: label for label, ident in self._options(spec.key_source)}
        for key, entry in entries.items():
            rows = [self._field(c, (*path, key, c.name), entry.get(c.name) if isinstance(entry, dict) else None,
                                depth + 1) for c in spec.children]
            remove = self._button(t.t("ui.remove-item"), f"dpia-remove-{_slug((*path, key))}",
                                  self._key_remover(path, key))
            shown = names.get(key) or str(key)
            boxes.append(w.VBox([w.HBox([w.HTML(f"<i>{html.escape(shown)}</i>"), remove]), *rows],
                                layout=w.Layout(border="1px dashed #ccc", padding="4px", margin="2px 0")))
        choices = [(label, ident) for label, ident in self._options(spec.key_source) if ident not in entries]
        new_key = w.Dropdown(options=choices, layout=w.Layout(width="300px"))

        def add_key() -> None:
            if new_key.value:
                self._edit((*path, new_key.value), {}, rerender=True)

        add = self._button(t.t("ui.add-item"), f"dpia-add-{_slug(path)}", add_key)
        return w.VBox([*boxes, w.HBox([new_key, add])])

    def _remover(self, path: tuple[Any, ...], index: int) -> Callable[[], None]:
        return lambda: self._structure(lambda: self.session.remove_item(self.record or "", path, index))

    def _key_remover(self, path: tuple[Any, ...], key: str) -> Callable[[], None]:
        return lambda: self._edit((*path, key), None, rerender=True)

    def _skeleton(self, spec: FieldSpec, items: list[Any]) -> dict[str, Any]:
        names = {c.name for c in spec.children}
        if "id" not in names:
            return {}
        taken = {i.get("id") for i in items if isinstance(i, dict)}
        if spec.name == "flows":  # flow ids are unique in the whole register
            taken |= {f.id for a in (self.session.register.activities.values() if self.session.register else ())
                      for f in a.flows}
        prefix = f"{self.ident}-{spec.name}" if spec.name == "flows" else "new"
        n = 1
        while f"{prefix}-{n}" in taken:
            n += 1
        return {"id": f"{prefix}-{n}"}

    # ----------------------------------------------------------------- editing
    def _text_changed(self, spec: FieldSpec, path: tuple[Any, ...], lang: str) -> Callable[[Any], None]:
        def changed(change: Any) -> None:
            text = str(change["new"]).strip()
            other = self.session.get(self.record or "", (*path, "en" if lang == "nl" else "nl")) if self.record else None
            if not text and not other and not spec.required:
                self._edit(path, None)
            else:
                self._edit((*path, lang), text)
        return changed

    def _line_changed(self, spec: FieldSpec, path: tuple[Any, ...]) -> Callable[[Any], None]:
        def changed(change: Any) -> None:
            text = str(change["new"]).strip()
            self._edit(path, text if text or spec.required else None)
        return changed

    def _yaml_changed(self, path: tuple[Any, ...]) -> Callable[[Any], None]:
        def changed(change: Any) -> None:
            text = str(change["new"])
            data, problems = parse_yaml(text, "field") if text.strip() else (None, [])
            box = self.messages.get(format_loc(path))
            if problems:
                if box is not None:
                    box.value = _red(self.texts.t("msg.bad-yaml", detail=problems[0].message))
                return
            self._edit(path, data)
        return changed

    def toggle(self, path: tuple[Any, ...], item: str, on: bool) -> None:
        """Add (``on``) or remove one item of the set at ``path``; never touches the other items."""
        record = self.record
        if record is None:
            return
        current = list(self.session.get(record, path) or [])
        if on and item not in current:
            current.append(item)
        elif not on and item in current:
            current = [c for c in current if c != item]
        else:
            return
        self._edit(path, current)

    def _edit(self, path: tuple[Any, ...], value: Any, *, rerender: bool = False) -> None:
        record = self.record
        if record is None:
            return
        self._yaml_note = ""
        try:
            if value != self.session.get(record, path) or value is None:
                self.session.set(record, path, value)
        except DpiaError as exc:
            self._say(_red(html.escape(str(exc))))
            return
        if rerender:
            self._render()
        else:
            self._refresh()

    def _structure(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except DpiaError as exc:
            self._say(_red(html.escape(str(exc))))
            return
        self._render()

    def undo(self) -> None:
        """Undo the last change."""
        if self.session.undo():
            self._after_records_changed()

    def ask_discard(self) -> None:
        """Ask, then drop every unsaved change."""
        n = len(self.session.changes)
        if not self.session.dirty:
            return
        self._ask(self.texts.t("msg.confirm-discard", n=n), self.texts.t("ui.yes-discard"), self.discard)

    def discard(self) -> None:
        """Drop every unsaved change (no question)."""
        self.session.discard()
        self._after_records_changed()

    def _after_records_changed(self) -> None:
        ids = self.session.records(self.kind) if self.kind != "organisation" else []
        if self.kind != "organisation" and self.ident not in ids:
            self.ident = ids[0] if ids else None
        self._fill_picker(self.ident)
        self._render()

    # ----------------------------------------------------------------- add, duplicate, remove
    def _new_record(self, ident: str) -> Any:
        register = self.session.register
        officer = register.organisation.privacy_officer_role if register else "privacy-officer"
        name = {"nl": ident, "en": ident}
        today = self.as_of
        return {
            "activity": {"id": ident, "name": name, "owner": officer,
                         "purposes": [{"id": "main", "description": {"nl": "-", "en": "-"}}],
                         "data_subjects": [], "categories": [], "data_subjects_per_year": 0,
                         "dpia": {"status": "needed"}, "last_review": today},
            "party": {"id": ident, "name": name, "kind": "independent-provider", "role": "recipient"},
            "system": {"id": ident, "name": name},
            "role": {"id": ident, "name": name, "confidentiality": "none"},
            "dpia": {"activity": ident, "necessity": {"nl": "-", "en": "-"}, "proportionality": {"nl": "-", "en": "-"},
                     "subsidiarity": {"nl": "-", "en": "-"},
                     "data_subject_views": {"consulted": False, "how": {"nl": "-", "en": "-"}},
                     "review_date": today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29)
                     else today + dt.timedelta(days=365)},
        }.get(self.kind)

    def _checked_id(self, ident: str) -> bool:
        try:
            check_id(ident, self.kind)
        except DpiaError:
            self._say(_red(html.escape(self.texts.t("msg.bad-id"))))
            return False
        if ident in self.session.records(self.kind):
            self._say(_red(html.escape(self.texts.t("msg.exists", id=ident))))
            return False
        return True

    def add_record(self, ident: str) -> None:
        """Add a record of the kind shown with a minimal skeleton to fill in (problems show what is missing)."""
        data = self._new_record(ident)
        if data is None or not self._checked_id(ident):
            return
        self._structure(lambda: self.session.add_record(self.kind, data))
        self.new_id.value = ""
        self.show(self.kind, ident)

    def duplicate_record(self, ident: str) -> None:
        """Add a copy of the record shown under a new id."""
        record = self.record
        if record is None or self.kind == "organisation" or not self._checked_id(ident):
            return
        self._structure(lambda: self.session.duplicate_record(record, ident))
        self.new_id.value = ""
        self.show(self.kind, ident)

    def ask_remove(self) -> None:
        """Ask before removing the record shown, listing every record that refers to it."""
        record = self.record
        if record is None or self.kind == "organisation":
            return
        t = self.texts
        refs = self.session.references_to(record)
        if self.kind == "activity" and self.ident in self.session.records("dpia"):
            refs.append((f"dpia:{self.ident}", "activity"))
        items = "".join(
            f"<li>{html.escape(self._name(r.partition(':')[0], r.partition(':')[2]))} "
            f"<small>({html.escape(r)})</small>: {html.escape(self._field_words(f))}</li>" for r, f in refs)
        listing = f"<p>{html.escape(t.t('msg.referenced-by'))}</p><ul class='dpia-references'>{items}</ul>" \
            if refs else f"<p>{html.escape(t.t('msg.not-referenced'))}</p>"
        name = self._name(self.kind, self.ident or "")
        self._ask(t.t("msg.confirm-remove", name=name), t.t("ui.yes-remove"), lambda: self._remove(record),
                  extra=listing)

    def _field_words(self, field: str) -> str:
        names = [p for p in re.split(r"[.\[\]]", field) if p and not p.isdigit()]
        return self.texts.field(names[-1]) if names else ""

    def _remove(self, record: str) -> None:
        self._structure(lambda: self.session.remove_record(record))
        self._after_records_changed()

    def _ask(self, question: str, yes: str, action: Callable[[], Any], extra: str = "") -> None:
        def answer(ok: bool) -> None:
            self.confirm.children = ()
            if ok:
                action()
        yes_button = self._button(yes, "dpia-confirm-yes", lambda: answer(True), style="danger")
        no_button = self._button(self.texts.t("ui.cancel"), "dpia-confirm-no", lambda: answer(False))
        self.confirm.children = [w.HTML(f"<b>{html.escape(question)}</b>{extra}"), w.HBox([yes_button, no_button])]

    def ask_open(self) -> None:
        """Open the register named in the box (asking first when there are unsaved changes)."""
        if self.session.dirty:
            self._ask(self.texts.t("msg.confirm-switch"), self.texts.t("ui.open"), self._open)
        else:
            self._open()

    def _open(self) -> None:
        try:
            session = EditSession(self.register_path.value.strip(), user=self.session.user, as_of=self.as_of)
        except DpiaError as exc:
            self._say(_red(html.escape(str(exc).splitlines()[0])))
            return
        self.session, self.ident = session, None
        self._build()

    # ----------------------------------------------------------------- feedback
    def _say(self, text: str) -> None:
        self.status.value = text + self._unsaved()

    def _unsaved(self) -> str:
        n = len(self.session.changes)
        if not self.session.dirty:
            return ""
        return f" <span class='dpia-unsaved'>{html.escape(self.texts.t('msg.unsaved', n=n))}</span>"

    def _refresh(self) -> None:
        """Problems next to their fields, the screening, the register's findings and problems, the status."""
        t = self.texts
        record = self.record
        by_field: dict[str, list[Problem]] = {}
        if record is not None:
            try:
                by_field = self.session.problems_for(record)
            except DpiaError:
                by_field = {}
        shown: dict[str, list[str]] = {}
        for name, problems in by_field.items():
            target = name
            while target and target not in self.messages:  # the nearest enclosing field on this tab
                parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", target)
                target = "" if parent == target else parent  # a top-level field on another tab: none here
            for problem in problems:
                shown.setdefault(target, []).append(plain_message(problem, name, t))
        for key, box in self.messages.items():
            texts = shown.get(key, [])
            box.value = "".join(f"<div style='color:#a00'>{html.escape(m)}</div>" for m in texts)
        self._refresh_side()
        self._refresh_yaml()
        self.undo_button.disabled = not self.session.can_undo
        self.discard_button.disabled = not self.session.dirty
        if not self.status.value.startswith("<b") or not self.session.dirty:
            self.status.value = self._unsaved().strip()

    def _refresh_side(self) -> None:
        t = self.texts
        session = self.session
        if self.kind == "activity" and self.ident:
            screening = session.screenings.get(self.ident)
            if session.register is None:
                text = html.escape(t.t("msg.unreadable"))
            elif screening is None:
                text = ""
            else:
                verdict = t.t(f"verdict.{screening.verdict.value}")
                text = html.escape(t.t("msg.verdict", verdict=verdict))
            self.screening.value = f"<h4 style='margin:4px 0'>{html.escape(t.t('ui.screening'))}</h4>" \
                                   f"<span class='dpia-verdict'>{text}</span>"
        else:
            self.screening.value = ""
        problems: list[tuple[str, str | None]] = []
        for i, p in enumerate(session.problems):
            place = session.record_of(p.path, p.field)
            if place is None:
                problems.append((f"{Path(p.path).name}: {p.message}", None))
                continue
            kind, _, ident = place[0].partition(":")
            who = self._name(kind, ident) if ident else t.t("kind.organisation")
            problems.append((f"{who}: {plain_message(p, place[1], t)}", f"p{i}"))
        self._problem_places = {f"p{i}": session.record_of(p.path, p.field) for i, p in enumerate(session.problems)}
        self.problems_title.value = f"<h4 style='margin:4px 0'>{html.escape(t.t('ui.problems'))} ({len(problems)})</h4>"
        self._set_options(self.problems, problems or [(t.t("msg.none-found"), None)])
        findings = session.findings
        options = []
        severity = {"high": "●●●", "medium": "●●", "low": "●"}
        for i, f in enumerate(findings):
            who = self._name("activity", f.activity) if f.activity else ""
            options.append((f"{severity.get(str(f.severity.value), '')} {who}: {f.message}", f"f{i}"))
        self._finding_places = {f"f{i}": f for i, f in enumerate(findings)}
        self.findings_title.value = f"<h4 style='margin:4px 0'>{html.escape(t.t('ui.findings'))} ({len(findings)})</h4>"
        self._set_options(self.findings, options or [(t.t("msg.none-found"), None)])

    def _set_options(self, select: w.Select, options: list[tuple[str, Any]]) -> None:
        self._muted_select = True
        try:
            select.options = options
            select.value = None
        finally:
            self._muted_select = False

    def _open_finding(self, change: Any) -> None:
        if getattr(self, "_muted_select", False):
            return
        finding = getattr(self, "_finding_places", {}).get(change["new"])
        if finding is None:
            return
        place = self.session.record_of(finding.path, finding.field)
        if place is not None:
            kind, _, ident = place[0].partition(":")
            self.show(kind, ident or None)
        elif finding.activity:
            self.show("activity", finding.activity)

    def _open_problem(self, change: Any) -> None:
        if getattr(self, "_muted_select", False):
            return
        place = getattr(self, "_problem_places", {}).get(change["new"])
        if place is not None:
            kind, _, ident = place[0].partition(":")
            self.show(kind, ident or None)

    # ----------------------------------------------------------------- saving
    def save(self, prefer: str | None = None) -> bool:
        """Save through the session; say what was written, or why not (the edits stay)."""
        t = self.texts
        try:
            result = self.session.save(prefer=prefer)
        except InvalidSaveError as exc:
            items = []
            for p in exc.problems[:20]:
                place = self.session.record_of(p.path, p.field)
                if place is None:
                    items.append(f"{Path(p.path).name}: {p.message}")
                else:
                    kind, _, ident = place[0].partition(":")
                    who = self._name(kind, ident) if ident else t.t("kind.organisation")
                    items.append(f"{who}: {plain_message(p, place[1], t)}")
            listing = "".join(f"<li>{html.escape(i)}</li>" for i in items)
            self._render()
            self.status.value = (f"<b class='dpia-refused' style='color:#a00'>{html.escape(t.t('msg.refused'))}</b>"
                                 f"<ul>{listing}</ul>{self._unsaved()}")
            return False
        except MergeConflictError as exc:
            rows = "".join(
                f"<li>{html.escape(r)} {html.escape(f)}: <b>{html.escape(str(mine))}</b> / {html.escape(str(theirs))}</li>"
                for r, f, mine, theirs in exc.overlaps)
            self.status.value = (f"<b class='dpia-conflict' style='color:#a00'>{html.escape(t.t('msg.conflict'))}</b>"
                                 f"<ul>{rows}</ul>{self._unsaved()}")
            mine = self._button(t.t("ui.keep-mine"), "dpia-keep-mine", lambda: self.save("mine"))
            theirs = self._button(t.t("ui.take-theirs"), "dpia-take-theirs", lambda: self.save("theirs"))
            self.confirm.children = [w.HBox([mine, theirs])]
            return False
        except DpiaError as exc:
            self.status.value = f"<b style='color:#a00'>{html.escape(str(exc).splitlines()[0])}</b>{self._unsaved()}"
            return False
        self.confirm.children = ()
        names = ", ".join(str(p.relative_to(self.session.root)) for p in result.files)
        text = t.t("msg.saved", files=names) if names else t.t("msg.nothing")
        merged = (f"<div class='dpia-merged'>{html.escape(t.t('msg.merged', what=', '.join(result.merged)))}</div>"
                  if result.merged else "")
        self._after_records_changed()
        self.status.value = f"<span class='dpia-saved'>{html.escape(text)}</span>{merged}"
        return True


def _red(text: str) -> str:
    return f"<span style='color:#a00'>{text}</span>"


def _yaml_text(value: Any) -> str:
    if value is None:
        return ""
    from dpia_lib.editing.roundtrip import dump_rt, to_rt

    return dump_rt(to_rt(value)).rstrip("\n") if isinstance(value, (dict, list)) else \
        dump_rt(to_rt({"v": value}))[3:].strip("\n")


def editor_from_environment(*, user: str | None = None, language: str = "nl") -> EditorApp:
    """The editor on the register named by ``$DPIA_REGISTER`` (default: the shipped ``ropa/``)."""
    return EditorApp(EditSession(register_from_environment(), user=user), language=language)
