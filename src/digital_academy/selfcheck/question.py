"""Self-check questions as validated data."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Choice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1)
    correct: bool = False
    feedback: str = Field(min_length=1, description="Why this answer is right or wrong.")


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str = Field(min_length=1)
    choices: tuple[Choice, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _one_correct(self) -> Question:
        if sum(c.correct for c in self.choices) != 1:
            raise ValueError("a self-check question needs exactly one correct choice")
        return self

    @property
    def answer(self) -> int:
        return next(i for i, c in enumerate(self.choices) if c.correct)
