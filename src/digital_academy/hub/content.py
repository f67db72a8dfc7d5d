"""Course content for learners: a git repository built from the catalogue.

Learners receive it through nbgitpuller's ``GitPuller`` (see ``content_ext``), whose merge
rules never overwrite a learner's edits: their changes win, deleted files come back, new
upstream files arrive. The repository lives in the state folder (``content.git``) and gets a
new commit whenever ``academy up`` finds the courses changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from digital_academy.catalog import Catalog

INDEX_FILE = "index.json"
BRANCH = "main"


def content_files(catalog: Catalog) -> dict[str, Path]:
    """``{path in the learner's folder: source file}``: each course's notebooks and data."""
    files: dict[str, Path] = {}
    for course_id in sorted(catalog.courses):
        modules = catalog.course_modules(course_id)
        if not modules:
            continue
        folder = catalog.locations[modules[0].id].path.parent
        for module in modules:
            path = catalog.locations[module.id].path
            files[f"{course_id}/{path.name}"] = path
        data = folder / "data"
        if data.is_dir():
            for item in sorted(data.rglob("*")):
                if item.is_file():
                    files[f"{course_id}/data/{item.relative_to(data).as_posix()}"] = item
    return files


def content_index(catalog: Catalog) -> dict[str, dict[str, str]]:
    """Where each module and course sits in the learner's folder (read by ``/academy/open``)."""
    modules = {
        m.id: f"{catalog.locations[m.id].course}/{catalog.locations[m.id].path.name}"
        for m in catalog.modules.values()
    }
    courses = {c: c for c in sorted(catalog.courses) if catalog.course_modules(c)}
    return {"modules": dict(sorted(modules.items())), "courses": courses}


def readme(catalog: Catalog) -> str:
    lines = [
        "# Your academy folder",
        "",
        "Your copies of the course notebooks. Edit freely: new versions from your",
        "tutors merge in when you open a module, and your changes always win.",
        "",
    ]
    for course_id in sorted(catalog.courses):
        modules = catalog.course_modules(course_id)
        if modules:
            lines.append(
                f"- **{catalog.courses[course_id].title}** (`{course_id}/`): {len(modules)} modules"
            )
    return "\n".join(lines) + "\n"


def _git(
    args: list[str],
    cwd: Path | None = None,
    git_dir: Path | None = None,
    work_tree: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    command = ["git"]
    if git_dir is not None:
        command += ["--git-dir", str(git_dir)]
    if work_tree is not None:
        command += ["--work-tree", str(work_tree)]
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Digital Academy",
        "GIT_AUTHOR_EMAIL": "academy@localhost",
        "GIT_COMMITTER_NAME": "Digital Academy",
        "GIT_COMMITTER_EMAIL": "academy@localhost",
    }
    return subprocess.run(
        command + args, cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=120
    )


def publish_content(catalog: Catalog, repo: Path, stage: Path) -> bool:
    """Commit the catalogue's learner files into the bare repository ``repo``.

    Returns True when a new commit was made (the first time, or when content changed).
    """
    files = content_files(catalog)
    generated: Mapping[str, str] = {
        INDEX_FILE: json.dumps(content_index(catalog), indent=2) + "\n",
        "README.md": readme(catalog),
    }
    if not (repo / "HEAD").exists():
        repo.mkdir(parents=True, exist_ok=True)
        _git(["init", "--bare", "--initial-branch", BRANCH, str(repo)])
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for rel, source in files.items():
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for rel, text in generated.items():
        (stage / rel).write_text(text, "utf-8")
    git = {"git_dir": repo, "work_tree": stage}
    _git(["add", "--all", "."], cwd=stage, **git)
    head = subprocess.run(
        ["git", "--git-dir", str(repo), "rev-parse", "--verify", "--quiet", f"refs/heads/{BRANCH}"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if head.returncode == 0:
        unchanged = (
            subprocess.run(
                [
                    "git",
                    "--git-dir",
                    str(repo),
                    "--work-tree",
                    str(stage),
                    "diff",
                    "--cached",
                    "--quiet",
                ],
                cwd=stage,
                capture_output=True,
                timeout=60,
                check=False,
            ).returncode
            == 0
        )
        if unchanged:
            shutil.rmtree(stage)
            return False
    _git(["commit", "--quiet", "-m", "Course content from the catalogue"], cwd=stage, **git)
    shutil.rmtree(stage)
    return True
