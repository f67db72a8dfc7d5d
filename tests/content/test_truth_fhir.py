"""FHIR R4 / UK Core Patient and Observation, built and checked as plain JSON.

Expected resources are written out literally here, not made with the notebook's builders, and
the rules are those of FHIR R4 (Observation.status and .code are 1..1; required code lists;
no empty JSON values) and UK Core (profile URL, NHS number system), plus UCUM units.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

UK_CORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
SNOMED_CT = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
R4_OBSERVATION_STATUSES = [
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
]

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "pat-9",
    "meta": {"profile": [UK_CORE_PATIENT]},
    "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "9990010013"}],
    "name": [{"family": "Example", "given": ["Jo"]}],
    "gender": "male",
    "birthDate": "1958-12-01",
}

OBSERVATION: dict[str, Any] = {
    "resourceType": "Observation",
    "id": "obs-9",
    "status": "final",
    "code": {
        "coding": [{"system": SNOMED_CT, "code": "271649006", "display": "Systolic blood pressure"}]
    },
    "subject": {"reference": "Patient/pat-9"},
    "effectiveDateTime": "2026-11-01T10:00:00+00:00",
    "valueQuantity": {"value": 141, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
}


@pytest.fixture
def fhir(reference: Ref) -> dict[str, Any]:
    return reference("fhir-patient-observation")


def _paths(fhir: dict[str, Any], resource: Any) -> list[str]:
    return [issue.path for issue in fhir["check_resource"](resource)]


def _without(resource: dict[str, Any], *keys: str) -> dict[str, Any]:
    copied = copy.deepcopy(resource)
    for key in keys:
        del copied[key]
    return copied


def _with(resource: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(resource)
    *parents, last = path.split(".")
    target = copied
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return copied


def test_uri_constants_are_the_published_ones(fhir: dict[str, Any]) -> None:
    assert fhir["UK_CORE_PATIENT"] == UK_CORE_PATIENT
    assert fhir["NHS_NUMBER_SYSTEM"] == NHS_NUMBER_SYSTEM
    assert fhir["SNOMED_CT"] == SNOMED_CT
    assert fhir["UCUM"] == UCUM
    assert set(fhir["OBSERVATION_STATUSES"]) == set(R4_OBSERVATION_STATUSES)
    assert set(fhir["ADMINISTRATIVE_GENDERS"]) == {"male", "female", "other", "unknown"}


def test_builders_make_the_expected_json(fhir: dict[str, Any]) -> None:
    patient = fhir["make_patient"]("pat-9", "9990010013", "Example", ["Jo"], "male", "1958-12-01")
    assert patient["resourceType"] == "Patient"
    assert patient["meta"]["profile"] == [UK_CORE_PATIENT]
    assert patient["identifier"] == [{"system": NHS_NUMBER_SYSTEM, "value": "9990010013"}]
    assert json.loads(json.dumps(patient)) == patient

    obs = fhir["make_observation"](
        "obs-9",
        "pat-9",
        "271649006",
        "Systolic blood pressure",
        141,
        "mm[Hg]",
        "mmHg",
        "2026-11-01T10:00:00+00:00",
    )
    for key in ("resourceType", "status", "code", "subject", "effectiveDateTime", "valueQuantity"):
        assert obs[key] == OBSERVATION[key], key
    assert json.loads(json.dumps(obs)) == obs


def test_complete_resources_have_no_issues(fhir: dict[str, Any]) -> None:
    assert fhir["check_resource"](PATIENT) == []
    assert fhir["check_resource"](OBSERVATION) == []
    assert fhir["check_resource"](json.loads(json.dumps(OBSERVATION))) == []


def test_observation_requires_status_and_code(fhir: dict[str, Any]) -> None:
    assert _paths(fhir, _without(OBSERVATION, "status")) == ["Observation.status"]
    assert _paths(fhir, _without(OBSERVATION, "code")) == ["Observation.code"]
    assert sorted(_paths(fhir, _without(OBSERVATION, "status", "code"))) == [
        "Observation.code",
        "Observation.status",
    ]
    issue = fhir["check_resource"](_without(OBSERVATION, "status"))[0]
    assert "missing" in issue.problem


def test_a_code_with_only_text_satisfies_base_r4(fhir: dict[str, Any]) -> None:
    assert fhir["check_resource"](_with(OBSERVATION, "code", {"text": "BP top number"})) == []


def test_missing_subject_is_reported_as_a_local_rule(fhir: dict[str, Any]) -> None:
    issues = fhir["check_resource"](_without(OBSERVATION, "subject"))
    assert [i.path for i in issues] == ["Observation.subject"]
    assert "local" in issues[0].problem


@pytest.mark.parametrize("status", R4_OBSERVATION_STATUSES)
def test_every_r4_status_is_accepted(fhir: dict[str, Any], status: str) -> None:
    assert fhir["check_resource"](_with(OBSERVATION, "status", status)) == []


@pytest.mark.parametrize("status", ["done", "Final", "complete"])
def test_statuses_outside_r4_are_rejected(fhir: dict[str, Any], status: str) -> None:
    assert _paths(fhir, _with(OBSERVATION, "status", status)) == ["Observation.status"]


@pytest.mark.parametrize(
    ("path", "value", "reported"),
    [
        ("status", "", "Observation.status"),
        ("status", None, "Observation.status"),
        ("code", {}, "Observation.code"),
        ("code.coding", [], "Observation.code.coding"),
        ("code.coding.0.display", "", "Observation.code.coding[0].display"),
    ],
)
def test_empty_json_values_are_reported(
    fhir: dict[str, Any], path: str, value: Any, reported: str
) -> None:
    assert reported in _paths(fhir, _with(OBSERVATION, path, value))


def test_ucum_units(fhir: dict[str, Any]) -> None:
    assert _paths(fhir, _with(OBSERVATION, "valueQuantity.code", "mmHg")) == [
        "Observation.valueQuantity.code"
    ]
    assert _paths(fhir, _with(OBSERVATION, "valueQuantity.system", SNOMED_CT)) == [
        "Observation.valueQuantity.system"
    ]
    no_system = _with(OBSERVATION, "valueQuantity", {"value": 141, "code": "mm[Hg]"})
    assert set(_paths(fhir, no_system)) == {"Observation.valueQuantity.system"}
    assert _paths(fhir, _with(OBSERVATION, "valueQuantity.value", "141")) == [
        "Observation.valueQuantity.value"
    ]
    assert _paths(fhir, _with(OBSERVATION, "valueQuantity.value", 141.5)) == []


def test_a_coding_needs_system_and_code(fhir: dict[str, Any]) -> None:
    broken = _with(OBSERVATION, "code", {"coding": [{"code": "271649006"}]})
    assert _paths(fhir, broken) == ["Observation.code.coding[0]"]


@pytest.mark.parametrize("resource", [[], "Observation", None, {"resourceType": "Encounter"}, {}])
def test_non_resources_are_reported(fhir: dict[str, Any], resource: Any) -> None:
    assert fhir["check_resource"](resource) != []


def test_patient_nhs_number_rules(fhir: dict[str, Any]) -> None:
    assert _paths(fhir, _without(PATIENT, "identifier")) == ["Patient.identifier"]
    wrong_digit = _with(PATIENT, "identifier.0.value", "9990010014")
    assert _paths(fhir, wrong_digit) == ["Patient.identifier.value"]
    other_system = _with(PATIENT, "identifier.0.system", "https://example.org/mrn")
    assert _paths(fhir, other_system) == ["Patient.identifier"]
    with_hospital_number = _with(
        PATIENT,
        "identifier",
        [
            {"system": "https://example.org/mrn", "value": "A123"},
            {"system": NHS_NUMBER_SYSTEM, "value": "9990010013"},
        ],
    )
    assert fhir["check_resource"](with_hospital_number) == []


@pytest.mark.parametrize(("value", "valid"), [("9434765919", True), ("9876544321", False)])
def test_nhs_number_check(fhir: dict[str, Any], value: str, valid: bool) -> None:
    assert fhir["nhs_number_is_valid"](value) is valid


@pytest.mark.parametrize(
    ("path", "value", "ok"),
    [
        ("gender", "female", True),
        ("gender", "F", False),
        ("birthDate", "1961", True),
        ("birthDate", "1961-04", True),
        ("birthDate", "23/04/1961", False),
    ],
)
def test_patient_gender_and_birth_date(
    fhir: dict[str, Any], path: str, value: str, ok: bool
) -> None:
    assert (fhir["check_resource"](_with(PATIENT, path, value)) == []) is ok
