"""``reports/index.html``: one row per activity of the register with its verdict (and the reason when
the officer overrode it), DPIA status, sign-off, highest residual risk and links to its HTML and PDF
report, as written (or why there is none), and every failure with the failing cell. Every string is escaped; no timestamps (the page depends only on the
register, the parameters and the outcome).

>>> page = index_html([IndexEntry("a", "A <b>", "required", False, "limited", "a.html", None, pdf="a.pdf")],
...                   title="DPIA", language="en", as_of="2026-11-01", register_link="register.html")
>>> '<a href="a.html">A &lt;b&gt;</a>' in page
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dpia_lib.register import Register
from dpia_lib.report.labels import load_labels
from dpia_lib.report.wording import cite_inline
from dpia_lib.screening import Screening

__all__ = ["IndexEntry", "index_columns", "index_html", "write_index"]


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
    #: The officer's reason when the verdict is overridden.
    override_reason: str = ""
    #: The DPIA status and sign-off, already worded in the index's language.
    dpia_status: str = ""
    sign_off: str = ""
    #: The PDF report, when one was written (``link`` is the HTML report, when one was written).
    pdf: str | None = None


_STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:4px 8px;text-align:left}"
    "th{background:#eee}.failed{color:#a00}"
)


def index_html(
    entries: Sequence[IndexEntry], *, title: str, language: str, as_of: str, register_link: str | None,
    register_pdf: str | None = None,
) -> str:
    """The index page for ``entries`` (shown in the given order). Each report is linked as the files that
    were written: HTML, PDF or both; an activity's name links to its HTML report, or to its PDF when only
    that was written. ``register_link`` and ``register_pdf``: the register overview's HTML and PDF."""
    labels = load_labels()
    def t(key: str) -> str:
        return html.escape(labels.get(key, language))

    e = html.escape
    rows = []
    for entry in entries:
        main = entry.link or entry.pdf
        name = f'<a href="{e(main)}">{e(entry.name)}</a>' if main else e(entry.name)
        verdict = e(labels.get(f"verdict-{entry.verdict}", language)) if entry.verdict else "—"
        if entry.overridden:
            verdict += f" ({t('overridden').lower()}"
            verdict += (f"; {t('override-reason')}: {e(cite_inline(entry.override_reason, language))})"
                        if entry.override_reason else ")")
        if entry.failure:
            reports = f'<span class="failed">{t("failed")}: {e(entry.failure)}</span>'
        elif main:
            reports = " · ".join(f'<a href="{e(target)}">{kind}</a>'
                                 for kind, target in (("HTML", entry.link), ("PDF", entry.pdf)) if target)
        else:
            reports = t("no-report")
        rows.append(f"<tr><td>{name}</td><td>{verdict}</td><td>{e(entry.dpia_status or '—')}</td>"
                    f"<td>{e(entry.sign_off or '—')}</td><td>{e(entry.highest_residual)}</td><td>{reports}</td></tr>")
    register = ""
    if register_link:
        register = f'<p><a href="{e(register_link)}">{t("register-title")}</a>'
        register += f' (<a href="{e(register_pdf)}">PDF</a>)</p>' if register_pdf else "</p>"
    elif register_pdf:
        register = f'<p><a href="{e(register_pdf)}">{t("register-title")}</a> (PDF)</p>'
    head = (f"<tr><th>{t('activity')}</th><th>{t('verdict')}</th><th>{t('dpia-status-col')}</th>"
            f"<th>{t('sign-off-col')}</th><th>{t('highest-residual')}</th><th>{t('links')}</th></tr>")
    return (
        f'<!DOCTYPE html>\n<html lang="{e(language)}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{e(title)}</h1><p>{t('as-of')}: {e(as_of)}</p>{register}"
        f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def write_index(
    path: Path, entries: Sequence[IndexEntry], *, title: str, language: str, as_of: str, register_link: str | None,
    register_pdf: str | None = None,
) -> Path:
    """Write :func:`index_html` to ``path``."""
    path.write_text(index_html(entries, title=title, language=language, as_of=as_of, register_link=register_link,
                               register_pdf=register_pdf), encoding="utf-8")
    return path


def index_columns(entry: IndexEntry, register: Register, screening: Screening, language: str) -> IndexEntry:
    """``entry`` with the index's worded columns of its activity: override reason, DPIA status and sign-off."""
    act = register.activities[entry.activity]
    record = register.dpias.get(entry.activity)
    override = act.screening_override
    if record is not None and record.sign_off is not None:
        signed = f"{_word('decision-' + record.sign_off.decision, language)}, {record.sign_off.date.isoformat()}"
    else:
        signed = _word("no-sign-off", language)
    return replace(entry, override_reason=override.reason if override is not None and screening.overridden else "",
                   dpia_status=_word(f"dpia-status-{act.dpia.status.value}", language), sign_off=signed)


def _word(key: str, language: str) -> str:
    return load_labels().get(key, language)
