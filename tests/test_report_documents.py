"""The reports as documents a Dutch privacy officer can sign: `dpia batch` writes HTML and PDF for every
required or recommended activity and for the register overview; each report speaks one language;
each DPIA holds the parts the Model DPIA Rijksdienst and the AP expect.

The expected activities, headings and words are read by hand from the shipped register (ropa/), the
Model DPIA Rijksdienst outline and GDPR art. 30(1), not from the code's output. The batch runs once
(about two minutes) for the whole module.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from dpia_lib.art30 import ART30_COLUMNS
from dpia_lib.cli import main
from dpia_lib.law import Art9Condition, DpiaStatus, DutchException, LegalBasis
from dpia_lib.loading import load_register
from dpia_lib.report import prepare, prepare_register
from dpia_lib.report.document import register_version
from dpia_lib.report.wording import cite_inline

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

#: ropa/activities: the screening says required for these four (AP list: health data) ...
REQUIRED = ("assessments-and-tests", "progress-reporting", "reintegration-second-track", "special-file")
#: ... and recommended (one WP248 criterion: vulnerable data subjects, employees in outplacement) for this one.
RECOMMENDED = ("satisfaction-survey",)
#: The screening says required for these, but each carries the officer's override to not-required in ropa/
#: (covered by the DPIA of a related activity, GDPR art. 35(1), or documented per WP248 rev.01): no report.
OVERRIDDEN = ("client-portal", "customer-contact", "legal-claims", "management-reporting", "outplacement")
#: Words that never belong in a Dutch report (the register's English strings are not among them).
ENGLISH = ("months", "planned", "technical", "likelihood", "special category", "GDPR", "organisational",
           "in-progress", "accepted-with-actions", "Drivers", "Severity")
#: Dutch-only words that never belong in an English report.
DUTCH = ("verplicht", "maanden", "gepland", "Waarschijnlijkheid", "Ernst", "bijzondere", "Deel ", "Besluit",
         "Restrisico", "lid ", "sub ")
#: Internal notes never reach the product.
NOTES = ("brief section", "[U]", "[S]")
#: The Dutch headings every DPIA report carries (Model DPIA Rijksdienst parts, art. 36, 17.3, 19-20).
DPIA_HEADINGS = ("Managementsamenvatting", "Deel A. Beschrijving", "Deel B. Rechtmatigheid", "Deel C. Risico",
                 "Deel D. Maatregelen", "Aanvaarding van het restrisico",
                 "Voorafgaande raadpleging van de Autoriteit Persoonsgegevens", "Ondertekening", "Versie en herkomst")


def _raw_codes() -> set[str]:
    """Codes of legal bases, conditions, exceptions, statuses, kinds and categories that must be worded."""
    register = load_register(REPO / "ropa")
    codes = {m.value for enum in (LegalBasis, Art9Condition, DutchException, DpiaStatus)
             for m in enum if "-" in m.value}
    codes |= {"accepted-with-actions", "in-progress", "interest-prevails", "subject-prevails"}
    codes |= {c for c in register.catalogue.categories if "-" in c}
    return codes


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("R")
    assert main(["batch", "--register", str(REPO / "ropa"), "--as-of", "2026-01-01", "--out", str(target),
                 "--workers", "2"]) == 0
    return target


def _text(path: Path) -> str:
    return " ".join(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


def _pdf_pages(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages]


def test_batch_writes_html_and_pdf_for_every_required_or_recommended_activity_and_the_register(out: Path) -> None:
    for name in (*REQUIRED, *RECOMMENDED, "register"):
        assert (out / f"{name}.html").is_file() and (out / f"{name}.pdf").is_file(), name
    # not required, or overridden to not required: no report
    for name in ("newsletter", *OVERRIDDEN):
        assert not (out / f"{name}.pdf").exists() and not (out / f"{name}.html").exists(), name


def test_every_pdf_page_is_numbered_and_names_the_document_and_register_version(out: Path) -> None:
    version = register_version(REPO / "ropa")
    for name in (*REQUIRED, *RECOMMENDED, "register"):
        pages = _pdf_pages(out / f"{name}.pdf")
        for number, text in enumerate(pages, start=1):
            assert f"p. {number} / {len(pages)}" in text, (name, number)
            assert f"Versie van het register: {version}" in text, (name, number)


def test_register_pdf_keeps_every_art_30_column(out: Path) -> None:
    text = " ".join(_pdf_pages(out / "register.pdf"))
    for heading in ART30_COLUMNS["nl"]:
        assert heading in text, heading
    # the art. 30 table prints on landscape pages: wider than high
    page = PdfReader(str(out / "register.pdf")).pages[1]
    assert float(page.mediabox.width) > float(page.mediabox.height)


def test_dutch_reports_have_no_raw_codes_english_words_or_internal_notes(out: Path) -> None:
    codes = _raw_codes()
    # the officer's override reasons are single-language register text, shown as written (citations restyled)
    register = load_register(REPO / "ropa")
    reasons = [" ".join(cite_inline(a.screening_override.reason, "nl").split())
               for a in register.activities.values() if a.screening_override is not None]
    for name in (*REQUIRED, *RECOMMENDED, "register", "index"):
        text = _text(out / f"{name}.html")
        for reason in reasons:
            text = text.replace(reason, "")
        words = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", text))
        assert not words & codes, (name, sorted(words & codes))
        for word in (*ENGLISH, *NOTES):
            assert word not in text, (name, word)
    for name in (*REQUIRED, "register"):
        pdf = " ".join(_pdf_pages(out / f"{name}.pdf"))
        assert not any(word in pdf for word in (*ENGLISH, *NOTES)), name


def test_each_dpia_report_holds_summary_parts_a_to_d_decisions_signatures_and_version(out: Path) -> None:
    for name in REQUIRED:
        text = _text(out / f"{name}.html")
        page = BeautifulSoup((out / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        headings = [h.get_text(" ", strip=True) for h in page.find_all(["h1", "h2", "h3"])]
        positions = [next((i for i, h in enumerate(headings) if h.startswith(want)), -1) for want in DPIA_HEADINGS]
        missing = [h for h, p in zip(DPIA_HEADINGS, positions, strict=True) if p < 0]
        assert all(p >= 0 for p in positions), (name, missing)
        assert positions == sorted(positions), name  # in the Model DPIA's order
        for point in ("a", "b", "c", "d"):
            assert f"35 lid 7 sub {point} AVG" in text, (name, point)
        assert "Directie" in text and "Privacy officer" in text and "nog niet getekend" in text  # signatories
    special = _text(out / "special-file.html")
    # ropa/dpias/special-file.yaml: management accepted the residual risk and decided not to consult the AP
    assert "de AP wordt niet vooraf geraadpleegd" in special
    assert "geen raadpleging nodig: geen restrisico op het hoogste niveau" in special


def test_images_carry_alt_text_in_the_report_language(out: Path) -> None:
    page = BeautifulSoup((out / "special-file.html").read_text(encoding="utf-8"), "html.parser")
    alts = [img.get("alt", "") for img in page.find_all("img")]
    assert len(alts) == 2
    assert alts[0].startswith("Stroomschema van Bijzonder dossier") and alts[1].startswith("Risicokaart van")
    assert not any("No description" in a for a in alts)


def test_reports_carry_one_small_stylesheet_and_no_script(out: Path) -> None:
    page = (out / "special-file.html").read_text(encoding="utf-8")
    assert "<script" not in page and "jp-RenderedHTMLCommon" not in page.split("</style>")[0]
    style = page.split("<style>")[1].split("</style>")[0]
    assert len(style) < 5000 and "@page" in style


def test_index_lists_every_activity_with_status_sign_off_and_both_links(out: Path) -> None:
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = page.find("tbody").find_all("tr")
    assert len(rows) == 13  # every activity of ropa/activities
    for row in rows:
        assert all(cell.get_text(strip=True) for cell in row.find_all("td"))  # no empty column
    by_name = {row.find("td").get_text(strip=True): row for row in rows}
    special = by_name["Bijzonder dossier (functionele mogelijkheden)"]
    assert [a["href"] for a in special.find_all("a")] == ["special-file.html", "special-file.html", "special-file.pdf"]
    assert "afgerond" in special.get_text() and "vastgesteld met actieplan, 2026-03-02" in special.get_text()
    # legal-claims: overridden to not required; the index gives the officer's reason and says why no report
    claims = by_name["Verdediging in juridische procedures"].get_text(" ")
    assert "handmatig aangepast; reden:" in claims and "geen DPIA-rapport" in claims


def test_english_reports_have_no_dutch_only_words() -> None:
    for name in (*REQUIRED, *RECOMMENDED):
        report = prepare(name, "en", "2026-01-01", REPO / "ropa")
        text = "\n".join(repr(block) for block in report.document())
        for word in (*DUTCH, *NOTES):
            assert word not in text, (name, word)
    overview = prepare_register("en", "2026-01-01", REPO / "ropa")
    text = "\n".join(repr(s) for s in (overview.art30(), overview.verdicts(), overview.findings(),
                                        overview.retention(), overview.processors(), overview.actions_due()))
    assert not [w for w in DUTCH if w in text]


def test_no_internal_notes_in_register_or_catalogues() -> None:
    for path in [*(REPO / "ropa").rglob("*.yaml"), *(REPO / "data").rglob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert not [n for n in NOTES if n in text], path
