"""``reports/index.html``: one row per report with its verdict and highest residual risk, and every
failure with the failing cell. Every string is escaped; no timestamps (the page depends only on the
register, the parameters and the outcome).

>>> page = index_html([IndexEntry("a", "A <b>", "required", False, "limited", "a.html", None)],
...                   title="DPIA", language="en", as_of="2026-11-01", register_link="register.html")
>>> '<a href="a.html">A &lt;b&gt;</a>' in page
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dpia_lib.report.labels import load_labels

__all__ = ["IndexEntry", "index_html", "write_index"]


@dataclass(frozen=True)
class IndexEntry:
    """One activity's line in the index; ``failure`` is the one-line reason when its report failed."""

    activity: str
    name: str
    verdict: str
    overridden: bool
    highest_residual: str
    link: str | None
    failure: str | None


_STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:4px 8px;text-align:left}"
    "th{background:#eee}.failed{color:#a00}"
)


def index_html(
    entries: Sequence[IndexEntry], *, title: str, language: str, as_of: str, register_link: str | None
) -> str:
    """The index page for ``entries`` (shown in the given order)."""
    labels = load_labels()
    def t(key: str) -> str:
        return html.escape(labels.get(key, language))

    e = html.escape
    rows = []
    for entry in entries:
        name = f'<a href="{e(entry.link)}">{e(entry.name)}</a>' if entry.link else e(entry.name)
        verdict = e(labels.get(f"verdict-{entry.verdict}", language)) if entry.verdict else ""
        if entry.overridden:
            verdict += f" ({t('overridden').lower()})"
        failure = f'<span class="failed">{t("failed")}: {e(entry.failure)}</span>' if entry.failure else ""
        rows.append(f"<tr><td><code>{e(entry.activity)}</code></td><td>{name}</td><td>{verdict}</td>"
                    f"<td>{e(entry.highest_residual)}</td><td>{failure}</td></tr>")
    register = f'<p><a href="{e(register_link)}">{t("register-title")}</a></p>' if register_link else ""
    head = (f"<tr><th>id</th><th>{t('activity')}</th><th>{t('verdict')}</th>"
            f"<th>{t('highest-residual')}</th><th>{t('report')}</th></tr>")
    return (
        f'<!DOCTYPE html>\n<html lang="{e(language)}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{e(title)}</h1><p>{t('as-of')}: {e(as_of)}</p>{register}"
        f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def write_index(
    path: Path, entries: Sequence[IndexEntry], *, title: str, language: str, as_of: str, register_link: str | None
) -> Path:
    """Write :func:`index_html` to ``path``."""
    path.write_text(index_html(entries, title=title, language=language, as_of=as_of, register_link=register_link),
                    encoding="utf-8")
    return path
