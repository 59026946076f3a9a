"""Synthetic registers for benchmarks and scale tests: deterministic by seed, valid by construction.

:func:`generate_register` writes a register directory (``organisation.yaml``, ``parties.yaml``,
``systems.yaml``, ``activities/<id>.yaml``) for a fictitious group of reintegration and
occupational-health companies. Every id it uses is taken from the catalogues it is given (the shipped
``data/`` by default), so the register validates without problems; it holds no personal data (parties are
organisation types with a number, never people).

The shape follows the shipped Ros Loopbaan register: each activity has one to three purposes with an
art. 6(1) basis, data subjects and categories from the catalogue, retention per category, systems, access
roles, measures and about ten flows (inbound from parties, outbound to parties and to earlier
activities). Special-category data always comes with an art. 9(2) condition and a UAVG exception.

>>> import tempfile
>>> from dpia_lib.validation import validate_register
>>> with tempfile.TemporaryDirectory() as tmp:
...     root = generate_register(tmp, activities=20, seed=1)
...     result = validate_register(root)
...     (result.valid, len(result.register.activities), len(result.register.flows))
(True, 20, 200)
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from dpia_lib.catalogue import Catalogue
from dpia_lib.loading import load_catalogue

__all__ = ["ACTIVITY_KINDS", "generate_register"]

_Dumper: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

#: Activity templates: (id stem, Dutch name, English name, dossier, owner role).
ACTIVITY_KINDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("second-track", "2e spoor re-integratie", "2nd-track reintegration", "process-file", "reintegration-consultant"),
    ("special-file", "Bijzonder dossier", "Special file", "special-file", "medical-case-manager"),
    ("outplacement", "Outplacementtraject", "Outplacement trajectory", "process-file", "outplacement-consultant"),
    ("career-coaching", "Loopbaancoaching", "Career coaching", "none", "career-coach"),
    ("assessment", "Assessments en testen", "Assessments and tests", "process-file", "career-coach"),
    ("progress-report", "Voortgangsrapportage", "Progress reporting", "process-file", "reintegration-consultant"),
    ("customer-contact", "Klantcontact", "Customer contact", "none", "office-staff"),
    ("invoicing", "Facturatie", "Invoicing", "none", "finance-staff"),
    ("newsletter", "Nieuwsbrief", "Newsletter", "none", "marketing-staff"),
    ("satisfaction-survey", "Tevredenheidsonderzoek", "Satisfaction survey", "none", "quality-manager"),
    ("requests", "Verzoeken van betrokkenen", "Data-subject requests", "none", "privacy-officer"),
    ("management-info", "Managementinformatie", "Management reporting", "none", "management"),
)

_ROLES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("management", "Directie", "Management", "contract", False),
    ("privacy-officer", "Privacy officer", "Privacy officer", "contract", False),
    ("reintegration-consultant", "Re-integratieconsulent", "Reintegration consultant", "contract", False),
    ("medical-case-manager", "Casemanager (medisch)", "Case manager (medical)", "profession", True),
    ("career-coach", "Loopbaancoach", "Career coach", "contract", False),
    ("outplacement-consultant", "Outplacementadviseur", "Outplacement consultant", "contract", False),
    ("office-staff", "Secretariaat", "Office staff", "contract", False),
    ("finance-staff", "Financiële administratie", "Finance staff", "contract", False),
    ("marketing-staff", "Marketing", "Marketing", "contract", False),
    ("quality-manager", "Kwaliteitsmanager", "Quality manager", "contract", False),
)

# Party kinds with their role towards us, Dutch and English label and duty of secrecy.
_PARTY_KINDS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("employer", "controller", "Opdrachtgever (werkgever)", "Client organisation (employer)", None),
    ("occupational-health-service", "controller", "Arbodienst", "Occupational health service", "profession"),
    ("company-doctor", "controller", "Bedrijfsarts (praktijk)", "Company doctor practice", "profession"),
    ("labour-expert", "controller", "Arbeidsdeskundig bureau", "Labour expert firm", "contract"),
    ("benefits-agency", "controller", "Uitkeringsinstantie", "Benefits agency", "statute"),
    ("independent-provider", "recipient", "Opleidingsinstituut", "Training institute", None),
    ("processor", "processor", "Verwerker (hosting)", "Processor (hosting)", "contract"),
    ("payment-provider", "controller", "Betaaldienstverlener", "Payment service provider", None),
    ("research-bureau", "recipient", "Onderzoeksbureau", "Research bureau", None),
    ("legal-adviser", "recipient", "Juridisch adviseur", "Legal adviser", "profession"),
)

_SENDER_KINDS = frozenset({"data-subject", "employer", "occupational-health-service", "company-doctor",
                           "labour-expert", "benefits-agency"})
_RECEIVER_KINDS = frozenset({"employer", "occupational-health-service", "benefits-agency", "independent-provider",
                             "research-bureau", "legal-adviser", "payment-provider"})
_BASES = ("legitimate-interests", "legal-obligation", "contract", "consent")
_CHANNELS = ("client-tracking-system", "client-portal", "secure-email", "sftp", "api", "web-form", "in-person")
_FREQUENCIES = ("per-trajectory", "per-event", "monthly", "quarterly", "on-request", "once")
_PERIODS = ("4 weeks", "6 months", "1 year", "2 years", "5 years", "7 years")


def _text(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def _dump(data: Any, path: Path, header: str) -> None:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                     width=110)
    path.write_text(f"# {header}\n{body}", encoding="utf-8")


def _retention(rng: random.Random, catalogue: Catalogue, category: str) -> dict[str, Any]:
    """A retention no longer than the catalogue's default for the category."""
    default = catalogue.categories[category].retention_default
    if default is not None:
        period = default.period if rng.random() < 0.7 else _PERIODS[0]
    else:
        period = rng.choice(_PERIODS[:4])
    return {"period": period, "from": "end of the trajectory", "basis": "analysis"}


