"""The register editor as an ipywidgets app (``notebooks/editor.ipynb``, also servable with Voilà).

:class:`EditorApp` shows one activity or party at a time with a widget fitted to each field
(:mod:`dpia_lib.editing.fields`), validates the whole register after every change and shows the problems
next to the field, shows the activity's screening verdict and rule findings when the engine modules are
installed, adds and removes activities, parties and flows, and saves through :class:`EditSession`.
Everything shown as HTML is escaped. The app is plain Python: tests drive it without a browser.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from dpia_lib.diagnostics import Problem
from dpia_lib.editing.fields import FieldSpec, field_specs
from dpia_lib.editing.save import InvalidSaveError
from dpia_lib.editing.session import EditSession
from dpia_lib.errors import DpiaError, ParameterError
from dpia_lib.law import LegalBasis, PartyRole
from dpia_lib.loading import DEFAULT_DATA_DIR
from dpia_lib.records import Activity, Frequency, Party
from dpia_lib.yamlio import parse_yaml

__all__ = ["REGISTER_ENV", "EditorApp", "FieldEditor", "editor_from_environment", "engine_summary",
           "register_from_environment"]

#: Environment variable naming the register folder the editor notebook opens.
REGISTER_ENV = "DPIA_REGISTER"


def register_from_environment() -> Path:
    """The register folder: ``$DPIA_REGISTER`` if set, else the shipped ``ropa/``."""
    value = os.environ.get(REGISTER_ENV)
    return Path(value) if value else DEFAULT_DATA_DIR.parent / "ropa"


def _messages_html(problems: list[Problem]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{html.escape(p.code)}: {html.escape(p.message)} (line {p.line})</li>" for p in problems)
    return f"<ul class='dpia-problems' style='color:#a00;margin:0'>{items}</ul>"


def _yaml_text(value: Any) -> str:
    if value is None:
        return ""
    from dpia_lib.editing.roundtrip import dump_rt, to_rt

    return dump_rt(to_rt({"v": value}))[3:].strip("\n") if not isinstance(value, (dict, list)) else \
        dump_rt(to_rt(value)).rstrip("\n")


class FieldEditor:
    """One field: label, input widget, help text and the live problem messages."""

    def __init__(self, spec: FieldSpec, options: list[str], on_change: Callable[[FieldEditor], None]) -> None:
        self.spec = spec
        self.error = ""  # a problem converting the widget's value (e.g. bad YAML)
        self.input = self._make(spec, options)
        self.input.add_class(f"dpia-field-{spec.name}")
        self.message = w.HTML(layout=w.Layout(width="auto"))
        label = w.HTML(f"<b>{html.escape(spec.name)}</b>{'' if spec.required else ' (optional)'}",
                       layout=w.Layout(width="210px"))
        helper = w.HTML(f"<small style='color:#555'>{html.escape(spec.help)}</small>")
        self.row = w.VBox([w.HBox([label, self.input]), helper, self.message])
        self._muted = False
        self._on_change = on_change
        for widget in self._inputs():
            widget.observe(self._changed, names="value")

    def _make(self, spec: FieldSpec, options: list[str]) -> Any:
        layout = w.Layout(width="520px")
        if spec.kind == "choice":
            choices = [("—", None)] if not spec.required else []
            return w.Dropdown(options=choices + [(c, c) for c in spec.choices], layout=layout)
        if spec.kind == "ref":
            return w.Dropdown(options=[("—", None)] + [(o, o) for o in options], layout=layout)
        if spec.kind == "refs":
            return w.SelectMultiple(options=options, rows=min(8, max(3, len(options))), layout=layout)
        if spec.kind == "bool":
            return w.Checkbox(indent=False)
        if spec.kind == "int":
            return w.IntText(layout=w.Layout(width="160px"), continuous_update=False)
        if spec.kind == "date":
            return w.DatePicker()
        if spec.kind == "text":
            return w.VBox([w.Text(placeholder="nl", continuous_update=False, layout=layout),
                           w.Text(placeholder="en", continuous_update=False, layout=layout)])
        if spec.kind == "long":
            return w.Textarea(layout=w.Layout(width="520px", height="70px"), continuous_update=False)
        if spec.kind == "yaml":
            return w.Textarea(layout=w.Layout(width="520px", height="110px"), continuous_update=False)
        return w.Text(layout=layout, continuous_update=False, disabled=spec.name == "id")

    def _inputs(self) -> list[Any]:
        return list(self.input.children) if self.spec.kind == "text" else [self.input]

    def _changed(self, _change: Any) -> None:
        if not self._muted:
            self._on_change(self)

    def show(self, value: Any) -> None:
        """Put a register value into the widget without triggering an edit."""
        self._muted = True
        try:
            kind = self.spec.kind
            if kind == "text":
                value = value if isinstance(value, dict) else {}
                self.input.children[0].value = str(value.get("nl") or "")
                self.input.children[1].value = str(value.get("en") or "")
            elif kind == "refs":
                known = set(self.input.options)
                self.input.options = list(self.input.options) + [v for v in value or [] if v not in known]
                self.input.value = tuple(value or ())
            elif kind in ("choice", "ref"):
                values = [v for _, v in self.input.options]
                if value is not None and value not in values:
                    self.input.options = list(self.input.options) + [(str(value), value)]
                self.input.value = value
            elif kind == "bool":
                self.input.value = bool(value)
            elif kind == "int":
                self.input.value = int(value or 0)
            elif kind == "date":
                self.input.value = value if isinstance(value, dt.date) else None
            elif kind == "yaml":
                self.input.value = _yaml_text(value)
            else:
                self.input.value = "" if value is None else str(value)
        finally:
            self._muted = False

    def value(self) -> Any:
        """The widget's value as register data (None for an empty optional field)."""
        self.error = ""
        kind = self.spec.kind
        if kind == "text":
            nl, en = (c.value.strip() for c in self.input.children)
            return None if not (nl or en) and not self.spec.required else {"nl": nl, "en": en}
        if kind == "refs":
            return list(self.input.value)
        if kind == "yaml":
            text = self.input.value
            if not text.strip():
                return None
            data, problems = parse_yaml(text, self.spec.name)
            if problems:
                self.error = problems[0].message
                raise ParameterError(f"{self.spec.name}: {problems[0].message} (line {problems[0].line})")
            return data
        if kind in ("line", "long"):
            return self.input.value.strip() or None
        return self.input.value

    def set_problems(self, problems: list[Problem]) -> None:
        """Show the problems of this field (empty: clear)."""
        extra = f"<div style='color:#a00'>{html.escape(self.error)}</div>" if self.error else ""
        self.message.value = extra + _messages_html(problems)


