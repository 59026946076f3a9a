"""Strict YAML reading: what the fast loader refuses, and where it says the problem is."""

from __future__ import annotations

from pathlib import Path

from dpia_lib.yamlio import MAX_FILE_BYTES, Locator, parse_yaml, read_text


def test_duplicate_key_names_both_lines() -> None:
    _, (problem,) = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert (problem.code, problem.line, problem.field) == ("duplicate-key", 3, "a")
    assert "first at line 1" in problem.message


def test_alias_bomb_is_refused_fast() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    data, (problem,) = parse_yaml(bomb, "f.yaml")
    assert data is None and problem.code == "yaml-syntax"
    assert "anchors and aliases" in problem.message


def test_deep_nesting_is_refused() -> None:
    _, (problem,) = parse_yaml("[" * 200 + "]" * 200, "f.yaml")
    assert problem.code == "yaml-syntax" and "nesting" in problem.message


def test_python_tags_are_not_constructed() -> None:
    data, (problem,) = parse_yaml("x: !!python/object/apply:os.system [echo hi]\n", "f.yaml")
    assert data is None and problem.code == "yaml-syntax"


def test_non_utf8_and_oversized_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: 1\nb: caf\xe9\n")
    text, (problem,) = read_text(bad, "bad.yaml")
    assert text is None and (problem.code, problem.line, problem.column) == ("bad-encoding", 2, 7)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: '" + b"x" * MAX_FILE_BYTES + b"'\n")
    text, (problem,) = read_text(big, "big.yaml")
    assert text is None and problem.code == "file-too-large"


def test_locator_points_at_keys_and_values() -> None:
    text = "a: 1\nlist:\n  - x: 1\n    y: [p, q]\n"
    locator = Locator(text)
    assert locator.position(("list", 0, "y", 1)) == (4, 12)
    assert locator.position(("list", 0, "y"), key=True) == (4, 5)
    assert locator.position(("list", 0, "missing")) == (3, 5)  # deepest node found: the item
