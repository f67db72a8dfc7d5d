"""Rebuild a submitted notebook in the released shape before grading (pure).

Learners add, delete, retype and re-order cells. Instead of failing the batch (nbgrader
#1941), every submission is rebuilt: tutor cells (tests, setup, text) always come from the
master copy; each answer cell is the learner's, found by its grade id wherever it moved to;
cells the learner added stay right after the answer or tutor cell they followed. Anything
unusual is *flagged* with a reason a tutor can read, and grading goes on.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass, field
from typing import Any

from .master import MasterCell, MasterNotebook, text
from .outputs import ACTIVE_HTML

CODE_ROLES = ("answer", "manual-answer", "free", "setup")


class UnreadableSubmission(ValueError):
    """The submission is not a notebook we can grade; the reason is for the tutor."""


@dataclass
class Rebuilt:
    cells: list[dict[str, Any]]
    roles: list[str]
    master: list[MasterCell | None]
    flags: list[str] = field(default_factory=list)


def _cell_list(submitted: object) -> list[dict[str, Any]]:
    if not isinstance(submitted, dict):
        raise UnreadableSubmission("the file is not a notebook (no JSON object at the top)")
    if submitted.get("nbformat") != 4:
        raise UnreadableSubmission(f"nbformat {submitted.get('nbformat')!r} is not 4")
    cells = submitted.get("cells")
    if not isinstance(cells, list):
        raise UnreadableSubmission("the notebook has no list of cells")
    out = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), str | list):
            raise UnreadableSubmission(f"cell {i} is not a notebook cell")
        out.append(cell)
    return out


def _grade_id(cell: dict[str, Any]) -> str | None:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return gid if isinstance(gid, str) and gid else None


def _free(cell: dict[str, Any]) -> dict[str, Any]:
    """A learner cell with no grading metadata, normalised to nbformat."""
    cell_type = cell.get("cell_type")
    kind = cell_type if cell_type in ("code", "markdown", "raw") else "raw"
    return _make(kind, text(cell.get("source", "")), {})


def _make(cell_type: str, source: str, metadata: dict[str, Any]) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": cell_type,
        "metadata": copy.deepcopy(metadata),
        "source": source,
    }
    if cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _inert(cell: dict[str, Any], flags: list[str]) -> dict[str, Any]:
    """Learner markdown is rendered in tutors' and learners' browsers: no active HTML."""
    if cell["cell_type"] == "markdown" and ACTIVE_HTML.search(cell["source"]):
        cell["source"] = html.escape(cell["source"])
        flags.append(
            "a markdown cell held active HTML (scripts or event handlers); it is "
            "shown as plain text"
        )
    return cell


def rebuild(master: MasterNotebook, submitted: object) -> Rebuilt:
    cells = _cell_list(submitted)
    known = master.by_id()
    found: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    groups: dict[str | None, list[dict[str, Any]]] = {None: []}
    flags: list[str] = []
    current: str | None = None
    for cell in cells:
        gid = _grade_id(cell)
        if gid in known and gid not in found:
            assert gid is not None
            found[gid] = cell
            order.append(gid)
            current = gid
            groups.setdefault(gid, [])
            continue
        if gid in found:
            flags.append(
                f"cell '{gid}' appears more than once; the first copy was graded and "
                "the others were run as ordinary cells"
            )
        elif gid is not None:
            flags.append(
                f"cell '{gid}' is not part of this assignment; it was run as an ordinary cell"
            )
        groups[current].append(_free(cell))
    expected = [c.grade_id for c in master.cells if c.grade_id in found]
    if order != expected:
        flags.append("cells were moved; the submission was graded in the released order")

    for group in groups.values():
        group[:] = [_inert(cell, flags) for cell in group]
    out = Rebuilt(cells=[], roles=[], master=[], flags=flags)
    _append_group(out, groups[None])
    for mc in master.cells:
        if mc.grade_id is None:
            continue
        _append(out, mc, _choose(mc, found.get(mc.grade_id), flags), mc.role)
        _append_group(out, groups.get(mc.grade_id, []))
    return out


def _append(out: Rebuilt, mc: MasterCell | None, cell: dict[str, Any], role: str) -> None:
    out.cells.append(cell)
    out.roles.append(role)
    out.master.append(mc)


def _append_group(out: Rebuilt, group: list[dict[str, Any]]) -> None:
    for cell in group:
        _append(out, None, cell, "free" if cell["cell_type"] == "code" else "text")


def _choose(mc: MasterCell, sub: dict[str, Any] | None, flags: list[str]) -> dict[str, Any]:
    gid = mc.grade_id
    if mc.locked or mc.role in ("test", "setup", "text"):
        if sub is None:
            flags.append(f"tutor cell '{gid}' was deleted; it was restored from the release")
        elif sub.get("cell_type") != mc.cell_type:
            flags.append(
                f"tutor cell '{gid}' was changed to {sub.get('cell_type')}; it was "
                "restored from the release"
            )
        elif text(sub.get("source", "")) != mc.release_source:
            flags.append(f"tutor cell '{gid}' was edited; it was restored from the release")
        return _make(mc.cell_type, mc.source, mc.metadata)
    if sub is None:
        flags.append(
            f"answer cell '{gid}' was deleted; it was graded as unanswered (cells "
            "the learner added were still run)"
        )
        return _make(mc.cell_type, mc.release_source, mc.metadata)
    if sub.get("cell_type") != mc.cell_type:
        flags.append(
            f"answer cell '{gid}' was changed from {mc.cell_type} to "
            f"{sub.get('cell_type')}; it was graded as {mc.cell_type}"
        )
    return _inert(_make(mc.cell_type, text(sub.get("source", "")), mc.metadata), flags)
