"""What a learner is aiming for: a role or a list of competencies, minus what is done.

``--role R`` means: every competency declared by the *required* modules of every
pathway (in any academy) whose ``role`` is R. Electives are not targets. The planner
then looks for the least learning time that evidences all of those competencies, so
it may choose a different module than the pathway lists when that is quicker.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from digital_academy.catalog import Catalog


class PlanError(ValueError):
    """The request cannot be planned; the message says why and what to do."""


@dataclass(frozen=True)
class Targets:
    competencies: tuple[str, ...]
    done: frozenset[str]
    #: Where the competencies came from, for people: "role analyst: pathways ...".
    source: str


def _suggest(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def role_competencies(catalog: Catalog, role: str) -> tuple[tuple[str, ...], str]:
    """The competencies a role's pathways require, and a sentence saying which pathways."""
    if role not in catalog.roles:
        known = sorted(catalog.roles)
        raise PlanError(
            f"unknown role {role!r}{_suggest(role, known)}; known roles: {', '.join(known)}"
        )
    pathways = [(a, p) for a, p in catalog.pathways() if p.role == role]
    if not pathways:
        with_paths = sorted({p.role for _, p in catalog.pathways()})
        raise PlanError(
            f"no pathway prepares for role {role!r}, so it has no target competencies; "
            f"roles with pathways: {', '.join(with_paths) or 'none'}; or pass --target"
        )
    found: set[str] = set()
    for _, pathway in pathways:
        for module_id in pathway.modules:
            found.update(catalog.modules[module_id].competencies)
    names = ", ".join(f"{p.id} ({a.id})" for a, p in pathways)
    return tuple(sorted(found)), f"role {role}: required modules of pathways {names}"


def resolve(
    catalog: Catalog,
    role: str | None = None,
    competencies: tuple[str, ...] = (),
    done: tuple[str, ...] = (),
) -> Targets:
    """Check and combine ``--role``, ``--target`` and ``--done`` into planning targets."""
    if role is None and not competencies:
        raise PlanError("say what to plan for: --role ROLE or --target FRAMEWORK:CODE,...")
    wanted: set[str] = set()
    sources: list[str] = []
    if role is not None:
        found, source = role_competencies(catalog, role)
        wanted.update(found)
        sources.append(source)
    known_refs = sorted(
        f"{fid}:{code}" for fid, fw in catalog.frameworks.items() for code in fw.codes()
    )
    for ref in competencies:
        if ref not in known_refs:
            raise PlanError(
                f"unknown competency {ref!r}{_suggest(ref, known_refs)}; write it as "
                "framework:code, as listed by `academy show <framework>`"
            )
        wanted.add(ref)
    if competencies:
        sources.append(f"competencies {', '.join(competencies)}")
    unknown_done = [m for m in done if m not in catalog.modules]
    if unknown_done:
        bad = unknown_done[0]
        raise PlanError(
            f"--done names unknown module {bad!r}{_suggest(bad, sorted(catalog.modules))}; "
            "see `academy list` for module ids"
        )
    evidenced = {c for m in catalog.modules.values() for c in m.competencies}
    orphans = sorted(wanted - evidenced)
    if orphans:
        raise PlanError(
            f"no module in the catalogue evidences {', '.join(orphans)}, so no plan can "
            "cover it; drop it from --target (`academy accredit` lists such gaps)"
        )
    return Targets(tuple(sorted(wanted)), frozenset(done), "; ".join(sources))
