"""Atomic publishing: the last good site survives anything short of a finished swap."""

from __future__ import annotations

from pathlib import Path

import pytest

from digital_academy.publish.swap import (
    BuildLocked,
    build_lock,
    publish,
    recover,
    staging_dir,
)


def _site(path: Path, text: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "index.html").write_text(text)


def test_first_publish_and_swap(tmp_path: Path) -> None:
    site = tmp_path / "_build" / "site"
    staging = staging_dir(site)
    _site(staging, "one")
    publish(staging, site)
    assert (site / "index.html").read_text() == "one"
    inode = site.stat().st_ino
    staging = staging_dir(site)
    _site(staging, "two")
    publish(staging, site)
    assert (site / "index.html").read_text() == "two"
    assert site.stat().st_ino != inode  # a different folder took its place in one step
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # old site removed


def test_recover_restores_a_half_swapped_site_and_drops_leftovers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    # A build killed between the two renames of the fallback swap:
    _site(tmp_path / ".site-old-4242", "last good")
    _site(tmp_path / ".site-staging-4242", "half built")
    recover(site)
    assert (site / "index.html").read_text() == "last good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_recover_leaves_a_good_site_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _site(site, "good")
    _site(tmp_path / ".site-staging-1", "partial")
    recover(site)
    assert (site / "index.html").read_text() == "good"
    assert not (tmp_path / ".site-staging-1").exists()


def test_one_build_at_a_time(tmp_path: Path) -> None:
    with (
        build_lock(tmp_path),
        pytest.raises(BuildLocked, match="another build is running"),
        build_lock(tmp_path),
    ):
        pass
    with build_lock(tmp_path):  # released after the first build
        pass
