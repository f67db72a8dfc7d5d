"""Cross-reference checks over a loaded catalogue: the rules no single file can check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from .catalog import Catalog
from .diagnostics import Diagnostic, error, warning
from .loader import ACADEMIES_DIR, ASSESSMENTS_DIR
from .model import METADATA_KEY, AssessmentKind, Module, split_ref


def validate(catalog: Catalog, today: dt.date) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    found += _academy_references(catalog)
    found += _module_references(catalog)
    found += _assessments(catalog)
    found += _cycles(catalog)
    found += _orphans(catalog)
    found += _pathway_order(catalog)
    found += _reviews(catalog, today)
    return found


def _module_file(catalog: Catalog, module_id: str) -> str:
    return catalog.relpath(catalog.locations[module_id].path)


def _unknown(
    values: Iterable[str], known: Mapping[str, object] | set[str], kind: str, file: str, field: str
) -> list[Diagnostic]:
    names = sorted(known)
    hint = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") if names else "none defined"
    return [
        error(
            f"unknown-{kind}",
            file,
            field,
            f"unknown {kind} {value!r}",
            f"use an existing {kind} id (known: {hint})",
        )
        for value in values
        if value not in known
    ]


def _competency_errors(
    catalog: Catalog, refs: Sequence[str], file: str, field: str
) -> list[Diagnostic]:
    found = []
    for i, ref in enumerate(refs):
        framework_id, code = split_ref(ref)
        framework = catalog.frameworks.get(framework_id)
        if framework is None:
            found += _unknown(
                [framework_id], catalog.frameworks, "framework", file, f"{field}[{i}]"
            )
        elif code not in framework.codes():
            found.append(
                error(
                    "unknown-competency",
                    file,
                    f"{field}[{i}]",
                    f"{framework_id!r} has no competency {code!r}",
                    f"use a code from {ACADEMIES_DIR}/frameworks/{framework_id}.yml "
                    "(`academy show " + framework_id + "` lists them)",
                )
            )
    return found


def _academy_references(catalog: Catalog) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for academy in catalog.academies.values():
        file = f"{ACADEMIES_DIR}/{academy.id}.yml"
        found += _unknown(academy.courses, catalog.courses, "course", file, "courses")
        found += _unknown(academy.frameworks, catalog.frameworks, "framework", file, "frameworks")
        seen: set[str] = set()
        for i, pathway in enumerate(academy.pathways):
            where = f"pathways[{i}]"
            if pathway.id in seen:
                found.append(
                    error(
                        "duplicate-id",
                        file,
                        f"{where}.id",
                        f"pathway {pathway.id!r} repeats",
                        "give each pathway in an academy its own id",
                    )
                )
            seen.add(pathway.id)
            found += _unknown([pathway.role], catalog.roles, "role", file, f"{where}.role")
            found += _unknown(
                [*pathway.modules, *pathway.electives], catalog.modules, "module", file, where
            )
    return found


def _module_references(catalog: Catalog) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    prefix = f"metadata.{METADATA_KEY}"
    for module in catalog.modules.values():
        file = _module_file(catalog, module.id)
        found += _unknown(
            module.prerequisites, catalog.modules, "module", file, f"{prefix}.prerequisites"
        )
        if module.id in module.prerequisites:
            found.append(
                error(
                    "prerequisite-cycle",
                    file,
                    f"{prefix}.prerequisites",
                    "the module lists itself as a prerequisite",
                    "remove it",
                )
            )
        found += _unknown(module.audiences, catalog.roles, "role", file, f"{prefix}.audiences")
        found += _competency_errors(catalog, module.competencies, file, f"{prefix}.competencies")
        for i, outcome in enumerate(module.outcomes):
            extra = [c for c in outcome.competencies if c not in module.competencies]
            if extra:
                found.append(
                    error(
                        "unknown-competency",
                        file,
                        f"{prefix}.outcomes[{i}].competencies",
                        f"outcome maps to {', '.join(extra)}, which the module does not list",
                        "add them to the module's competencies, or remove them from the outcome",
                    )
                )
    return found


def _assessments(catalog: Catalog) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for assessment in catalog.assessments.values():
        file = f"{ASSESSMENTS_DIR}/{assessment.id}.yml"
        module = catalog.modules.get(assessment.module)
        if module is None:
            found += _unknown([assessment.module], catalog.modules, "module", file, "module")
            continue
        found += _competency_errors(catalog, assessment.competencies, file, "competencies")
        extra = [c for c in assessment.competencies if c not in module.competencies]
        if extra:
            found.append(
                error(
                    "unknown-competency",
                    file,
                    "competencies",
                    f"{', '.join(extra)} not listed by module {module.id!r}",
                    "assess only competencies the module teaches, or add them to the module",
                )
            )
        if module.assessment is not AssessmentKind.ACCREDITED:
            found.append(
                error(
                    "assessment-kind",
                    file,
                    "module",
                    f"module {module.id!r} has assessment {module.assessment.value!r}",
                    "set the module's assessment to 'accredited'",
                )
            )
    for module in catalog.modules.values():
        if module.assessment is AssessmentKind.ACCREDITED and not catalog.module_assessments(
            module.id
        ):
            found.append(
                error(
                    "assessment-missing",
                    _module_file(catalog, module.id),
                    f"metadata.{METADATA_KEY}.assessment",
                    "the module is marked accredited but no assessment evidences it",
                    f"add {ASSESSMENTS_DIR}/<id>.yml naming this module, or use 'self-check'",
                )
            )
    return found


def find_cycles(prerequisites: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Every distinct prerequisite cycle, each as a path that returns to its start."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    cycles: list[list[str]] = []
    for start in sorted(prerequisites):
        if start in state:
            continue
        path: list[str] = []
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(prerequisites.get(start, ())))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(iter(children), None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if child not in prerequisites or child == node:
                continue
            if state.get(child) == 1:
                cycles.append([*path[path.index(child) :], child])
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(prerequisites[child])))
    return cycles


def _cycles(catalog: Catalog) -> list[Diagnostic]:
    graph = {m.id: m.prerequisites for m in catalog.modules.values()}
    return [
        error(
            "prerequisite-cycle",
            _module_file(catalog, cycle[0]),
            f"metadata.{METADATA_KEY}.prerequisites",
            "prerequisite cycle: " + " -> ".join(cycle),
            "remove one of these prerequisites so that the chain has a start",
        )
        for cycle in find_cycles(graph)
    ]


def _orphans(catalog: Catalog) -> list[Diagnostic]:
    in_academy = {c for a in catalog.academies.values() for c in a.courses}
    return [
        error(
            "orphan-module",
            _module_file(catalog, m.id),
            "(course)",
            f"module {m.id!r} is in course {catalog.locations[m.id].course!r}, "
            "which no academy includes",
            f"add the course to an academy's 'courses' in {ACADEMIES_DIR}/<academy>.yml",
        )
        for m in catalog.modules.values()
        if catalog.locations[m.id].course not in in_academy
    ]


def _pathway_order(catalog: Catalog) -> list[Diagnostic]:
    """In an ordered pathway, no module may come before a prerequisite that the pathway holds."""
    found: list[Diagnostic] = []
    for academy, pathway in catalog.pathways():
        if not pathway.ordered:
            continue
        position = {m: i for i, m in enumerate(pathway.modules)}
        for module_id in pathway.modules:
            module = catalog.modules.get(module_id)
            for pre in module.prerequisites if module else ():
                if pre in position and position[pre] > position[module_id]:
                    found.append(
                        error(
                            "pathway-order",
                            f"{ACADEMIES_DIR}/{academy.id}.yml",
                            f"pathways[{pathway.id}].modules",
                            f"{module_id!r} comes before its prerequisite {pre!r}",
                            f"move {pre!r} earlier in the pathway",
                        )
                    )
    return found


def overdue(module: Module, today: dt.date) -> bool:
    return module.review_due() < today


def _reviews(catalog: Catalog, today: dt.date) -> list[Diagnostic]:
    return [
        warning(
            "review-overdue",
            _module_file(catalog, m.id),
            f"metadata.{METADATA_KEY}.last_reviewed",
            f"review was due on {m.review_due().isoformat()} (last reviewed "
            f"{m.last_reviewed.isoformat()})",
            "review the content, then set last_reviewed to the review date",
        )
        for m in catalog.modules.values()
        if overdue(m, today)
    ]
