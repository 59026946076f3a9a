"""The privacy statement as Markdown or HTML, from the Jinja2 templates in ``notice/templates``.

HTML is escaped by the template engine; gap markers are highlighted.

>>> import datetime as dt
>>> from dpia_lib import load_register
>>> from dpia_lib.notice.statement import build_statement
>>> text = render_statement(build_statement(load_register(), "en", as_of=dt.date(2026, 10, 1)), "md")
>>> text.splitlines()[0]
'# Privacy statement of Ros Loopbaan'
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from dpia_lib.notice.statement import Statement, notice_labels

__all__ = ["render_statement"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_GAP = re.compile(r"(\[(?:ONTBREEKT IN HET REGISTER|MISSING FROM THE REGISTER): [^\]]*\])")


def _gapmark(text: str) -> Markup:
    return Markup(_GAP.sub(lambda m: f'<mark class="gap">{m.group(1)}</mark>', str(escape(text))))


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["gapmark"] = _gapmark if autoescape else (lambda text: text)
    return env


def render_statement(statement: Statement, fmt: str = "md") -> str:
    """``statement`` as ``'md'`` (Markdown) or ``'html'``."""
    if fmt not in ("md", "html"):
        raise ValueError(f"unknown format {fmt!r}; use 'md' or 'html'")
    template = _environment(fmt == "html").get_template(f"statement.{fmt}.j2")
    gaps_title = notice_labels()["text"]["gaps-title"][statement.language]
    return template.render(s=statement, gaps_title=gaps_title)
