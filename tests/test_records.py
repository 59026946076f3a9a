"""The register's records: what the schema accepts and refuses, independent of files."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dpia_lib.law import Confidentiality, LegalBasis, citation
from dpia_lib.records import Flow, Party, Retention, Text


def test_retention_periods_in_months() -> None:
    def months(period: str) -> float:
        return Retention.model_validate({"period": period, "from": "x", "basis": "analysis"}).months

    assert months("2 years") == 24
    assert months("7 years") == 84  # AWR art. 52(4)
    assert months("1 month") == 1
    assert months("4 weeks") == pytest.approx(0.92, abs=0.01)


def test_retention_needs_a_source() -> None:
    with pytest.raises(ValidationError, match="needs a 'citation' or a 'basis'"):
        Retention.model_validate({"period": "2 years", "from": "end"})
    assert Retention.model_validate({"period": "2 years", "from": "end", "citation": "AWR art. 52"}).citation


def test_records_are_frozen_and_strict() -> None:
    text = Text(nl="a", en="b")
    with pytest.raises(ValidationError):
        text.nl = "c"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Text.model_validate({"nl": "a", "en": "b", "de": "c"})


def test_flow_uses_from_and_to() -> None:
    flow = Flow.model_validate({"id": "f", "from": "a", "to": "b", "categories": ["x"], "channel": "email",
                                "frequency": "once"})
    assert (flow.source, flow.target) == ("a", "b")


@pytest.mark.parametrize("bad", ["../../etc", "Employer", "a b", "a--b", "-a", "", "a/b"])
def test_ids_are_slugs(bad: str) -> None:
    with pytest.raises(ValidationError):
        Party.model_validate({"id": bad, "name": {"nl": "x", "en": "x"}, "kind": "employer", "role": "controller"})


def test_citations_of_enums_sharing_a_value() -> None:
    # LegalBasis.CONTRACT and Confidentiality.CONTRACT are both "contract": each keeps its own source.
    assert citation(LegalBasis.CONTRACT) == "GDPR art. 6(1)(b)"
    assert citation(Confidentiality.CONTRACT) == "UAVG art. 30(4)"
    assert all(citation(basis).startswith("GDPR art. 6(1)(") for basis in LegalBasis)
