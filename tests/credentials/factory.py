"""The shared catalogue factory of tests/journeys (test folders are not one package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "academy_tests_journeys_factory"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        _NAME, Path(__file__).resolve().parents[1] / "journeys" / "factory.py"
    )
    assert _spec is not None and _spec.loader is not None
    sys.modules[_NAME] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules[_NAME])
_factory = sys.modules[_NAME]

module_meta = _factory.module_meta
write_catalog = _factory.write_catalog
