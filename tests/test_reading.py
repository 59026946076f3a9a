"""Reading a register reads only regular files inside it, never more than the size limit, and never takes
a folder it cannot list for an empty one."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dpia_lib import yamlio
from dpia_lib.loading import read_register
from dpia_lib.validation import validate_register
from dpia_lib.yamlio import MAX_FILE_BYTES, read_text

REPO = Path(__file__).resolve().parent.parent


def _validate_in_process(register: Path, timeout: float = 60) -> tuple[int, list[dict[str, object]], float]:
    """``dpia validate --format json`` as a child process that is killed after ``timeout`` seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dpia_lib.cli", "validate", "--register", str(register),
                           "--format", "json"], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return done.returncode, json.loads(done.stdout), time.perf_counter() - started


def _codes_of(problems: list[dict[str, object]], path: Path) -> list[object]:
    return [p["code"] for p in problems if p["path"] == str(path)]


def test_a_link_to_dev_zero_is_refused_quickly(ropa_copy: Path) -> None:
    link = ropa_copy / "activities" / "zero.yaml"
    link.symlink_to("/dev/zero")
    code, problems, seconds = _validate_in_process(ropa_copy)
    assert code == 1
    assert _codes_of(problems, link) == ["not-a-regular-file"]
    assert "character device" in str(next(p["message"] for p in problems if p["path"] == str(link)))
    assert seconds < 30  # the timeout above would have killed a read that never ends


def test_a_fifo_is_refused_without_hanging(ropa_copy: Path) -> None:
    fifo = ropa_copy / "activities" / "pipe.yaml"
    os.mkfifo(fifo)
    code, problems, _ = _validate_in_process(ropa_copy)  # no writer ever opens the pipe
    assert code == 1
    assert _codes_of(problems, fifo) == ["not-a-regular-file"]


def test_a_socket_and_a_folder_are_refused(ropa_copy: Path) -> None:
    path = ropa_copy / "dpias" / "sock.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        (ropa_copy / "activities" / "folder.yaml").mkdir()
        result = validate_register(ropa_copy)
    finally:
        server.close()
    found = {(p.path, p.code): p.message for p in result.problems}
    assert "socket" in found[(str(path), "not-a-regular-file")]
    assert "folder" in found[(str(ropa_copy / "activities" / "folder.yaml"), "not-a-regular-file")]
    assert not result.valid


def test_a_link_leaving_the_register_is_refused_unless_allowed(ropa_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (ropa_copy / "activities" / "newsletter.yaml").rename(outside / "newsletter.yaml")
    link = ropa_copy / "activities" / "newsletter.yaml"
    link.symlink_to(outside / "newsletter.yaml")
    register, problems = read_register(ropa_copy)
    assert [(p.path, p.code) for p in problems] == [(str(link), "outside-register")]
    assert "outside" in problems[0].message and str(outside / "newsletter.yaml") in problems[0].message
    assert register is not None and "newsletter" not in register.activities
    register, problems = read_register(ropa_copy, outside_links=True)
    assert problems == [] and register is not None and "newsletter" in register.activities


def test_a_link_inside_the_register_is_read(ropa_copy: Path) -> None:
    (ropa_copy / "activities" / "newsletter.yaml").rename(ropa_copy / "newsletter.yaml.keep")
    (ropa_copy / "activities" / "newsletter.yaml").symlink_to("../newsletter.yaml.keep")
    register, problems = read_register(ropa_copy)
    assert problems == [] and register is not None and "newsletter" in register.activities


def test_an_activities_folder_linked_outside_is_refused(ropa_copy: Path, tmp_path: Path) -> None:
    (ropa_copy / "activities").rename(tmp_path / "activities-elsewhere")
    (ropa_copy / "activities").symlink_to(tmp_path / "activities-elsewhere")
    _, problems = read_register(ropa_copy)
    assert ("outside-register", str(ropa_copy / "activities")) in [(p.code, p.path) for p in problems]


def test_an_unreadable_folder_is_a_problem_not_an_empty_register(
        ropa_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # root can read any folder whatever its mode, so the listing itself is made to fail as it would for
    # another user on a folder with mode 000
    real_scandir = os.scandir
    activities = ropa_copy / "activities"

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == activities:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    result = validate_register(ropa_copy)
    assert not result.valid
    (problem,) = [p for p in result.problems if p.path == str(activities)]
    assert problem.code == "unreadable-folder" and "Permission denied" in problem.message


def test_never_more_than_the_limit_is_read_whatever_the_size_claims(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * (3 * MAX_FILE_BYTES))
    read: list[int] = []
    real_read, real_stat = os.read, os.stat

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read.append(len(data))
        return data

    def shrunk_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        st = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))  # claims 10 bytes, like a growing file

    monkeypatch.setattr(yamlio.os, "read", counting_read)
    monkeypatch.setattr(yamlio.os, "stat", shrunk_stat)
    text, problems = read_text(big, "big.yaml")
    assert text is None and [p.code for p in problems] == ["file-too-large"]
    assert sum(read) == MAX_FILE_BYTES + 1


def test_an_oversized_file_is_refused_by_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    text, problems = read_text(big, "big.yaml")
    assert text is None and problems[0].message == f"file is {MAX_FILE_BYTES + 1} bytes; the limit is {MAX_FILE_BYTES}"


def test_the_editor_refuses_a_fifo_without_hanging(ropa_copy: Path) -> None:
    fifo = ropa_copy / "activities" / "pipe.yaml"
    os.mkfifo(fifo)
    script = ("import sys\nfrom dpia_lib.editing import EditSession\nfrom dpia_lib.errors import DpiaError\n"
              f"try:\n    EditSession({str(ropa_copy)!r})\nexcept DpiaError as exc:\n    print(exc)\n    sys.exit(3)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 3, done.stderr
    assert str(fifo) in done.stdout and "not a regular file" in done.stdout