def _parties(rng: random.Random, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"id": "data-subject", "name": _text("Betrokkene (cliënt)", "The data subject (client)"),
         "kind": "data-subject", "role": "data-subject"},
    ]
    for i in range(count):
        kind, role, nl, en, secrecy = _PARTY_KINDS[i % len(_PARTY_KINDS)]
        party: dict[str, Any] = {"id": f"{kind}-{i:05d}", "name": _text(f"{nl} {i:05d}", f"{en} {i:05d}"),
                                 "kind": kind, "role": role}
        if kind == "processor":
            party["country"] = rng.choice(("NL", "NL", "NL", "DE", "IE"))
            party["dpa"] = {"signed": dt.date(2022 + rng.randrange(4), rng.randrange(1, 13), 15)}
        if secrecy is not None:
            party["confidentiality"] = secrecy
        out.append(party)
    return out


def _activity(
    rng: random.Random, index: int, catalogue: Catalogue, senders: list[str], receivers: list[str],
    processors: list[str],
    systems: list[str], earlier: list[tuple[str, list[str]]], flows_per_activity: int,
) -> dict[str, Any]:
    stem, nl, en, dossier, owner = ACTIVITY_KINDS[index % len(ACTIVITY_KINDS)]
    aid = f"{stem}-{index:05d}"
    ordinary = sorted(c for c, entry in catalogue.categories.items() if entry.special is None)
    health = sorted(c for c, entry in catalogue.categories.items() if entry.special is not None)
    chosen = set(rng.sample(ordinary, k=min(len(ordinary), rng.randrange(2, 5))))
    if dossier == "special-file" and health:
        chosen.update(rng.sample(health, k=rng.randrange(1, min(3, len(health)) + 1)))
    categories = sorted(chosen)
    special = [c for c in categories if catalogue.is_special(c)]
    subjects = sorted(rng.sample(sorted(catalogue.data_subjects), k=rng.randrange(1, 3)))
    purposes = []
    for p in range(rng.randrange(1, 4)):
        # consent is not free where the data subjects depend on their employer
        bases = _BASES[:3] if any(d.startswith("employees") for d in subjects) else _BASES
        basis = "legal-obligation" if p == 0 and "bsn" in categories else rng.choice(bases)
        purpose: dict[str, Any] = {"id": f"purpose-{p + 1}",
                                   "description": _text(f"{nl}: doel {p + 1}", f"{en}: purpose {p + 1}"),
                                   "basis": basis}
        if basis in ("legal-obligation", "legitimate-interests"):
            purpose["basis_source"] = ("BW 7:658a(2)" if basis == "legal-obligation"
                                       else "the employer's reintegration duty")
        purposes.append(purpose)
    activity: dict[str, Any] = {
        "id": aid,
        "name": _text(f"{nl} {index:05d}", f"{en} {index:05d}"),
        "description": _text(f"Synthetische verwerking {index} ({nl.lower()}).",
                             f"Synthetic processing activity {index} ({en.lower()})."),
        "owner": owner,
        "role": "controller",
        "purposes": purposes,
        "data_subjects": subjects,
        "categories": categories,
    }
    if special or any(catalogue.data_subjects[s].reveals is not None for s in subjects):  # health by inference
        activity["special_categories_basis"] = {"condition": "employment-social-security",
                                                "dutch_exception": "uavg-30-1-b",
                                                "note": "Only what the reintegration assignment needs."}
    activity["retention"] = {c: _retention(rng, catalogue, c) for c in categories}
    activity["dossier"] = dossier
    activity["systems"] = sorted(rng.sample(systems, k=min(len(systems), rng.randrange(1, 3))))
    activity["access"] = sorted({owner, "privacy-officer", *rng.sample([r[0] for r in _ROLES], k=2)})
    activity["measures"] = sorted(rng.sample(sorted(catalogue.measures), k=min(len(catalogue.measures), 6)))
    activity["data_subjects_per_year"] = rng.choice((40, 150, 450, 1500, 12000))
    if rng.random() < 0.1:
        activity["profiling"] = True
    if rng.random() < 0.05:
        activity["systematic_monitoring"] = True
    activity["information"] = {"how": _text("Bij de intake via de privacyverklaring.",
                                            "At intake, through the privacy statement."),
                               "when": "at intake"}
    activity["dpia"] = {"status": "done", "date": dt.date(2026, 3, 2),
                                                       "next_review": dt.date(2027, 3, 2)} if special else \
        {"status": "not-needed"}
    activity["last_review"] = dt.date(2026, 9, 15)
    flows = []
    for j in range(flows_per_activity):
        cats = sorted(rng.sample(categories, k=rng.randrange(1, min(3, len(categories)) + 1)))
        roll = rng.random()
        flow: dict[str, Any] = {"id": f"{aid}-flow-{j + 1:02d}"}
        outgoing = [c for c in cats if c not in special] or [c for c in categories if c not in special][:1]
        other, other_cats = earlier[rng.randrange(len(earlier))] if earlier else (None, [])
        shared = sorted(set(outgoing) & set(other_cats))
        if roll < 0.5 or not outgoing:
            flow.update({"from": rng.choice(senders), "to": aid})
        elif roll < 0.75 or other is None or not shared:
            flow.update({"from": aid, "to": rng.choice(processors if rng.random() < 0.3 else receivers)})
            cats = outgoing
        else:
            flow.update({"from": aid, "to": other})
            cats = shared
        flow["categories"] = cats
        flow["channel"] = rng.choice(_CHANNELS)
        if "bsn" in cats:  # a national identifier travels only on a statutory ground (UAVG art. 46)
            flow["ground"] = {"basis": "legal-obligation", "source": "BW 7:658a(5)"}
        elif rng.random() < 0.7:
            flow["ground"] = {"basis": rng.choice(_BASES[:3]), "source": "agreement with the client organisation"}
        flow["frequency"] = rng.choice(_FREQUENCIES)
        flows.append(flow)
    activity["flows"] = flows
    return activity


