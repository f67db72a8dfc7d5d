"""Findings about the catalogue, phrased for the author who has to fix them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: where it is (file, field), what is wrong, and what to do."""

    severity: Severity
    code: str
    file: str
    field: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


def error(code: str, file: str, field: str, message: str, fix: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, file, field, message, fix)


def warning(code: str, file: str, field: str, message: str, fix: str) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, file, field, message, fix)


def field_path(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """Render a pydantic location as ``outcomes[0].text``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


_FIXES = {
    "missing": "add the field; `academy schema` shows its type",
    "extra_forbidden": "remove the field, or check its spelling against `academy schema`",
    "string_pattern_mismatch": "use lower-case words joined by hyphens, e.g. 'nhs-number-check'",
}


def from_validation_error(exc: ValidationError, file: str, prefix: str = "") -> list[Diagnostic]:
    """Translate pydantic's errors into one diagnostic per bad field."""
    found = []
    for err in exc.errors(include_url=False):
        where = field_path(tuple(err["loc"]), prefix)
        kind = err["type"]
        message = str(err["msg"]).removeprefix("Value error, ")
        if kind == "less_than_equal" and err["loc"][-1:] == ("minutes",):
            found.append(
                error(
                    "over-long",
                    file,
                    where,
                    f"module takes {err.get('input')} minutes; bitesize modules take at most "
                    f"{err['ctx']['le']}",
                    "split it into two modules, the second listing the first as a prerequisite",
                )
            )
            continue
        if kind not in {"missing"}:
            message = f"{message} (got {err.get('input')!r})"
        fix = _FIXES.get(kind, "correct the value; `academy schema` describes every field")
        found.append(error("schema", file, where, message, fix))
    return found
