"""Publishing: the catalogue as Jupyter Book books and a catalogue site, offline.

Pure builders (``plan``, ``pages``, ``site``, ``notebook``, ``package``, and the engines'
``project``) turn the catalogue into files; runners (``execute``, ``runner``, ``swap``,
``assemble``) execute, build and publish. ``build_site`` is the entry point.
"""

from __future__ import annotations

from typing import Any

from .settings import DEFAULT_ENGINE, DEFAULT_HUB_URL, PublishSettings, SettingsError

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_HUB_URL",
    "BuildReport",
    "PublishError",
    "PublishSettings",
    "SettingsError",
    "build_site",
]


def __getattr__(name: str) -> Any:
    # The runner pulls in the Jupyter stack; load it only when it is used.
    if name in {"build_site", "BuildReport", "PublishError"}:
        from . import runner  # noqa: PLC0415

        return getattr(runner, name)
    raise AttributeError(name)
