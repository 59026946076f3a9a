"""Property tests: whatever YAML-ish text a register file holds, loading and validating raise nothing but
DpiaError subclasses; and load -> edit -> save -> load gives back exactly what was edited.

Budgets are fixed and derandomized (reproducible in CI): 300 examples for each of the three loader
properties and 150 for the save round trip (each example there validates, writes and reloads the whole
register twice); 1050 examples in all. The editor's own loading of hostile files is covered by
test_bad_input.py.
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dpia_lib.editing import EditSession
from dpia_lib.errors import DpiaError, RegisterError
from dpia_lib.loading import load_register, read_register
from dpia_lib.validation import validate_register
from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent
NEWSLETTER = (REPO / "ropa/activities/newsletter.yaml").read_text(encoding="utf-8")
LOADER = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROUND_TRIP = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])

YAML_CHARS = st.sampled_from(list(":-[]{},#&*!|>'\"%@`?\n\t ") + list(string.ascii_letters + string.digits)
                             + ["\u00e9", "\u202e", "\x00", "\x85", "\ufeff", "\U0001f600"])


def _copy(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


def _mutations() -> st.SearchStrategy[str]:
    """The newsletter file with a slice of it replaced by random YAML-ish text."""
    return st.tuples(st.integers(0, len(NEWSLETTER)), st.integers(0, 40), st.text(YAML_CHARS, max_size=40)).map(
        lambda t: NEWSLETTER[:t[0]] + t[2] + NEWSLETTER[t[0] + t[1]:])


def _yaml_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                        st.text(max_size=20), st.dates())
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=20)


def _check_loader(root: Path, content: bytes) -> None:
    (root / "activities/newsletter.yaml").write_bytes(content)
    try:
        result = validate_register(root)  # never raises for problems in files
    except DpiaError:  # pragma: no cover - allowed by the property, not expected
        return
    for problem in result.problems:
        assert problem.line >= 0 and problem.message and problem.format()


def test_loader_raises_only_dpia_errors_on_mutated_files(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    runs = []

    @LOADER
    @given(_mutations())
    def prop(text: str) -> None:
        runs.append(1)
        _check_loader(root, text.encode("utf-8", "surrogatepass"))

    prop()
    assert len(runs) >= 300


def test_loader_raises_only_dpia_errors_on_random_text_and_bytes(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    runs = []

    @LOADER
    @given(st.one_of(st.text(YAML_CHARS, max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
                     st.binary(max_size=200)))
    def prop(content: bytes) -> None:
        runs.append(1)
        _check_loader(root, content)

    prop()
    assert len(runs) >= 300


def test_loader_raises_only_dpia_errors_on_random_yaml_data(tmp_path: Path) -> None:
    import yaml

    root = _copy(tmp_path)
    runs = []

    @LOADER
    @given(st.dictionaries(st.sampled_from(["id", "name", "owner", "purposes", "categories", "retention", "flows",
                                            "dpia", "last_review", "data_subjects_per_year", "x"]),
                           _yaml_values(), max_size=8))
    def prop(data: dict[str, Any]) -> None:
        runs.append(1)
        base = yaml.safe_load(NEWSLETTER)
        base.update(data)
        _check_loader(root, yaml.safe_dump(base, allow_unicode=True).encode("utf-8", "surrogatepass"))

    prop()
    assert len(runs) >= 300


# text a register field may hold: printable, no surrounding whitespace (records strip it), not empty
FIELD_TEXT = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=60) \
    .map(str.strip).filter(bool)
EDITS = st.one_of(
    st.tuples(st.just("name.nl"), FIELD_TEXT),
    st.tuples(st.just("name.en"), FIELD_TEXT),
    st.tuples(st.just("purposes[0].description.en"), FIELD_TEXT),
    st.tuples(st.just("retention.name-contact.from"), FIELD_TEXT),
    st.tuples(st.just("retention.name-contact.period"),
              st.builds(lambda n, u: f"{n} {u}", st.integers(1, 9999), st.sampled_from(["days", "months", "years"]))),
    st.tuples(st.just("data_subjects_per_year"), st.integers(0, 10**9)),
    st.tuples(st.just("profiling"), st.booleans()),
    st.tuples(st.just("dossier"), st.sampled_from(["process-file", "special-file", "none"])),
    st.tuples(st.just("last_review"), st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))),
)


def test_load_edit_save_load_is_the_identity(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    session = EditSession(root)
    runs = []
    personal = 0

    @ROUND_TRIP
    @given(st.lists(EDITS, min_size=1, max_size=3))
    def prop(edits: list[tuple[str, Any]]) -> None:
        nonlocal personal
        runs.append(1)
        before = read_register(root)[0]
        assert before is not None
        with session.batch():
            for field, value in edits:
                session.set("activity:newsletter", field, value)
        if session.problems:  # e.g. text that looks like a phone number: refused, never written
            personal += 1
            assert all(p.code.startswith("personal-data") for p in session.problems), session.problems
            session.reload()
            return
        expected = {field: value for field, value in edits}
        session.save()
        after = read_register(root)[0]
        assert after is not None
        for field, value in expected.items():
            assert session.get("activity:newsletter", field) == value
        edited = after.activity("newsletter")
        for field, value in expected.items():
            node: Any = edited
            for part in field.replace("[0]", ".0").split("."):
                node = node[int(part)] if part == "0" else (node.get(part) if isinstance(node, dict) else getattr(
                    node, {"from": "from_event"}.get(part, part).replace("-", "_")))
            assert (node.value if hasattr(node, "value") else node) == value
        assert {k: v for k, v in after.activities.items() if k != "newsletter"} == \
            {k: v for k, v in before.activities.items() if k != "newsletter"}
        assert after.parties == before.parties and after.organisation == before.organisation
        # and a fresh session reproduces the saved files byte for byte
        fresh = EditSession(root)
        assert fresh.texts() == {rel: (root / rel).read_text(encoding="utf-8") for rel in fresh.texts()}

    prop()
    assert len(runs) >= 150
    print(f"round trip: {len(runs)} examples, {personal} refused as personal data")


def test_unedited_save_writes_nothing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    session = EditSession(root)
    assert session.save().files == ()
    try:
        load_register(root)
    except RegisterError as exc:  # pragma: no cover - the shipped register is valid
        raise AssertionError(str(exc)) from None
