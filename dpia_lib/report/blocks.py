"""Report building blocks that notebooks display: sections of headings, paragraphs, lists, tables and
figures, rendered as plain, escaped HTML (``_repr_html_``) and as plain text (``repr``).

Every string from the register passes through :func:`html.escape`, so a register text such as
``<script>`` shows as text in the notebook, in the HTML export and in nbval's comparison. The HTML is our
own (no pandas ``Styler``, no ``DataFrame.to_html``), so it does not change with the pandas version.

>>> import pandas as pd
>>> s = Section("Title <b>", (Paragraph("a < b"), Table(pd.DataFrame({"x": ["<i>"]}))))
>>> "<h2>Title &lt;b&gt;</h2>" in s._repr_html_(), "&lt;i&gt;" in s._repr_html_()
(True, True)
>>> print(repr(s))
Title <b>
=========
a < b
x
<i>
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from dpia_lib.drawing import figure_bytes

__all__ = ["Block", "Items", "Paragraph", "Plot", "Section", "Table", "html_table"]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text, optionally with a bold lead (``lead: text``)."""

    text: str
    lead: str = ""
    #: CSS class of the paragraph (``marker``: where the DPIA answers a point of art. 35(7); ``note``).
    css: str = ""

    def html(self) -> str:
        lead = f"<strong>{html.escape(self.lead)}:</strong> " if self.lead else ""
        css = f' class="{html.escape(self.css)}"' if self.css else ""
        return f"<p{css}>{lead}{html.escape(self.text)}</p>"

    def text_lines(self) -> list[str]:
        return [f"{self.lead}: {self.text}" if self.lead else self.text]


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    items: tuple[str, ...]
    lead: str = ""

    def html(self) -> str:
        lead = f"<p><strong>{html.escape(self.lead)}</strong></p>" if self.lead else ""
        rows = "".join(f"<li>{html.escape(item)}</li>" for item in self.items)
        return f"{lead}<ul>{rows}</ul>"

    def text_lines(self) -> list[str]:
        return ([self.lead] if self.lead else []) + [f"- {item}" for item in self.items]


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def html_table(frame: pd.DataFrame, *, index: bool = False, css: str = "") -> str:
    """``frame`` as a plain HTML table, every header and cell escaped.

    >>> html_table(pd.DataFrame({"a": ["<x>"]}))
    '<table class="dpia"><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;x&gt;</td></tr></tbody></table>'
    """
    heads = ([str(frame.index.name or "")] if index else []) + [str(c) for c in frame.columns]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    body = []
    for key, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = ([_cell(key)] if index else []) + [_cell(v) for v in row]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    classes = f"dpia {css}".strip()
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


@dataclass(frozen=True)
class Table:
    """A DataFrame shown as a table (``index=True`` shows the index as the first column)."""

    frame: pd.DataFrame = field(compare=False)
    caption: str = ""
    index: bool = False
    #: Extra CSS classes of the table (``signatures``: room to sign; ``keep``: printed on one page).
    css: str = ""

    def html(self) -> str:
        caption = f'<p class="caption">{html.escape(self.caption)}</p>' if self.caption else ""
        return caption + html_table(self.frame, index=self.index, css=self.css)

    def text_lines(self) -> list[str]:
        lines = [self.caption] if self.caption else []
        heads = ([str(self.frame.index.name or "")] if self.index else []) + [str(c) for c in self.frame.columns]
        lines.append(" | ".join(heads))
        for key, row in zip(self.frame.index, self.frame.itertuples(index=False, name=None), strict=True):
            lines.append(" | ".join(([_cell(key)] if self.index else []) + [_cell(v) for v in row]))
        return lines


@dataclass(frozen=True)
class Plot:
    """A matplotlib figure with a text description (shown as ``repr`` and as the image's alt text).

    Notebooks and reports show it as SVG (:func:`~dpia_lib.drawing.figure_bytes`), an ``<img>`` in HTML,
    so that two figures on one page cannot share element ids.
    """

    figure: Figure = field(compare=False)
    alt: str

    def _repr_svg_(self) -> tuple[str, dict[str, str]]:
        # the alt text travels in the output's metadata, where the report template reads it
        return figure_bytes(self.figure, "svg").decode("utf-8"), {"alt": self.alt}

    def html(self) -> str:
        data = base64.b64encode(figure_bytes(self.figure, "svg")).decode("ascii")
        return f'<img alt="{html.escape(self.alt)}" src="data:image/svg+xml;base64,{data}"/>'

    def text_lines(self) -> list[str]:
        return [f"[{self.alt}]"]

    def __repr__(self) -> str:
        return f"[{self.alt}]"


Block = Paragraph | Items | Table | Plot


@dataclass(frozen=True)
class Section:
    """A heading with blocks; displays as escaped HTML in notebooks and HTML exports."""

    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 2
    #: CSS class of the section (``wide``: printed on landscape pages, for tables with many columns).
    css: str = ""

    def _repr_html_(self) -> str:
        inner = "".join(block.html() for block in self.blocks if not isinstance(block, Plot))
        css = f' class="{html.escape(self.css)}"' if self.css else ""
        return f"<section{css}><h{self.level}>{html.escape(self.title)}</h{self.level}>{inner}</section>"

    def __repr__(self) -> str:
        lines = [self.title, ("=" if self.level <= 2 else "-") * len(self.title)]
        for block in self.blocks:
            if not isinstance(block, Plot):
                lines += block.text_lines()
        return "\n".join(lines)