def engine_summary(register: Any, activity_id: str, as_of: dt.date) -> str:
    """HTML with the activity's screening verdict and rule findings, or why they cannot be shown.

    The engine modules (:mod:`dpia_lib.screening`, :mod:`dpia_lib.rules`) are imported on demand: the
    editor works without them and shows their result as soon as they are installed.
    """
    if register is None:
        return "<i>The register cannot be read with the current edits; fix the problems shown.</i>"
    parts = []
    try:
        screening = importlib.import_module("dpia_lib.screening")
        result = screening.screen_activity(register, activity_id)
        reasons = "".join(f"<li>{html.escape(str(r.code))}</li>" for r in result.reasons)
        parts.append(f"<p><b>Screening verdict:</b> <span class='dpia-verdict'>"
                     f"{html.escape(str(result.verdict))}</span></p><ul>{reasons}</ul>")
    except ImportError:
        parts.append("<p><i>Screening is not installed yet.</i></p>")
    except Exception as exc:  # noqa: BLE001 - the editor must stay usable whatever the engine does
        parts.append(f"<p><i>Screening failed: {html.escape(type(exc).__name__)}: {html.escape(str(exc))}</i></p>")
    try:
        rules = importlib.import_module("dpia_lib.rules")
        findings = [f for f in rules.check(register, as_of) if f.activity == activity_id]
        items = "".join(f"<li>{html.escape(str(f.severity))} {html.escape(f.code)}: {html.escape(f.message)}</li>"
                        for f in findings)
        parts.append(f"<p><b>Findings:</b> {len(findings)}</p><ul class='dpia-findings'>{items}</ul>")
    except ImportError:
        parts.append("<p><i>Rule checks are not installed yet.</i></p>")
    except Exception as exc:  # noqa: BLE001 - as above
        parts.append(f"<p><i>Rule checks failed: {html.escape(type(exc).__name__)}: {html.escape(str(exc))}</i></p>")
    return "".join(parts)


