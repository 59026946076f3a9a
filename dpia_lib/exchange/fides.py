"""The register as a fideslang manifest (Fides): one system per information system of the register, with a
privacy declaration per purpose of each activity that uses it, and one system per party the data flows to
or from, so that egress and ingress name real keys.

Mapping (``data/fides_map.yaml``): our data categories to fideslang data categories, data-subject
categories to fideslang data subjects, activities (or single purposes) to data uses, with the art. 6(1)
basis as a fallback; art. 6(1) bases and art. 9(2) conditions to fideslang's enumerations. What fideslang
cannot hold: the UAVG exception, the BSN's statute, retention per category (the longest period is given as
the declaration's retention), the information step and the DPIA. Activities without a system get a system
of their own. An id missing from the mapping table raises :class:`~dpia_lib.errors.DpiaError`.

>>> from dpia_lib import load_register
>>> manifest = fides_manifest(load_register())
>>> sorted(manifest)
['organization', 'system']
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dpia_lib.errors import DpiaError
from dpia_lib.flows import flow_graph
from dpia_lib.records import Activity
from dpia_lib.register import Register

__all__ = ["fides_manifest", "write_fides"]

_MAP = Path(__file__).resolve().parent.parent.parent / "data" / "fides_map.yaml"


@cache
def _mapping(path: Path = _MAP) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _key(ident: str) -> str:
    return ident.replace("-", "_")


def _lookup(table: str, ident: str) -> Any:
    try:
        return _mapping()[table][ident]
    except KeyError:
        raise DpiaError(f"data/fides_map.yaml: {table} has no entry for {ident!r}; add its fideslang key") from None


def _declarations(register: Register, act: Activity, G: Any) -> list[dict[str, Any]]:
    mapping = _mapping()
    categories = sorted({k for c in act.categories for k in _lookup("categories", c)})
    if not categories:
        return []
    subjects = sorted({_lookup("data_subjects", s) for s in act.data_subjects})
    art9 = act.special_categories_basis
    special = any(register.catalogue.is_special(c) for c in act.categories)
    recipients = sorted({v for _, v in G.out_edges(act.id) if G.nodes[v]["kind"] == "party"})
    sources = sorted({u for u, _ in G.in_edges(act.id) if G.nodes[u]["kind"] == "party" and u != "data-subject"})
    longest = max(act.retention.values(), key=lambda r: r.months, default=None)
    out = []
    for p in act.purposes:
        use = mapping["purposes"].get(p.id) or mapping["activities"].get(act.id) or \
            (mapping["bases"][p.basis.value] if p.basis else None)
        if use is None:
            raise DpiaError(f"data/fides_map.yaml: no data use for activity {act.id!r} (purpose {p.id!r})")
        declaration: dict[str, Any] = {
            "name": f"{act.name.en}: {p.description.en}",
            "data_categories": categories,
            "data_use": use,
            "data_subjects": subjects,
            "egress": [_key(r) for r in recipients] or None,
            "ingress": [_key(s) for s in sources] or None,
            "processes_special_category_data": special,
            "data_shared_with_third_parties": bool(recipients),
        }
        if p.basis is not None:
            declaration["legal_basis_for_processing"] = mapping["legal_bases"][p.basis.value]
        if special and art9 is not None and art9.condition is not None:
            declaration["special_category_legal_basis"] = mapping["special_conditions"][art9.condition.value]
        if recipients:
            declaration["third_parties"] = "; ".join(register.parties[r].name.en for r in recipients)
        if longest is not None:
            declaration["retention_period"] = f"{longest.period} from {longest.from_event}"
        if act.dpia.status.value in ("done", "in-progress"):
            declaration["impact_assessment_location"] = f"dpias/{act.id}.yaml"
        out.append({k: v for k, v in declaration.items() if v is not None})
    return out


def _flows(keys: list[str]) -> list[dict[str, Any]]:
    return [{"fides_key": k, "type": "user" if k == "data_subject" else "system"} for k in keys]


def fides_manifest(register: Register) -> dict[str, Any]:
    """The register as a fideslang manifest: ``{"organization": [...], "system": [...]}``."""
    G = flow_graph(register)
    org_key = _key(register.organisation.name.lower().replace(" ", "-"))
    systems: list[dict[str, Any]] = []
    used: set[str] = set()
    by_system: dict[str, list[Activity]] = {sid: [] for sid in register.systems}
    orphans = []
    for act in register.activities.values():
        for sid in act.systems:
            by_system.setdefault(sid, []).append(act)
        if not act.systems:
            orphans.append(act)
    entries: list[tuple[str, str, str, list[Activity]]] = [
        (sid, register.systems[sid].name.en if sid in register.systems else sid, "Application", acts)
        for sid, acts in by_system.items()]
    entries += [(f"activity-{a.id}", a.name.en, "Processing activity", [a]) for a in orphans]
    for sid, name, kind, acts in entries:
        declarations = [d for a in acts for d in _declarations(register, a, G)]
        egress = sorted({k for d in declarations for k in d.get("egress", ())})
        ingress = sorted({k for d in declarations for k in d.get("ingress", ())})
        used.update(egress, ingress)
        system = register.systems.get(sid)
        entry: dict[str, Any] = {
            "fides_key": _key(sid), "organization_fides_key": org_key, "name": name, "system_type": kind,
            "privacy_declarations": declarations, "egress": _flows(egress) or None,
            "ingress": _flows(ingress) or None,
            "processes_personal_data": bool(declarations),
            "uses_profiling": any(a.profiling for a in acts),
            "does_international_transfers": any(a.transfers for a in acts),
            "requires_data_protection_assessments": any(a.dpia.status.value != "not-needed" for a in acts),
        }
        if system is not None and system.supplier:
            entry["description"] = f"Supplied or hosted by {register.parties[system.supplier].name.en} " \
                                   f"({system.hosting_country})" if system.supplier in register.parties else None
        systems.append({k: v for k, v in entry.items() if v is not None})
    for pid in sorted(used):
        party = register.parties.get(pid.replace("_", "-"))
        if party is None:
            continue
        systems.append({"fides_key": pid, "organization_fides_key": org_key, "name": party.name.en,
                        "system_type": f"Third party ({party.role})", "privacy_declarations": [],
                        "description": f"{party.kind} in {party.country}; not a system of the controller"})
    org = register.organisation
    organization = {"fides_key": org_key, "name": org.name, "description": f"Controller: {org.contact}"}
    return {"organization": [organization], "system": systems}


def write_fides(register: Register, path: Path | str) -> Path:
    """Write the manifest as YAML (or JSON for a ``.json`` path); return the path."""
    import json

    target = Path(path)
    manifest = fides_manifest(register)
    if target.suffix.lower() == ".json":
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=110)
    target.write_text(text, encoding="utf-8")
    return target
