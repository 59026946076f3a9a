"""The report cache: a DPIA report built from a kept snapshot equals one built from scratch, an edited,
added or removed file (register or catalogue) is never served from the cache, a file changed while the
register loads is not kept, the cache is bounded, and what it keeps cannot be changed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from dpia_lib.errors import UnknownActivityError
from dpia_lib.flows import neighbourhood
from dpia_lib.report import Plot, prepare
from dpia_lib.report.cache import RegisterSnapshot, ReportCache, content_key, install_cache, installed_cache
from tests.engine_fixtures import copy_register, edit

AS_OF = dt.date(2026, 11, 1)


def _rendered(report: object) -> list[object]:
    """Every output the notebook shows for ``report``: each section's HTML and text, each figure's SVG."""
    out: list[object] = []
    for part in report.document():  # type: ignore[attr-defined]
        out.append(part._repr_svg_() if isinstance(part, Plot) else (part._repr_html_(), repr(part)))
    return out


@pytest.fixture
def ropa(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


def test_a_report_from_the_cache_equals_one_built_from_scratch(ropa: Path) -> None:
    cache = ReportCache()
    prepare("newsletter", "en", AS_OF, ropa, cache=cache)  # fills the cache
    cached = prepare("special-file", "en", AS_OF, ropa, cache=cache)
    assert len(cache) == 1
    fresh = prepare("special-file", "en", AS_OF, ropa)
    assert cached.dpia == fresh.dpia
    assert _rendered(cached) == _rendered(fresh)


def test_an_unchanged_register_is_loaded_once(ropa: Path) -> None:
    cache = ReportCache()
    first = cache.snapshot(ropa, AS_OF)
    assert cache.snapshot(ropa, AS_OF) is first
    # the path as given is part of the key: the findings name files by it
    other = cache.snapshot(ropa / ".." / "ropa", AS_OF)
    assert other is not first and other.findings[0].path.startswith(str(ropa / ".." / "ropa"))
    assert cache.snapshot(ropa, dt.date(2027, 1, 1)).as_of == dt.date(2027, 1, 1)


def test_an_edited_activity_file_is_read_again_for_the_next_report(ropa: Path) -> None:
    cache = ReportCache()
    assert prepare("newsletter", "en", AS_OF, ropa, cache=cache).name == "Newsletter and marketing"
    edit(ropa / "activities" / "newsletter.yaml", "en: Newsletter and marketing}", "en: Mailing list}")
    assert prepare("newsletter", "en", AS_OF, ropa, cache=cache).name == "Mailing list"


def test_an_edit_that_keeps_the_file_size_and_time_is_still_seen(ropa: Path) -> None:
    path = ropa / "activities" / "newsletter.yaml"
    cache = ReportCache()
    before = path.stat()
    prepare("newsletter", "en", AS_OF, ropa, cache=cache)
    edit(path, "en: Newsletter and marketing}", "en: Newsletter and marketinG}")  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert prepare("newsletter", "en", AS_OF, ropa, cache=cache).name == "Newsletter and marketinG"


def test_added_and_removed_activities_are_seen(ropa: Path) -> None:
    cache = ReportCache()
    path = ropa / "activities" / "newsletter.yaml"
    text = path.read_text(encoding="utf-8")
    prepare("newsletter", "en", AS_OF, ropa, cache=cache)
    path.unlink()
    with pytest.raises(UnknownActivityError):
        prepare("newsletter", "en", AS_OF, ropa, cache=cache)
    path.write_text(text, encoding="utf-8")
    assert prepare("newsletter", "en", AS_OF, ropa, cache=cache).name == "Newsletter and marketing"


def test_an_edited_catalogue_beside_the_register_is_seen(ropa: Path) -> None:
    cache = ReportCache()
    before = content_key(ropa, AS_OF)
    first = cache.snapshot(ropa, AS_OF)
    catalogue = ropa.parent / "data" / "categories.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert content_key(ropa, AS_OF) != before
    assert cache.snapshot(ropa, AS_OF) is not first


def test_a_file_changed_while_the_register_loads_is_not_kept(ropa: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load = RegisterSnapshot.load.__func__  # type: ignore[attr-defined]

    def load_then_edit(cls: type[RegisterSnapshot], register_dir: Path | str, as_of: dt.date) -> RegisterSnapshot:
        snapshot = load(cls, register_dir, as_of)
        edit(ropa / "activities" / "newsletter.yaml", "en: Newsletter and marketing}", "en: Mailing list}")
        return snapshot

    monkeypatch.setattr(RegisterSnapshot, "load", classmethod(load_then_edit))
    cache = ReportCache()
    assert prepare("newsletter", "en", AS_OF, ropa, cache=cache).name == "Newsletter and marketing"
    assert len(cache) == 0  # loaded from the old text, hashed with the new: not kept


def test_the_cache_keeps_at_most_its_size(ropa: Path) -> None:
    cache = ReportCache(size=2)
    days = [dt.date(2026, 11, d) for d in (1, 2, 3)]
    first = cache.snapshot(ropa, days[0])
    cache.snapshot(ropa, days[1])
    cache.snapshot(ropa, days[2])
    assert len(cache) == 2
    assert cache.snapshot(ropa, days[0]) is not first  # the oldest was dropped
    with pytest.raises(ValueError):
        ReportCache(size=0)


def test_what_the_cache_keeps_cannot_be_changed(ropa: Path) -> None:
    snapshot = ReportCache().snapshot(ropa, AS_OF)
    assert isinstance(snapshot.findings, tuple)
    with pytest.raises(TypeError):
        snapshot.broken["newsletter"] = ()  # type: ignore[index]
    with pytest.raises(AttributeError):
        snapshot.as_of = dt.date(2020, 1, 1)  # type: ignore[misc]
    with pytest.raises(Exception, match="Frozen graph"):
        snapshot.analysis.graph.add_node("x")


def test_prepare_uses_the_installed_cache_only_when_one_is_installed(ropa: Path) -> None:
    assert installed_cache() is None
    cache = ReportCache()
    previous = install_cache(cache)
    try:
        prepare("newsletter", "en", AS_OF, ropa)
        assert len(cache) == 1
    finally:
        assert install_cache(previous) is cache
    prepare("newsletter", "en", AS_OF, ropa)
    assert len(cache) == 1


def test_the_neighbourhood_is_every_node_within_the_radius_either_way(ropa: Path) -> None:
    import networkx as nx

    G = ReportCache().snapshot(ropa, AS_OF).analysis.graph
    for node in G.nodes:
        for radius in (1, 2):
            expected = set(nx.ego_graph(G, node, radius=radius, undirected=True).nodes)
            assert set(neighbourhood(G, node, radius).nodes) == expected, (node, radius)
