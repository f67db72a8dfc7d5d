"""The content model: typed, immutable value objects for the whole catalogue.

Everything downstream (books, hub, grading, plans, badges) reads these objects;
nothing downstream parses notebooks for metadata itself.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

#: Bitesize means short: a module longer than this must be split.
BITESIZE_MAX_MINUTES = 45
#: Anything shorter is a page, not a module.
BITESIZE_MIN_MINUTES = 5
#: Content is curated: every module is reviewed at least this often by default.
DEFAULT_REVIEW_MONTHS = 12
#: The notebook metadata key that holds a module's facts (``metadata.academy``).
METADATA_KEY = "academy"

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_COMPETENCY_REF = re.compile(
    r"^(?P<framework>[a-z0-9]+(?:-[a-z0-9]+)*):(?P<code>[A-Za-z0-9][\w.\-]*)$"
)

# Measurable outcomes start with an observable verb (Bloom's taxonomy). Verbs
# such as "understand" or "know" cannot be assessed, so they are refused.
UNMEASURABLE_VERBS = frozenset(
    {"understand", "know", "appreciate", "learn", "be", "become", "grasp", "realise", "realize"}
)


def _competency_ref(value: str) -> str:
    if not _COMPETENCY_REF.match(value):
        raise ValueError(
            f"{value!r} is not a competency reference; write it as 'framework:code', "
            "for example 'fci-core:D3.2'"
        )
    return value


def _measurable(value: str) -> str:
    first = value.split(maxsplit=1)[0].strip(",.;:").lower()
    if first in UNMEASURABLE_VERBS:
        raise ValueError(
            f"outcome starts with {first!r}, which cannot be assessed; start with an "
            "observable verb such as 'calculate', 'explain', 'identify' or 'apply'"
        )
    return value


CompetencyRef = Annotated[str, AfterValidator(_competency_ref)]


def split_ref(ref: str) -> tuple[str, str]:
    """Split ``framework:code`` into its two parts."""
    framework, _, code = ref.partition(":")
    return framework, code


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Level(StrEnum):
    """How much a learner should already know before starting a module."""

    FOUNDATION = "foundation"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class AssessmentKind(StrEnum):
    NONE = "none"
    SELF_CHECK = "self-check"
    ACCREDITED = "accredited"


class Outcome(_Frozen):
    """One measurable learning outcome, optionally tied to the competencies it evidences."""

    text: Annotated[Text, AfterValidator(_measurable)] = Field(
        description="Starts with an observable verb: 'Calculate the NHS number check digit'."
    )
    competencies: tuple[CompetencyRef, ...] = Field(
        default=(), description="Subset of the module's competencies this outcome evidences."
    )


class Module(_Frozen):
    """A bitesize module: the facts stored in a notebook under ``metadata.academy``."""

    id: Slug = Field(description="Stable identifier; never reuse or rename once published.")
    title: Text
    summary: Text
    minutes: int = Field(
        ge=BITESIZE_MIN_MINUTES,
        le=BITESIZE_MAX_MINUTES,
        description=f"Learning time: {BITESIZE_MIN_MINUTES} to {BITESIZE_MAX_MINUTES} minutes.",
    )
    level: Level
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    prerequisites: tuple[Slug, ...] = Field(default=(), description="Module ids to take first.")
    competencies: tuple[CompetencyRef, ...] = Field(min_length=1)
    audiences: tuple[Slug, ...] = Field(min_length=1, description="Role ids from roles.yml.")
    assessment: AssessmentKind
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    authors: tuple[Text, ...] = Field(min_length=1)
    licence: Text = Field(
        default="CC-BY-4.0", description="SPDX identifier of the content licence."
    )
    last_reviewed: dt.date
    review_every_months: int = Field(default=DEFAULT_REVIEW_MONTHS, ge=1, le=36)

    def review_due(self) -> dt.date:
        months = self.last_reviewed.month - 1 + self.review_every_months
        year = self.last_reviewed.year + months // 12
        month = months % 12 + 1
        day = min(self.last_reviewed.day, 28)
        return dt.date(year, month, day)


class Course(_Frozen):
    """A group of modules in one ``courses/<id>/`` folder, described by its ``course.yml``."""

    id: Slug
    title: Text
    summary: Text


class Role(_Frozen):
    """A workforce role that modules are written for and pathways lead to."""

    id: Slug
    title: Text
    description: Text


class Pathway(_Frozen):
    """A role or career step: modules to take, in order when ``ordered`` is true."""

    id: Slug
    title: Text
    role: Slug = Field(description="Role id from roles.yml this pathway prepares for.")
    career_step: Text = Field(description="For example 'FEDIP Practitioner' or 'new to role'.")
    summary: Text
    ordered: bool = True
    modules: tuple[Slug, ...] = Field(min_length=1, description="Required modules.")
    electives: tuple[Slug, ...] = Field(default=(), description="Optional modules.")


class Academy(_Frozen):
    """A specialist academy: one book, for one part of the workforce."""

    id: Slug
    title: Text
    audience: Text = Field(description="Who the academy is for, in one or two sentences.")
    summary: Text
    courses: tuple[Slug, ...] = Field(min_length=1)
    frameworks: tuple[Slug, ...] = Field(min_length=1)
    pathways: tuple[Pathway, ...] = Field(default=())


class Assessment(_Frozen):
    """An accredited assessment: an nbgrader source notebook tied to a module's competencies.

    Lives in ``graders/assessments/<id>.yml``; its notebook in ``graders/source/<id>/<id>.ipynb``.
    """

    id: Slug
    title: Text
    module: Slug = Field(description="The accredited module this assessment evidences.")
    competencies: tuple[CompetencyRef, ...] = Field(
        min_length=1, description="Subset of the module's competencies the assessment evidences."
    )
    pass_mark: float = Field(default=0.5, gt=0, le=1, description="Fraction of points to pass.")
    methods: tuple[Text, ...] = Field(
        min_length=1, description="How it assesses, e.g. 'autograded code', 'marked short answer'."
    )


class FrameworkLevel(_Frozen):
    id: Slug
    name: Text
    description: Text


class Competency(_Frozen):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][\w.\-]*$")]
    statement: Text


class Domain(_Frozen):
    id: Slug
    name: Text
    competencies: tuple[Competency, ...] = Field(min_length=1)


class CompetencyFramework(_Frozen):
    """A published competency framework, paraphrased in the academy's own words."""

    id: Slug
    name: Text
    source: Text = Field(description="Publisher and year of the published framework.")
    version: Text
    url: Text | None = None
    note: Text | None = Field(
        default=None, description="How the academy's codes and wording relate to the original."
    )
    levels: tuple[FrameworkLevel, ...] = Field(default=())
    domains: tuple[Domain, ...] = Field(min_length=1)

    def codes(self) -> dict[str, Competency]:
        return {c.code: c for d in self.domains for c in d.competencies}
