"""Which data-subject rights apply to processing on which art. 6(1) basis, with their citations.

Access, rectification and restriction apply whatever the basis (GDPR arts. 15, 16, 18). Erasure does not
reach processing needed for a legal obligation or a public task (art. 17(3)(b)). Portability applies only
to processing based on consent or a contract (art. 20(1)(a)); the right to object only to processing based
on a public task or a legitimate interest (art. 21(1)).

>>> [r.right for r in rights_for_basis("contract")]
['access', 'rectification', 'erasure', 'restriction', 'portability']
>>> [r.right for r in rights_for_basis("legitimate-interests")][-1]
'objection'
>>> article("20-1-a", "nl"), article("20-1-a", "en")
('art. 20 lid 1 sub a AVG', 'GDPR art. 20(1)(a)')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RIGHTS", "RightRule", "article", "rights_for_basis"]


@dataclass(frozen=True)
class RightRule:
    """A right, its GDPR article (as ``20-1-a``; see :func:`article`), and the art. 6(1) bases it applies to
    (empty: every basis)."""

    right: str
    citation: str
    bases: frozenset[str] = frozenset()


#: The rights of GDPR arts. 15-21 in the order of the regulation.
RIGHTS: tuple[RightRule, ...] = (
    RightRule("access", "15"),
    RightRule("rectification", "16"),
    RightRule("erasure", "17", frozenset({"consent", "contract", "vital-interests", "legitimate-interests"})),
    RightRule("restriction", "18"),
    RightRule("portability", "20-1-a", frozenset({"consent", "contract"})),
    RightRule("objection", "21-1", frozenset({"public-task", "legitimate-interests"})),
)


def rights_for_basis(basis: str) -> list[RightRule]:
    """The rights a data subject has against processing on ``basis`` (an art. 6(1) value)."""
    return [r for r in RIGHTS if not r.bases or basis in r.bases]


def article(code: str, language: str) -> str:
    """A GDPR article code such as ``13-2-e`` in the citation style of ``language``."""
    parts = code.split("-")
    if language == "nl":
        text = f"art. {parts[0]}"
        if len(parts) > 1:
            text += f" lid {parts[1]}"
        if len(parts) > 2:
            text += f" sub {parts[2]}"
        return f"{text} AVG"
    return f"GDPR art. {parts[0]}" + "".join(f"({p})" for p in parts[1:])
