"""Read mentors and learners for matching from YAML or CSV, with errors naming file and field.

YAML: a list of records, or a mapping with a ``mentors`` / ``learners`` list. CSV: one
record per row with a header; list fields (``expertise``, ``goals``, ``line_managers``)
separate their items with ``;``. A learner's goals are the competencies of their
pathway's required modules (from the catalogue) plus any ``goals`` they list.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from digital_academy.catalog import Catalog
from digital_academy.catalog.diagnostics import field_path

from .errors import AppliedError
from .mentors import Learner, Mentor

M = TypeVar("M", bound=BaseModel)
_LISTS = {"expertise", "goals", "line_managers"}


def _rows(path: Path, key: str) -> list[tuple[str, Any]]:
    """(where, record) pairs; ``where`` is ``line N`` for CSV and ``[i]`` for YAML."""
    if not path.is_file():
        raise AppliedError(f"{path}: no such file")
    text = path.read_text("utf-8")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        found: list[tuple[str, Any]] = []
        for number, row in enumerate(reader, start=2):
            record: dict[str, Any] = {}
            for name, raw in row.items():
                if name is None:
                    raise AppliedError(f"{path}: line {number} has more fields than the header")
                value = (raw or "").strip()
                if name in _LISTS:
                    record[name] = [v.strip() for v in value.split(";") if v.strip()]
                elif value:
                    record[name] = value
            found.append((f"line {number}", record))
        return found
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AppliedError(f"{path}: not valid YAML ({exc}); fix the syntax") from exc
    if isinstance(data, dict) and key in data:
        data = data[key]
    if not isinstance(data, list):
        raise AppliedError(f"{path}: expected a list of {key} (or a mapping with a {key!r} list)")
    return [(f"[{i}]", item) for i, item in enumerate(data)]


def _parse(model: type[M], path: Path, key: str) -> list[M]:
    found: list[M] = []
    seen: set[str] = set()
    for where, record in _rows(path, key):
        try:
            item = model.model_validate(record)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            field = field_path(tuple(first["loc"]))
            message = str(first["msg"]).removeprefix("Value error, ")
            raise AppliedError(
                f"{path}: {where}: field {field}: {message} (got {first.get('input')!r}); "
                f"fix that {key[:-1]}'s record"
            ) from exc
        ident = str(getattr(item, "id", ""))
        if ident in seen:
            raise AppliedError(f"{path}: {where}: {key[:-1]} id {ident!r} appears twice")
        seen.add(ident)
        found.append(item)
    return found


def _check_refs(path: Path, who: str, refs: tuple[str, ...], catalog: Catalog) -> None:
    for ref in refs:
        if catalog.competency_statement(ref) is None:
            raise AppliedError(
                f"{path}: {who}: competency {ref!r} is not in the catalogue's frameworks; "
                "see `academy show <framework>` for the codes"
            )


def load_mentors(path: Path, catalog: Catalog) -> list[Mentor]:
    mentors = _parse(Mentor, path, "mentors")
    for m in mentors:
        _check_refs(path, f"mentor {m.id}", m.expertise, catalog)
    return mentors


def load_learners(path: Path, catalog: Catalog) -> tuple[list[Learner], dict[str, tuple[str, ...]]]:
    """The learners, and each one's goal competencies."""
    learners = _parse(Learner, path, "learners")
    pathways = {p.id: p for _, p in catalog.pathways()}
    goals: dict[str, tuple[str, ...]] = {}
    for learner in learners:
        _check_refs(path, f"learner {learner.id}", learner.goals, catalog)
        found: list[str] = []
        if learner.pathway is not None:
            pathway = pathways.get(learner.pathway)
            if pathway is None:
                raise AppliedError(
                    f"{path}: learner {learner.id}: unknown pathway {learner.pathway!r}; "
                    f"known: {', '.join(sorted(pathways))}"
                )
            for module_id in pathway.modules:
                module = catalog.modules.get(module_id)
                found += module.competencies if module else ()
        goals[learner.id] = tuple(dict.fromkeys([*found, *learner.goals]))
    return learners, goals
