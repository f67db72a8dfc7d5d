"""Publishing settings and the small pure helpers that turn them into links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

#: The local demo hub (see docs/hub.md); the books are served by it under /services/books/.
DEFAULT_HUB_URL = "http://127.0.0.1:8000/"
#: The engine that builds books offline today; see docs/publishing.md for adding others.
DEFAULT_ENGINE = "jupyter-book-1"

_LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "BSD-3-Clause": "https://opensource.org/license/bsd-3-clause",
}
_LICENCE_NAMES = {
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution-ShareAlike 4.0",
    "CC0-1.0": "CC0 1.0 (public domain)",
    "OGL-UK-3.0": "Open Government Licence v3.0",
    "BSD-3-Clause": "BSD 3-Clause",
}


class SettingsError(ValueError):
    """A publishing setting is unusable; the message says which and what to do."""


@dataclass(frozen=True)
class PublishSettings:
    """Everything a build needs beyond the catalogue. Public names: keep them stable."""

    #: Base URL of the academy hub that launch links open.
    hub_url: str = DEFAULT_HUB_URL
    #: How launch links open a module, by name from ``LAUNCHERS``: ``academy`` (the academy
    #: hub's own content endpoint) or ``nbgitpuller`` (any hub with nbgitpuller).
    launch: str = "academy"
    #: Git URL of the content repository, for ``nbgitpuller`` links.
    content_repo: str = ""
    #: Branch of ``content_repo`` to pull.
    branch: str = "main"
    #: Folder in the learner's home that the repository is pulled into.
    clone_dir: str = "academy"
    #: Book engine, chosen by name from ``digital_academy.publish.engines.ENGINES``.
    engine: str = DEFAULT_ENGINE
    #: Title of the catalogue site.
    site_title: str = "Digital Academy"
    #: Seconds any one notebook cell may run before the module fails.
    cell_timeout: int = 120
    #: Fork each module's fresh kernel from a warm zygote (``publish.zygote``); off starts
    #: every kernel the stock way (slower, for comparison or if forking is unwanted).
    warm_kernels: bool = True
    #: Licence of everything that is not a module (pages, code): an SPDX id.
    site_licence: str = "CC-BY-4.0"
    #: Licence of the code in the repository.
    code_licence: str = "BSD-3-Clause"

    def __post_init__(self) -> None:
        parts = urlsplit(self.hub_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise SettingsError(
                f"hub URL {self.hub_url!r} is not an http(s) URL; pass one like {DEFAULT_HUB_URL}"
            )
        if not self.hub_url.endswith("/"):
            object.__setattr__(self, "hub_url", self.hub_url + "/")
        if self.launch not in LAUNCHERS:
            raise SettingsError(
                f"unknown launch link style {self.launch!r}; use one of: {', '.join(LAUNCHERS)}"
            )
        if self.launch == "nbgitpuller" and not self.content_repo:
            raise SettingsError(
                "nbgitpuller launch links need the content repository: pass --content-repo "
                "(or set ACADEMY_CONTENT_REPO) with the git URL the hub can clone"
            )
        if self.cell_timeout < 1:
            raise SettingsError("the cell timeout must be at least 1 second")
        if not self.clone_dir or "/" in self.clone_dir or self.clone_dir.startswith("."):
            raise SettingsError(
                f"clone folder {self.clone_dir!r} must be one plain folder name, like 'academy'"
            )


def _academy_link(settings: PublishSettings, module_id: str, notebook_path: str) -> str:
    """The academy hub's content endpoint (docs/hub.md): pulls the course content with
    nbgitpuller's merge rules, which never overwrite a learner's edits, then opens the module."""
    return f"{settings.hub_url}hub/user-redirect/academy/open?module={quote(module_id)}"


def _nbgitpuller_link(settings: PublishSettings, module_id: str, notebook_path: str) -> str:
    """Stock nbgitpuller, for any hub that has it: same merge rules."""
    query = urlencode(
        {
            "repo": settings.content_repo,
            "branch": settings.branch,
            "targetpath": settings.clone_dir,
            "urlpath": f"lab/tree/{settings.clone_dir}/{notebook_path}",
        },
        quote_via=quote,
        safe="/",
    )
    return f"{settings.hub_url}hub/user-redirect/git-pull?{query}"


#: Launch link styles by name; each never overwrites a learner's edits.
LAUNCHERS: dict[str, Callable[[PublishSettings, str, str], str]] = {
    "academy": _academy_link,
    "nbgitpuller": _nbgitpuller_link,
}


def launch_url(settings: PublishSettings, module_id: str, notebook_path: str) -> str:
    """The link that opens a module (``notebook_path`` is repository-relative) in the hub."""
    return LAUNCHERS[settings.launch](settings, module_id, notebook_path)


def licence_url(spdx: str) -> str:
    return _LICENCE_URLS.get(spdx, f"https://spdx.org/licenses/{quote(spdx)}.html")


def licence_name(spdx: str) -> str:
    return _LICENCE_NAMES.get(spdx, spdx)
