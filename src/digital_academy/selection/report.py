"""The public audit (JSON and HTML) and the fairness report, built from a ``Selection``.

Builders are pure: a selection in, plain data or HTML text out. Nothing in the audit depends on
the clock, so a replay reproduces it exactly (timings go to the console only).
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import platform
from typing import Any

from . import backends
from .fairness import probability_counts, quota_table
from .inputs import quotas_hash
from .runner import Selection

AUDIT_FORMAT = "digital-academy/cohort-audit/1"


def _package_version() -> str:
    try:
        return importlib.metadata.version("digital-academy")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source checkout
        return "unknown"


def selected_sha256(ids: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def build_audit(selection: Selection, files: dict[str, str] | None = None) -> dict[str, Any]:
    """The public audit: enough for anyone to re-run the selection and check the cohort."""
    request = selection.request
    pool = request.pool
    probs = selection.applicant_probabilities()
    lottery = selection.lottery
    return {
        "format": AUDIT_FORMAT,
        "inputs": {
            "applicants": pool.size,
            "applicants_sha256": selection.pool_sha256,
            "quotas_sha256": quotas_hash(request.quotas, request.capacity),
            "files_sha256": dict(sorted((files or {}).items())),
            "capacity": request.capacity,
            "features": list(pool.features),
            "quotas": [
                {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}
                for q in request.quotas.quotas
            ],
        },
        "seed": request.seed,
        "algorithm": {
            "name": request.algorithm,
            "description": backends.BACKENDS[request.algorithm].summary,
            "time_budget_seconds": request.time_budget,
            "gap": request.gap,
            "steps": selection.steps,
            "stopped_by": selection.stopped_by,
            "replay": {
                "algorithm": request.algorithm,
                "max_steps": selection.steps,
                "gap": request.gap,
            },
        },
        "software": {
            "digital-academy": _package_version(),
            **selection.versions,
            "python": platform.python_version(),
            "platform": f"{platform.system()}-{platform.machine()}",
        },
        "result": {
            "minimum_probability": selection.achieved,
            "proven_upper_bound": selection.upper_bound,
            "ceiling_capacity_over_pool": request.capacity / pool.size,
            "ceiling_from_quotas": selection.lp_ceiling,
            "share_of_upper_bound": selection.achieved / selection.upper_bound
            if selection.upper_bound
            else 1.0,
            "types": len(selection.typed.keys),
            "lottery": {
                "denominator": lottery.denominator,
                "cohorts": [
                    {"weight": w, "counts": {str(t): x for t, x in enumerate(c) if x}}
                    for c, w in zip(lottery.committees, lottery.weights, strict=True)
                ],
            },
            "draw": {
                "ticket": selection.drawn.ticket,
                "cohort": selection.drawn.committee_index,
                "method": "SHA-256 counter mode keyed by seed and applicants_sha256",
            },
            "selected": list(selection.drawn.selected),
            "selected_sha256": selected_sha256(selection.drawn.selected),
            "reserves": list(selection.drawn.reserves),
        },
        "probabilities": [
            {"applicant_id": a.id, "probability": float(probs[a.id])} for a in pool.applicants
        ],
        "notes": selection.notes,
    }


def build_fairness(selection: Selection) -> dict[str, Any]:
    request = selection.request
    lines = quota_table(
        request.pool,
        request.quotas,
        selection.drawn.selected,
        selection.typed,
        selection.type_probabilities,
    )
    base = selection.baseline
    baseline: dict[str, Any] | None = None
    if base is not None:
        baseline = {
            "algorithm": "sortition-legacy",
            "runs": base.runs,
            "failed_runs": base.failures,
            "minimum_probability_estimate": base.min_probability,
            "minimum_probability_upper_95": base.min_upper_95,
            "mean_probability": base.mean_probability,
            "applicants_below_maximin_minimum": base.applicants_below,
            "applicants_below_half_maximin_minimum": base.applicants_below_half,
            "maximin_over_baseline": selection.achieved / base.min_probability
            if base.min_probability
            else None,
            "maximin_over_baseline_conservative": selection.achieved / base.min_upper_95,
        }
    return {
        "maximin": {
            "algorithm": request.algorithm,
            "minimum_probability": selection.achieved,
            "proven_upper_bound": selection.upper_bound,
            "ceiling_capacity_over_pool": request.capacity / request.pool.size,
            "ceiling_from_quotas": selection.lp_ceiling,
        },
        "baseline": baseline,
        "quotas": [
            {
                "feature": line.feature,
                "value": line.value,
                "min": line.min,
                "max": line.max,
                "in_pool": line.in_pool,
                "selected": line.selected,
                "expected": round(line.expected, 6),
                "met": line.met,
            }
            for line in lines
        ],
        "all_quotas_met": all(line.met for line in lines),
    }


def _table(headers: list[str], rows: list[list[str]], caption: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>\n{body}\n</tbody></table>"
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#212b32}table{border-collapse:collapse;margin:1rem 0;width:100%}"
    "th,td{border:1px solid #d8dde0;padding:.3rem .5rem;text-align:left}"
    "caption{text-align:left;font-weight:600;padding:.5rem 0}"
    "code{background:#f0f4f5;padding:0 .2rem}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>\n{body}\n</main></body></html>\n"
    )


def _pct(value: float) -> str:
    return f"{value:.3%}"


def render_audit_html(audit: dict[str, Any]) -> str:
    inputs, result, algo = audit["inputs"], audit["result"], audit["algorithm"]
    summary = _table(
        ["item", "value"],
        [
            ["applicants", str(inputs["applicants"])],
            ["places", str(inputs["capacity"])],
            ["applicants (SHA-256, canonical)", inputs["applicants_sha256"]],
            ["quotas and capacity (SHA-256)", inputs["quotas_sha256"]],
            *[
                [f"file {name} (SHA-256)", digest]
                for name, digest in inputs["files_sha256"].items()
            ],
            ["public seed", str(audit["seed"])],
            ["algorithm", f"{algo['name']}: {algo['description']}"],
            ["steps / stopped by", f"{algo['steps']} / {algo['stopped_by']}"],
            *[[f"software: {k}", v] for k, v in audit["software"].items()],
        ],
        "What was run",
    )
    outcome = _table(
        ["measure", "value"],
        [
            ["lowest selection probability (achieved)", _pct(result["minimum_probability"])],
            ["proven upper bound for any fair lottery", _pct(result["proven_upper_bound"])],
            ["ceiling: places / applicants", _pct(result["ceiling_capacity_over_pool"])],
            ["ceiling from the quotas (LP relaxation)", _pct(result["ceiling_from_quotas"])],
            ["achieved / upper bound", f"{result['share_of_upper_bound']:.1%}"],
            [
                "lottery",
                f"{len(result['lottery']['cohorts'])} cohorts over {result['types']} types",
            ],
            [
                "draw ticket / cohort drawn",
                f"{result['draw']['ticket']} / {result['draw']['cohort']}",
            ],
            ["selected (SHA-256 of sorted ids)", result["selected_sha256"]],
        ],
        "Result",
    )
    quotas = _table(
        ["feature", "value", "min", "max"],
        [[q["feature"], q["value"], str(q["min"]), str(q["max"])] for q in inputs["quotas"]],
        "Quotas",
    )
    values = [p["probability"] for p in audit["probabilities"]]
    floor = result["minimum_probability"]
    edges = tuple(sorted({floor * f for f in (0.5, 1.0, 1.5, 2.0, 3.0)} - {0.0})) or (0.01,)
    histogram = _table(
        ["selection probability", "applicants"],
        [[label, str(n)] for label, n in probability_counts(values, edges)],
        "How selection probabilities are spread",
    )
    ordered = sorted(audit["probabilities"], key=lambda p: (p["probability"], p["applicant_id"]))
    everyone = _table(
        ["applicant", "selection probability", "selected"],
        [
            [
                p["applicant_id"],
                _pct(p["probability"]),
                "yes" if p["applicant_id"] in set(result["selected"]) else "",
            ]
            for p in ordered
        ],
        "Every applicant's selection probability",
    )
    verify = (
        "<h2>Check it yourself</h2><p>With the published applicants file, run "
        "<code>academy cohort verify --audit audit.json --applicants applicants.csv</code>. "
        "It recomputes the lottery with the same algorithm and step count, redraws with the "
        "same seed and confirms the same cohort, reserves and probabilities.</p>"
    )
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in audit.get("notes", []))
    return _page(
        "Cohort selection: public audit",
        summary + outcome + verify + notes + quotas + histogram + everyone,
    )


def render_fairness_html(fairness: dict[str, Any]) -> str:
    m, b = fairness["maximin"], fairness["baseline"]
    rows = [
        ["maximin: lowest selection probability", _pct(m["minimum_probability"])],
        ["maximin: proven upper bound", _pct(m["proven_upper_bound"])],
        ["ceiling: places / applicants", _pct(m["ceiling_capacity_over_pool"])],
        ["ceiling from the quotas", _pct(m["ceiling_from_quotas"])],
    ]
    if b is not None:
        ratio = b["maximin_over_baseline"]
        rows += [
            [
                f"greedy baseline: lowest probability (estimate over {b['runs']} runs)",
                _pct(b["minimum_probability_estimate"]),
            ],
            [
                "greedy baseline: lowest probability is at most (95% confidence)",
                _pct(b["minimum_probability_upper_95"]),
            ],
            [
                "maximin / greedy lowest probability",
                f"{ratio:.2f}x" if ratio else "greedy estimate is 0",
            ],
            [
                "maximin / greedy, conservative (95%)",
                f"{b['maximin_over_baseline_conservative']:.2f}x",
            ],
            [
                "applicants greedy gives less than maximin's minimum",
                str(b["applicants_below_maximin_minimum"]),
            ],
            ["... less than half of it", str(b["applicants_below_half_maximin_minimum"])],
            ["greedy runs that failed", str(b["failed_runs"])],
        ]
    else:
        rows.append(["greedy baseline", "not run (--baseline-runs 0)"])
    comparison = _table(["measure", "value"], rows, "Fairness: maximin against the greedy baseline")
    quotas = _table(
        ["feature", "value", "min", "max", "in pool", "selected", "expected", "met"],
        [
            [
                q["feature"],
                q["value"],
                str(q["min"]),
                str(q["max"]),
                str(q["in_pool"]),
                str(q["selected"]),
                f"{q['expected']:.1f}",
                "yes" if q["met"] else "NO",
            ]
            for q in fairness["quotas"]
        ],
        "Quota satisfaction (selected cohort; expected = average over the lottery)",
    )
    return _page("Cohort selection: fairness report", comparison + quotas)
