"""Write an academy's pack to a folder: built aside, then swapped in whole."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

from digital_academy.catalog import Catalog

from .coverage import Pack, build_pack
from .pdf import write_pdf
from .render import TABLES, rows, to_csv, to_html


def pack_json(pack: Pack) -> str:
    data = {
        "academy": pack.academy.id,
        "generated": pack.generated.isoformat(),
        "minutes": pack.minutes,
        "notional_hours": round(pack.hours, 2),
        "uk_credits": round(pack.credits, 2),
        "next_review": pack.next_review,
        "frameworks": [list(f) for f in pack.frameworks],
    }
    for _, attribute in TABLES.values():
        header, body = rows(pack, attribute)
        data[attribute] = [dict(zip(header, r, strict=True)) for r in body]
    return json.dumps(data, indent=2)


def write_pack(
    catalog: Catalog, academy_id: str, out: Path, today: dt.date, pdf: bool = True
) -> tuple[Pack, list[Path]]:
    """Build the pack and write index.html, the CSV tables, pack.json and pack.pdf."""
    pack = build_pack(catalog, academy_id, today)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (staging / "index.html").write_text(to_html(pack), "utf-8")
        for name, (_, attribute) in TABLES.items():
            (staging / name).write_text(to_csv(pack, attribute), "utf-8")
        (staging / "pack.json").write_text(pack_json(pack), "utf-8")
        if pdf:
            write_pdf(pack, staging / "pack.pdf")
        if out.exists():
            old = out.with_name(f".{out.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            out.replace(old)
            staging.replace(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.replace(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return pack, sorted(out.iterdir())
