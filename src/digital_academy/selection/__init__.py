"""Inclusive, transparent cohort selection for limited-capacity programmes.

A maximin lottery over quota-meeting cohorts (everyone's chance as high as the quotas allow),
a public draw anyone can re-run, and a fairness report against greedy selection. The optional
GPL-3.0 ``sortition-algorithms`` library is reachable only through ``backends.sortition``; this
package imports and works without it.
"""

from __future__ import annotations

from .feasibility import Change, Diagnosis, diagnose
from .inputs import parse_applicants, parse_quotas, parse_seed, pool_hash
from .maximin import Limits, solve_maximin
from .model import Applicant, Distribution, Pool, Quota, QuotaSet, SelectionInputError, TypedPool
from .reserves import replacement
from .runner import InfeasibleQuotasError, Selection, SelectionRunError, SelectRequest, select
from .verify import Verification, verify

__all__ = [
    "Applicant",
    "Change",
    "Diagnosis",
    "Distribution",
    "InfeasibleQuotasError",
    "Limits",
    "Pool",
    "Quota",
    "QuotaSet",
    "SelectRequest",
    "Selection",
    "SelectionInputError",
    "SelectionRunError",
    "TypedPool",
    "Verification",
    "diagnose",
    "parse_applicants",
    "parse_quotas",
    "parse_seed",
    "pool_hash",
    "replacement",
    "select",
    "solve_maximin",
    "verify",
]
