"""Process start-up for build workers: skip one very slow, unused import.

jsonschema (imported by nbformat, jupyter-cache and Jupyter Book) compiles the grammar
of the optional ``rfc3987_syntax`` package when it is imported: about 4 s per process
on the reference machine, for an "iri" format check that no build uses. Build processes
mark it absent so jsonschema skips that one checker. Nothing else changes.
"""

from __future__ import annotations

import sys


def skip_unused_grammar() -> None:
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
