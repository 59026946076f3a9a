"""The bad-input corpus: malformed and hostile register files and parameters.

Each case gives a clear problem naming file and line (a :class:`RegisterError` from ``load_register``, a
problem from ``validate_register``), a :class:`ParameterError`, or a safe result, never another exception
and never a hang (every case runs under a deadline).

Committed cases live in ``tests/bad_input/`` with the header convention of the register bank::

    # target: activities/newsletter.yaml
    # expect: yaml-syntax line 14        (or "valid" for a hostile but well-formed file)

Large and systematic cases (huge files, 10 MB strings, deep nesting, alias bombs, every control
character, HTML/JS in every text field, hostile parameters) are generated here at test time.
"""

from __future__ import annotations

import contextlib
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dpia_lib.cli import main
from dpia_lib.editing import EditSession
from dpia_lib.errors import DpiaError, ParameterError, RegisterError
from dpia_lib.loading import load_register
from dpia_lib.validation import validate_register

CORPUS = Path(__file__).parent / "bad_input"
FILES = sorted(CORPUS.glob("*.yaml"))
HEADER = re.compile(rb"# target: (?P<target>\S+)\n# expect: (?P<expect>[a-z0-9-]+)(?: line (?P<line>\d+))?\n")
NEWSLETTER = (Path(__file__).parent.parent / "ropa/activities/newsletter.yaml").read_text(encoding="utf-8")
PAYLOADS = ("<script>alert('x')</script>", "\"><img src=x onerror=alert(document.cookie)>",
            "javascript:alert(1)", "</td></tr></table><h1>owned</h1>")


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (TimeoutError) if the block runs longer than ``seconds``: a hang is a failure."""
    def expire(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _check_file(root: Path, target: str, expect: str, line: int | None) -> None:
    """Load the register three ways; only DpiaErrors may escape, and the problem must be as expected."""
    with deadline(30):
        result = validate_register(root)
        try:
            session = EditSession(root)
        except RegisterError as exc:
            assert exc.problems and str(exc)
        else:
            if target.startswith("activities/") and result.valid:
                session.get(f"activity:{Path(target).stem}")  # the round-trip parser copes too
    shown = [p.format() for p in result.problems]
    if expect == "valid":
        assert result.valid, shown
        return
    path = str(root / target)
    matching = [p for p in result.problems if p.code == expect and p.path == path]
    assert matching, f"expected {expect} in {target}, got {shown}"
    assert all(p.line >= 1 and p.message for p in matching), shown
    if line is not None:
        assert any(p.line == line for p in matching), shown
    for problem in result.problems:
        assert problem.format().startswith(f"{problem.path}:{problem.line}:{problem.column}: {problem.code}")


# ------------------------------------------------------------------------------------------ committed files
def test_corpus_size() -> None:
    """The issue asks for at least 100 cases: committed files plus generated files and parameters."""
    assert len(FILES) + len(GENERATED) + len(PARAMETERS) >= 100


@pytest.mark.parametrize("case", FILES, ids=[c.stem for c in FILES])
def test_committed_case(case: Path, ropa_copy: Path) -> None:
    raw = case.read_bytes()
    header = HEADER.match(raw)
    assert header, f"{case.name}: malformed header"
    target, expect = header["target"].decode(), header["expect"].decode()
    assert case.stem.split("__")[0] == expect, "each corpus file is named for what it must give"
    (ropa_copy / target).parent.mkdir(exist_ok=True)
    (ropa_copy / target).write_bytes(raw)
    _check_file(ropa_copy, target, expect, int(header["line"]) if header["line"] else None)


# ------------------------------------------------------------------------------------------ generated files
def _replace_line(number: int, text: str) -> bytes:
    lines = NEWSLETTER.splitlines(keepends=True)
    lines[number - 1] = text
    return "".join(lines).encode("utf-8")


def _nested(depth: int) -> bytes:
    return ("name: " + "[" * depth + "]" * depth + "\n").encode()


def _billion_laughs() -> bytes:
    lines = ['l0: &l0 "lol"']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def _text_fields() -> list[tuple[str, ...]]:
    """Paths of every free-text field of the newsletter activity (after adding the optional ones)."""
    return [("name", "nl"), ("name", "en"), ("description", "nl"), ("description", "en"),
            ("purposes", 0, "description", "nl"), ("purposes", 0, "description", "en"),  # type: ignore[list-item]
            ("purposes", 0, "basis_source"), ("retention", "name-contact", "from"),  # type: ignore[list-item]
            ("retention", "marketing-preferences", "note"), ("flows", 0, "ground", "source"),  # type: ignore[list-item]
            ("flows", 0, "note")]  # type: ignore[list-item]


def _with_payload(path: tuple[Any, ...], payload: str) -> bytes:
    data = yaml.safe_load(NEWSLETTER)
    data["description"] = {"nl": "x", "en": "x"}
    data["purposes"][0]["basis_source"] = "x"
    data["flows"][0]["note"] = "x"
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = payload
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


# (id, target, content maker, expected code or "valid", line or None)
GENERATED: list[tuple[str, str, Callable[[], bytes], str, int | None]] = [
    ("file-3mb-of-comments", "activities/newsletter.yaml", lambda: b"# " + b"x" * 3_000_000 + b"\n", "file-too-large", 1),
    ("string-10mb", "activities/newsletter.yaml",
     lambda: _replace_line(5, "name: {nl: " + "a" * 10_000_000 + ", en: b}\n"), "file-too-large", 1),
    ("string-1mb-under-the-file-limit", "activities/newsletter.yaml",
     lambda: _replace_line(5, "name: {nl: " + "a" * 1_000_000 + ", en: b}\n"), "bad-value", 5),
    ("nesting-10000-flow", "activities/newsletter.yaml", lambda: _nested(10_000), "yaml-syntax", None),
    ("nesting-40-flow", "activities/newsletter.yaml", lambda: _nested(40), "yaml-syntax", None),
    ("nesting-1500-block", "activities/newsletter.yaml",
     lambda: "".join(" " * i + f"k{i}:\n" for i in range(1500)).encode(), "yaml-syntax", None),
    ("billion-laughs", "activities/newsletter.yaml", _billion_laughs, "yaml-syntax", 1),
    ("20k-unknown-keys", "organisation.yaml",
     lambda: (Path(__file__).parent.parent / "ropa/organisation.yaml").read_bytes()
     + "".join(f"k{i}: 1\n" for i in range(20_000)).encode(), "unknown-key", None),
    ("20k-list-items", "activities/newsletter.yaml",
     lambda: _replace_line(13, "categories: [" + ", ".join(["name-contact"] * 20_000) + "]\n"), "valid", None),
    ("long-line-of-spaces", "activities/newsletter.yaml", lambda: _replace_line(3, " " * 1_000_000 + "\n"), "valid", None),
    ("crlf-line-ends", "activities/newsletter.yaml", lambda: NEWSLETTER.replace("\n", "\r\n").encode(), "valid", None),
    ("bom-at-start", "activities/newsletter.yaml", lambda: b"\xef\xbb\xbf" + NEWSLETTER.encode(), "valid", None),
    ("no-final-newline", "activities/newsletter.yaml", lambda: NEWSLETTER.rstrip("\n").encode(), "valid", None),
]
# every C0 control character except tab, LF and CR, DEL, and the C1 controls except NEL, inside a value
for code in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]:
    GENERATED.append((f"control-char-{code:02x}", "activities/newsletter.yaml",
                      lambda c=code: _replace_line(6, f"owner: marketing{chr(c)}staff\n"), "yaml-syntax", 6))
for field in _text_fields():
    for number, payload in enumerate(PAYLOADS[:2]):
        GENERATED.append((f"html-{'.'.join(map(str, field))}-{number}", "activities/newsletter.yaml",
                          lambda f=field, p=payload: _with_payload(f, p), "valid", None))


@pytest.mark.parametrize("case", GENERATED, ids=[c[0] for c in GENERATED])
def test_generated_case(case: tuple[str, str, Callable[[], bytes], str, int | None], ropa_copy: Path) -> None:
    _, target, make, expect, line = case
    (ropa_copy / target).write_bytes(make())
    _check_file(ropa_copy, target, expect, line)


@pytest.mark.parametrize("name", ["yaml-syntax__alias-bomb-small", "bad-encoding__utf16", "bad-value__file-is-a-list"])
def test_load_register_raises_register_error_naming_the_file(name: str, ropa_copy: Path) -> None:
    (ropa_copy / "activities/newsletter.yaml").write_bytes((CORPUS / f"{name}.yaml").read_bytes())
    with deadline(30), pytest.raises(RegisterError) as caught:
        load_register(ropa_copy)
    assert str(ropa_copy / "activities/newsletter.yaml") in str(caught.value)


def test_hostile_text_is_loaded_verbatim(ropa_copy: Path) -> None:
    (ropa_copy / "activities/newsletter.yaml").write_bytes(_with_payload(("name", "nl"), PAYLOADS[0]))
    assert load_register(ropa_copy).activity("newsletter").name.nl == PAYLOADS[0]


# ------------------------------------------------------------------------------------------ parameters
def _session(root: Path) -> EditSession:
    return EditSession(root)


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


PARAMETERS: list[tuple[str, Callable[[Path], Any]]] = [
    ("session-on-missing-dir", lambda root: EditSession(root / "missing")),
    ("session-on-a-file", lambda root: EditSession(root / "parties.yaml")),
    ("record-traversal", lambda root: _session(root).get("activity:../../etc/passwd")),
    ("record-absolute", lambda root: _session(root).set("activity:/etc/passwd", "id", "x")),
    ("record-unknown-kind", lambda root: _session(root).get("person:someone")),
    ("record-html", lambda root: _session(root).get("party:<script>")),
    ("record-empty", lambda root: _session(root).get("")),
    ("field-traversal", lambda root: _session(root).set("activity:newsletter", "../../x", "x")),
    ("field-empty", lambda root: _session(root).set("activity:newsletter", "", "x")),
    ("field-huge", lambda root: _session(root).set("activity:newsletter", "a." * 100_000 + "a", "x")),
    ("value-object", lambda root: _session(root).set("activity:newsletter", "owner", object())),
    ("value-bytes", lambda root: _session(root).set("activity:newsletter", "owner", b"x")),
    ("value-set", lambda root: _session(root).set("activity:newsletter", "access", {"x"})),
    ("value-nan", lambda root: _session(root).set("activity:newsletter", "data_subjects_per_year", float("nan"))),
    ("value-deep", lambda root: _session(root).set("activity:newsletter", "description", _deep(100_000))),
    ("value-non-text-key", lambda root: _session(root).set("activity:newsletter", "description", {1: "x"})),
    ("add-activity-traversal", lambda root: _session(root).add_activity({"id": "../../etc/x"})),
    ("add-activity-no-id", lambda root: _session(root).add_activity({"name": "x"})),
    ("add-activity-existing", lambda root: _session(root).add_activity({"id": "newsletter"})),
    ("add-party-html-id", lambda root: _session(root).add_party({"id": "<b>x</b>"})),
    ("add-flow-traversal", lambda root: _session(root).add_flow("newsletter", {"id": "../x"})),
    ("remove-unknown-party", lambda root: _session(root).remove_party("nobody")),
    ("remove-unknown-activity", lambda root: _session(root).remove_activity("../../etc")),
    ("records-unknown-kind", lambda root: _session(root).records("secrets")),
]


@pytest.mark.parametrize("case", PARAMETERS, ids=[c[0] for c in PARAMETERS])
def test_hostile_parameter(case: tuple[str, Callable[[Path], Any]], ropa_copy: Path) -> None:
    _, call = case
    before = {p: p.read_bytes() for p in ropa_copy.rglob("*") if p.is_file()}
    with deadline(30), pytest.raises(DpiaError) as caught:
        call(ropa_copy)
    assert isinstance(caught.value, (ParameterError, RegisterError)) and str(caught.value)
    assert {p: p.read_bytes() for p in ropa_copy.rglob("*") if p.is_file()} == before


def test_oversized_values_are_problems_or_parameter_errors(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    with deadline(30):
        problems = session.set("activity:newsletter", "name.nl", "x" * 25_000)
    assert [p.code for p in problems["name.nl"]] == ["bad-value"]  # over the 2000-character limit
    for value in ("x" * 10_000_000, ["name-contact"] * 1_000_000):
        with deadline(30), pytest.raises(ParameterError, match="at most"):
            session.set("activity:newsletter", "categories" if isinstance(value, list) else "name.nl", value)


def test_odd_but_well_formed_field_names_are_unknown_keys(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    problems = session.set("activity:newsletter", "__class__", "x")
    assert [p.code for p in problems["__class__"]] == ["unknown-key"]
    session.set("activity:newsletter", "__class__", None)
    assert session.problems == () and not session.changes


@pytest.mark.parametrize("argv", [
    ["validate", "--register", "/nonexistent/../../etc"],
    ["validate", "--register", "/etc/hostname"],
    ["scan", "--register", "/nonexistent"],
    ["register", "--register", "/nonexistent"],
])
def test_cli_bad_register_paths(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with deadline(30):
        code = main(argv)
    assert code in (1, 2)
    assert "Traceback" not in capsys.readouterr().err
