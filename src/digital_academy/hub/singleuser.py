"""``python -m digital_academy.hub.singleuser``: a learner's Jupyter server, started lean.

This is JupyterHub's own single-user server (``jupyterhub.singleuser``) minus three start-up
costs that buy a learner nothing, each a documented fallback of the package concerned and each
confined to this server process (kernels are separate processes, untouched); and garbage
collection waits until the server runs (see ``main``).

- ``jupyterlab.labapp`` runs ``node yarn.js config --json`` at import, a child process costing
  about 0.35 s of CPU (and seconds of wall time on a busy machine), only to learn the npm
  registry for lab builds and extension installs. Learners' servers do neither (the extension
  manager is read-only), so they take the default registry, as JupyterLab does without Node.js.
- ``jsonschema`` optionally imports ``rfc3987_syntax``, which builds an Earley grammar at
  import (about 0.9 s of CPU) to check the ``iri`` format in Jupyter's own event schemas.
  Refused here, ``jsonschema`` skips that one format check.
- ``httpx`` imports its optional command-line client (``rich``, ``click``, ``pygments``) when
  they happen to be installed; JupyterLab imports ``httpx`` but never that client.
"""

from __future__ import annotations

import gc
import logging
import sys
from typing import Any

#: Optional imports this server refuses; both packages catch the ImportError by design.
REFUSED_IMPORTS = ("rfc3987_syntax", "httpx._main")


def refuse_optional_imports() -> None:
    for name in REFUSED_IMPORTS:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # "import X" -> ImportError


def _no_yarn_config(logger: logging.Logger) -> dict[str, dict[str, Any]]:
    logger.debug("Learner server: yarn configuration skipped (no builds, read-only extensions)")
    return {"yarn config": {}, "npm config": {}}  # what JupyterLab returns without Node.js


def skip_yarn_config() -> bool:
    """Make JupyterLab skip its ``node`` call; False if this JupyterLab has no such call."""
    try:
        from jupyterlab import commands  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        return False
    if not callable(getattr(commands, "_yarn_config", None)):
        return False  # JupyterLab changed: start the stock way rather than guess
    commands._yarn_config = _no_yarn_config
    return True


def _collect_again(log: logging.Logger) -> None:
    gc.enable()
    log.info("Learner server started: garbage collection is on again")


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "digital_academy.hub.singleuser"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Garbage collection resumes as soon as the server runs (see ``main``)."""
    serverapp.io_loop.add_callback(_collect_again, serverapp.log)


def main() -> None:
    # Start-up creates the objects of ~1,300 modules and almost no garbage, yet the collector
    # keeps traversing them: about 10% of the start-up's CPU. Collection stays off until the
    # server runs; this module is also a server extension, enabled in the learners' config,
    # that turns it back on from the server's event loop.
    gc.disable()
    refuse_optional_imports()
    skip_yarn_config()
    from jupyterhub.singleuser import (  # type: ignore[import-untyped]  # noqa: PLC0415
        main as singleuser_main,
    )

    singleuser_main()


if __name__ == "__main__":
    main()
