"""Truth tests run the code that learners read: the notebook cells tagged ``reference``."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digital_academy.catalog import Catalog, load_catalog

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    # Loaded, not validated: `academy check` is tested on its own in tests/catalog.
    return load_catalog(REPO)[0]


def reference_namespace(path: Path) -> dict[str, Any]:
    """Execute a notebook's ``reference`` cells, in order, in a fresh namespace."""
    notebook = json.loads(path.read_text("utf-8"))
    cells = [
        c
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "reference" in c.get("metadata", {}).get("tags", [])
    ]
    if not cells:
        raise AssertionError(f"{path} has no code cells tagged 'reference'")
    # A real, registered module, so that dataclasses and pickling work as in a kernel.
    module = types.ModuleType(f"reference_{path.stem.replace('-', '_')}")
    sys.modules[module.__name__] = module
    for i, cell in enumerate(cells):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        # dont_inherit: this file's __future__ imports must not change the cells' semantics.
        code = compile(source, f"{path.name}[reference {i}]", "exec", dont_inherit=True)
        exec(code, module.__dict__)
    return module.__dict__


@pytest.fixture(scope="session")
def reference(catalog: Catalog) -> Callable[[str], dict[str, Any]]:
    """``reference("nhs-number-validation")`` -> the names its reference cells define."""
    cache: dict[str, dict[str, Any]] = {}

    def load(module_id: str) -> dict[str, Any]:
        if module_id not in cache:
            cache[module_id] = reference_namespace(catalog.locations[module_id].path)
        return cache[module_id]

    return load