def generate_register(
    out_dir: Path | str,
    activities: int = 10_000,
    *,
    flows_per_activity: int = 10,
    parties: int | None = None,
    seed: int = 0,
    data_dir: Path | str | None = None,
) -> Path:
    """Write a synthetic register of ``activities`` activities into ``out_dir``; return ``out_dir``.

    ``parties`` defaults to a fifth of the activities (at least 30); systems to one per 50 activities (at
    least 5). The same arguments always give byte-identical files.
    """
    if activities < 1 or flows_per_activity < 0:
        raise ValueError("activities must be at least 1 and flows_per_activity at least 0")
    catalogue = load_catalogue(data_dir)
    rng = random.Random(seed)
    root = Path(out_dir)
    (root / "activities").mkdir(parents=True, exist_ok=True)
    (root / "dpias").mkdir(exist_ok=True)
    header = f"Synthetic register (dpia_lib.synthetic, seed {seed}); fictitious, no personal data."

    _dump({
        "name": "Voorbeeld Re-integratie Groep (fictitious)",
        "sector": "reintegration-company",
        "contact": "Privacy officer, via the contact form",
        "dpo_appointed": False,
        "dpo_reason": "Synthetic register for benchmarks.",
        "privacy_officer_role": "privacy-officer",
        "roles": [{"id": r, "name": _text(nl, en), "confidentiality": c, **({"medically_trained": True} if m else {})}
                  for r, nl, en, c, m in _ROLES],
    }, root / "organisation.yaml", header)

    party_list = _parties(rng, parties if parties is not None else max(30, activities // 5))
    _dump({"parties": party_list}, root / "parties.yaml", header)
    senders = [p["id"] for p in party_list if p["kind"] in _SENDER_KINDS]
    receivers = [p["id"] for p in party_list if p["kind"] in _RECEIVER_KINDS]
    processors = [p["id"] for p in party_list if p["role"] == "processor"]

    system_list = [{"id": f"system-{i:04d}", "name": _text(f"Systeem {i}", f"System {i}"),
                    "supplier": processors[i % len(processors)], "hosting_country": "NL"}
                   for i in range(max(5, activities // 50))]
    _dump({"systems": system_list}, root / "systems.yaml", header)
    system_ids = [s["id"] for s in system_list]

    earlier: list[tuple[str, list[str]]] = []
    for index in range(activities):
        act = _activity(rng, index, catalogue, senders, receivers, processors, system_ids, earlier, flows_per_activity)
        _dump(act, root / "activities" / f"{act['id']}.yaml", header)
        earlier.append((act["id"], act["categories"]))
    return root
