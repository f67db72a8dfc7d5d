"""The published JSON Schemas of the content model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from .model import Academy, Assessment, CompetencyFramework, Course, Module, Role

SCHEMA_BASE = "https://digital-academy.example/schema"

#: Each kind of content file and the model that describes it.
KINDS: dict[str, type[BaseModel]] = {
    "module": Module,
    "course": Course,
    "academy": Academy,
    "assessment": Assessment,
    "framework": CompetencyFramework,
    "role": Role,
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one kind of content."""
    model = KINDS[kind]
    schema = TypeAdapter(model).json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{kind}.json",
        **schema,
    }