class EditorApp:
    """The editor: a record picker, a form of :class:`FieldEditor` rows, flows, engine output and Save."""

    def __init__(self, session: EditSession, *, as_of: dt.date | None = None) -> None:
        self.session = session
        self.as_of = as_of or dt.date.today()
        self.kind = w.ToggleButtons(options=[("Activities", "activity"), ("Parties", "party")], value="activity")
        self.picker = w.Dropdown(description="Record", layout=w.Layout(width="520px"))
        self.picker.add_class("dpia-picker")
        self.form = w.VBox()
        self.flows = w.VBox()
        self.engine = w.HTML()
        self.status = w.HTML()
        self.status.add_class("dpia-status")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.save_button.add_class("dpia-save")
        self.new_id = w.Text(placeholder="new id (a slug)")
        self.add_button = w.Button(description="Add")
        self.remove_button = w.Button(description="Remove this record", button_style="danger")
        self.editors: dict[str, FieldEditor] = {}
        self.kind.observe(lambda _: self._refresh_picker(), names="value")
        self.picker.observe(lambda _: self._show_record(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.add_button.on_click(lambda _: self.add_record(self.new_id.value.strip()))
        self.remove_button.on_click(lambda _: self.remove_record())
        self.widget = w.VBox([
            w.HTML("<h2>Register editor</h2>"),
            w.HBox([self.kind, self.save_button]), self.status,
            w.HBox([self.picker, self.remove_button]), w.HBox([self.new_id, self.add_button]),
            w.HBox([self.form, w.VBox([w.HTML("<h3>Screening and findings</h3>"), self.engine],
                                      layout=w.Layout(width="420px", margin="0 0 0 20px"))]),
            self.flows,
        ])
        self._refresh_picker()

    @property
    def record(self) -> str | None:
        """The record shown, e.g. ``activity:newsletter``."""
        return f"{self.kind.value}:{self.picker.value}" if self.picker.value else None

    def _options(self, source: str | None) -> list[str]:
        register = self.session.register
        if register is None or source is None:
            return []
        catalogue = register.catalogue
        values: dict[str, Any] = {
            "roles": register.roles, "parties": register.parties, "systems": register.systems,
            "measures": catalogue.measures, "categories": catalogue.categories,
            "data_subjects": catalogue.data_subjects, "party_kinds": catalogue.party_kinds,
            "dossiers": catalogue.dossiers, "channels": catalogue.channels,
        }
        return sorted(values.get(source, {}))

    def _refresh_picker(self, select: str | None = None) -> None:
        ids = self.session.records(self.kind.value)
        self.picker.options = ids
        self.picker.value = select if select in ids else (ids[0] if ids else None)
        self._show_record()

    def _show_record(self) -> None:
        record = self.record
        self.editors = {}
        if record is None:
            self.form.children, self.flows.children = (), ()
            return
        model = Activity if self.kind.value == "activity" else Party
        for spec in field_specs(model):
            editor = FieldEditor(spec, self._options(spec.source), self._field_changed)
            editor.show(self.session.get(record, spec.name))
            self.editors[spec.name] = editor
        self.form.children = [e.row for e in self.editors.values()]
        self._show_flows()
        self._update_messages()

    def _field_changed(self, editor: FieldEditor) -> None:
        record = self.record
        if record is None:
            return
        try:
            value = editor.value()
            if value != self.session.get(record, editor.spec.name):
                self.session.set(record, editor.spec.name, value)
            self.status.value = ""
        except DpiaError as exc:
            editor.error = str(exc)
        self._update_messages()

    def _update_messages(self) -> None:
        record = self.record
        if record is None:
            return
        by_field = self.session.problems_for(record)
        for name, editor in self.editors.items():
            editor.set_problems([p for key, items in by_field.items() for p in items
                                 if key == name or key.startswith((name + ".", name + "["))])
        known = set(self.editors)
        rest = [p for key, items in by_field.items() for p in items if key.split(".")[0].split("[")[0] not in known]
        others = len(self.session.problems) - sum(len(v) for v in by_field.values())
        note = f"<p>{others} problem(s) elsewhere in the register.</p>" if others else ""
        self.engine.value = (_messages_html(rest) + note +
                             (engine_summary(self.session.register, self.picker.value, self.as_of)
                              if self.kind.value == "activity" else ""))
        changes = len(self.session.changes)
        if changes and not self.status.value.startswith("<b>Save refused"):
            self.status.value = f"{changes} unsaved change(s)."

    def _show_flows(self) -> None:
        record = self.record
        if self.kind.value != "activity" or record is None:
            self.flows.children = ()
            return
        flows = self.session.get(record, "flows") or []
        rows = "".join(
            f"<tr><td>{html.escape(str(f.get('id')))}</td><td>{html.escape(str(f.get('from')))} → "
            f"{html.escape(str(f.get('to')))}</td><td>{html.escape(', '.join(map(str, f.get('categories') or [])))}"
            f"</td></tr>" for f in flows if isinstance(f, dict))
        pick = w.Dropdown(options=[str(f.get("id")) for f in flows if isinstance(f, dict)], description="Flow")
        remove = w.Button(description="Remove flow")
        remove.on_click(lambda _: self._flow_edit(lambda: self.session.remove_flow(self.picker.value, pick.value)))
        nodes = sorted({*self.session.records("activity"), *self.session.records("party")})
        fid = w.Text(placeholder="flow id")
        src = w.Dropdown(options=nodes, description="from")
        dst = w.Dropdown(options=nodes, description="to")
        cats = w.SelectMultiple(options=self._options("categories"), rows=4, description="categories")
        channel = w.Dropdown(options=self._options("channels"), description="channel")
        frequency = w.Dropdown(options=list(_literal(Frequency)), description="frequency")
        basis = w.Dropdown(options=[b.value for b in LegalBasis], description="basis")
        add = w.Button(description="Add flow")
        add.on_click(lambda _: self._flow_edit(lambda: self.session.add_flow(self.picker.value, {
            "id": fid.value.strip(), "from": src.value, "to": dst.value, "categories": list(cats.value),
            "channel": channel.value, "ground": {"basis": basis.value}, "frequency": frequency.value})))
        self.flows.children = [
            w.HTML(f"<h3>Flows</h3><table>{rows}</table>"), w.HBox([pick, remove]),
            w.HBox([fid, src, dst]), w.HBox([cats, w.VBox([channel, frequency, basis, add])]),
        ]

    def _flow_edit(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except DpiaError as exc:
            self.status.value = f"<span style='color:#a00'>{html.escape(str(exc))}</span>"
        self._show_flows()
        self._update_messages()

    def add_record(self, ident: str) -> None:
        """Add an activity or party (by the kind shown) with a minimal skeleton to fill in."""
        register = self.session.register
        try:
            if self.kind.value == "activity":
                owner = register.organisation.privacy_officer_role if register else "privacy-officer"
                self.session.add_activity({
                    "id": ident, "name": {"nl": ident, "en": ident}, "owner": owner,
                    "purposes": [{"id": "main", "description": {"nl": "(doel)", "en": "(purpose)"},
                                  "basis": "legitimate-interests"}],
                    "data_subjects": self._options("data_subjects")[:1],
                    "categories": ["name-contact"], "data_subjects_per_year": 0,
                    "dpia": {"status": "needed"}, "last_review": self.as_of,
                })
            else:
                self.session.add_party({"id": ident, "name": {"nl": ident, "en": ident},
                                        "kind": "employer", "role": PartyRole.RECIPIENT.value})
        except DpiaError as exc:
            self.status.value = f"<span style='color:#a00'>{html.escape(str(exc))}</span>"
            return
        self.new_id.value = ""
        self._refresh_picker(select=ident)

    def remove_record(self) -> None:
        """Remove the record shown (validation then flags what still refers to it)."""
        if self.picker.value is None:
            return
        if self.kind.value == "activity":
            self.session.remove_activity(self.picker.value)
        else:
            self.session.remove_party(self.picker.value)
        self._refresh_picker()

    def save(self) -> bool:
        """Save through the session; show what was written or why the save was refused."""
        try:
            result = self.session.save()
        except InvalidSaveError as exc:
            self.status.value = ("<b>Save refused</b>: the register would be invalid; nothing was written."
                                 + _messages_html(list(exc.problems)[:20]))
            return False
        except DpiaError as exc:
            self.status.value = f"<b>Save refused</b>: {html.escape(str(exc))}"
            return False
        names = ", ".join(str(p.relative_to(self.session.root)) for p in result.files) or "nothing to save"
        self.status.value = f"<span class='dpia-saved'>Saved: {html.escape(names)}</span>"
        return True


def _literal(tp: Any) -> tuple[str, ...]:
    import typing

    return tuple(str(a) for a in typing.get_args(tp))


def editor_from_environment(*, user: str | None = None) -> EditorApp:
    """The editor on the register named by ``$DPIA_REGISTER`` (default: the shipped ``ropa/``)."""
    return EditorApp(EditSession(register_from_environment(), user=user))
