"""Assemble the site in a staging folder (runner: reads content, writes files)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Collection, Mapping
from importlib import metadata
from pathlib import Path

from .execute import asset_files
from .package import SELFCHECK, module_package
from .plan import CATALOGUE_JSON, VENDOR_DIR, SitePlan, package_url, stable_url
from .site import catalogue_json, index_html, redirect_html
from .vendor import ASSETS, copy_assets

SITE_STATIC = Path(__file__).parent / "static" / "site"


def _selfcheck_files() -> dict[str, bytes]:
    files = {
        f"digital_academy/selfcheck/{p.name}": p.read_bytes()
        for p in sorted(SELFCHECK.glob("*.py"))
    }
    files["digital_academy/__init__.py"] = b'"""Just the self-check helper, for this package."""\n'
    return files


def site_files(plan: SitePlan, available: Collection[str]) -> dict[str, bytes]:
    """Every site-level file but the books and _vendor: catalogue, redirects, packages."""
    files: dict[str, bytes] = {
        "index.html": index_html(plan, available).encode("utf-8"),
        CATALOGUE_JSON: (
            json.dumps(catalogue_json(plan), indent=2, ensure_ascii=False) + "\n"
        ).encode("utf-8"),
    }
    for path in sorted(SITE_STATIC.iterdir()):
        files[f"assets/{path.name}"] = path.read_bytes()
    helper = _selfcheck_files()
    seen: set[str] = set()
    for book in plan.books:
        for page in book.pages:
            module_id = page.module.id
            if module_id in seen:
                continue
            seen.add(module_id)
            files[stable_url(module_id)] = redirect_html(plan, module_id).encode("utf-8")
            course_dir = page.source.parent
            content = {page.source.name: page.source.read_bytes(), **helper}
            for path in asset_files(course_dir):
                content[path.relative_to(course_dir).as_posix()] = path.read_bytes()
            licence = plan.catalog.root / "courses" / "LICENSE"
            if licence.is_file():
                content["LICENSE.txt"] = licence.read_bytes()
            files[package_url(module_id)] = module_package(plan, page, content)
    return files


def vendor_fingerprint(node_modules: Path) -> str:
    versions = []
    for asset in ASSETS:
        manifest = node_modules / asset.package / "package.json"
        version = json.loads(manifest.read_text("utf-8")).get("version", "?")
        versions.append(f"{asset.package}@{version}")
    return ",".join(versions)


def fingerprint(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def engine_versions() -> str:
    """What else a built book depends on: the engine's versions and our Sphinx extension."""
    names = ("jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "digital-academy")
    ours = Path(__file__).parent
    found = [
        fingerprint(
            {
                p.name: p.read_bytes()
                for p in (
                    ours / "sphinx_ext.py",
                    *sorted((ours / "static" / "book").iterdir()),
                    *sorted((ours / "templates").iterdir()),
                )
            }
        )[:16]
    ]
    for name in names:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}==?")
    return ",".join(found)


def _linker(staging: Path, site: Path) -> Callable[[str, str], None]:
    """A copy function that hard-links the published copy of a file when it is unchanged.

    Safe because published files are never written in place: a build only ever creates a
    new staging folder and swaps it in. Unchanged means same size and modification time,
    which copies made here keep (``copy2``), and Sphinx changes when it rewrites a page.
    """

    def copy(src: str, dst: str) -> None:
        old = site / Path(dst).relative_to(staging)
        try:
            a, b = Path(src).stat(), old.stat()
            if (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns):
                os.link(old, dst)
                return
        except OSError:
            pass  # no published copy, or no hard links here: copy instead
        shutil.copy2(src, dst)

    return copy


def stage(
    staging: Path,
    site: Path,
    books: Mapping[str, Path],
    files: Mapping[str, bytes],
    node_modules: Path,
) -> None:
    """Fill ``staging``: books (academy id -> built HTML folder), site files, vendor assets.

    Files unchanged since the published ``site`` are hard links to it, so an edit to one
    module costs a copy of what changed, not of the whole site.
    """
    copy = _linker(staging, site)
    for academy_id, html in books.items():
        shutil.copytree(
            html,
            staging / academy_id,
            ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"),
            copy_function=copy,
        )
    for rel, data in files.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old = site / rel
        with contextlib.suppress(OSError):
            if old.stat().st_size == len(data) and old.read_bytes() == data:
                os.link(old, target)
                continue
        target.write_bytes(data)
    copy_assets(node_modules, staging / VENDOR_DIR, copy=copy)


def sync_tree(dest: Path, files: Mapping[str, bytes], copies: Mapping[str, Path]) -> None:
    """Make ``dest`` hold exactly these files, touching only those that changed.

    Unchanged files keep their times, so Sphinx rebuilds only what really changed.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        target = dest / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel, source in copies.items():
        target = dest / rel
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    wanted = {dest / rel for rel in (*files, *copies)}
    for path in sorted(dest.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
