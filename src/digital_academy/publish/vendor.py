"""Browser assets served with the site instead of from CDNs (runner: copies files).

They come from the npm registry at set-up time (``npm ci`` at the repository root, see
package.json) and are copied into ``_vendor/`` of every published site.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".eot", ".svg"}


@dataclass(frozen=True)
class VendorAsset:
    package: str
    #: Files or folders inside the package, copied to ``_vendor/<target>/`` without their
    #: first folder (``dist/``, ``es5/``).
    paths: tuple[str, ...]
    target: str


ASSETS = (
    VendorAsset("requirejs", ("require.js",), "require"),
    VendorAsset("@jupyter-widgets/html-manager", ("dist/embed-amd.js",), "widgets"),
    # MathJax loads fonts, TeX extensions and menu/accessibility code relative to itself.
    VendorAsset(
        "mathjax",
        (
            "es5/tex-mml-chtml.js",
            "es5/output/chtml",
            "es5/input/tex/extensions",
            "es5/ui",
            "es5/a11y",
            "es5/sre",
            "es5/adaptors",
        ),
        "mathjax",
    ),
)
SETUP_HINT = (
    "run `npm ci` at the repository root (it installs the browser assets from package.json)"
)


class VendorError(FileNotFoundError):
    """The offline browser assets are not installed."""


def check_assets(node_modules: Path) -> None:
    missing = [
        f"{a.package}/{p}"
        for a in ASSETS
        for p in a.paths
        if not (node_modules / a.package / p).exists()
    ]
    if missing:
        raise VendorError(
            f"browser assets missing from {node_modules}: {', '.join(missing[:3])}"
            f"{' ...' if len(missing) > 3 else ''}; {SETUP_HINT}, or pass --assets "
            "with the folder that holds node_modules"
        )


def copy_assets(
    node_modules: Path, dest: Path, copy: Callable[[str, str], object] = shutil.copy2
) -> None:
    """Copy every asset (and each package's licence) into ``dest`` (the site's _vendor)."""
    check_assets(node_modules)
    for asset in ASSETS:
        package = node_modules / asset.package
        target = dest / asset.target
        target.mkdir(parents=True, exist_ok=True)
        for rel in asset.paths:
            source = package / rel
            parts = Path(rel).parts  # drop the package's build folder: dist/, es5/
            inside = target.joinpath(*(parts[1:] if len(parts) > 1 else parts))
            if source.is_dir():
                shutil.copytree(source, inside, dirs_exist_ok=True, copy_function=copy)
            else:
                inside.parent.mkdir(parents=True, exist_ok=True)
                copy(str(source), str(inside))
        if asset.target == "widgets":  # the widget bundle's icon fonts sit beside it
            for font in package.joinpath("dist").iterdir():
                if font.suffix in _FONT_SUFFIXES:
                    copy(str(font), str(target / font.name))
        for licence in ("LICENSE", "LICENSE.txt", "LICENSE.md"):
            if (package / licence).is_file():
                copy(str(package / licence), str(target / "LICENSE.txt"))
                break
