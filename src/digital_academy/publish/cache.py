"""The execution cache: jupyter-cache, keyed on what a module's outputs depend on.

Kept apart from ``execute`` so that importing the build (and starting its zygote) does
not wait for jupyter-cache, SQLAlchemy and nbformat to load.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from jupyter_cache.base import CacheBundleIn, CacheBundleOut
from jupyter_cache.cache.db import NbCacheRecord
from jupyter_cache.cache.main import JupyterCacheBase

#: Notebook metadata key that carries the fingerprint of a module's non-code inputs.
INPUTS_KEY = "academy_build_inputs"

__all__ = ["INPUTS_KEY", "CacheBundleIn", "ModuleCache", "dumps", "loads", "read"]


class ModuleCache(JupyterCacheBase):  # type: ignore[misc]  # jupyter-cache is untyped
    """jupyter-cache whose key also covers the inputs fingerprint in the notebook metadata.

    Of cell metadata only ``tags`` can change how a cell executes (``raises-exception``);
    the rest (timings that execution adds, display options) must not change the key.
    """

    def get_cache_bundle(self, pk: int) -> Any:
        # jupyter-cache records each read with a database commit (a disk sync per module);
        # its least-recently-used order is only for trimming past the cache limit, which
        # builds size far above the catalogue, so reads here do not write.
        record = NbCacheRecord.record_from_pk(pk, self.db)
        path = self._get_notebook_path_cache(record.hashkey)
        if not path.exists():
            raise KeyError(f"no cached notebook for record {pk}")
        return CacheBundleOut(loads(path.read_text("utf-8")), record=record)

    def create_hashed_notebook(
        self,
        nb: nbformat.NotebookNode,
        nb_metadata: Iterable[str] | None = ("kernelspec", INPUTS_KEY),
        cell_metadata: Iterable[str] | None = ("tags",),
    ) -> tuple[nbformat.NotebookNode, str]:
        return super().create_hashed_notebook(nb, nb_metadata, cell_metadata)  # type: ignore[no-any-return]


def loads(text: str) -> nbformat.NotebookNode:
    nb: nbformat.NotebookNode = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    text: str = nbformat.writes(nb)  # type: ignore[no-untyped-call]
    return text


def read(notebook: Path, fingerprint: str) -> nbformat.NotebookNode:
    """A module's notebook, stamped with the fingerprint of its other inputs."""
    nb = loads(notebook.read_text("utf-8"))
    nb.metadata[INPUTS_KEY] = fingerprint
    return nb
