"""``academy credentials``: issuer keys, issuing and verifying Open Badges 3.0."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.table import Table

from digital_academy.credentials.badge import IssueError, module_award, pathway_award
from digital_academy.credentials.keys import KeyStore, KeyStoreError, default_keys_dir, public_keys
from digital_academy.credentials.settings import SettingsError, load_settings
from digital_academy.credentials.verify import issue_token, verify
from digital_academy.paths import state_dir

from .context import AcademyError, console, format_option, root_option
from .plan_cmds import catalog_or_fail
from .progress_cmds import records_or_fail


def _now(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AcademyError(f"--now {value!r} is not an ISO 8601 date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def keys_dir_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--keys-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Issuer key folder (default: $ACADEMY_KEYS_DIR or ~/.config/digital-academy/"
        "issuer-keys). Never inside the repository.",
    )(func)


@contextmanager
def _key_errors() -> Iterator[None]:
    """A key store's refusal, as one clear line and exit status 1."""
    try:
        yield
    except KeyStoreError as exc:
        raise AcademyError(str(exc)) from exc


def _store(root: Path, keys_dir: Path | None) -> KeyStore:
    with _key_errors():
        return KeyStore(keys_dir or default_keys_dir(), repo_root=root)


@click.group()
def credentials() -> None:
    """Open Badges 3.0 credentials: issuer keys, issue and verify (offline)."""


@credentials.group()
def keys() -> None:
    """The issuer's Ed25519 signing keys."""


@keys.command("generate")
@root_option
@keys_dir_option
def keys_generate(root: Path, keys_dir: Path | None) -> None:
    """Create the first issuer key (mode 0600, outside the repository)."""
    store = _store(root, keys_dir)
    with _key_errors():
        key = store.generate(_now(None))
    console.print(f"generated issuer key {key.kid} in {store.folder}")


@keys.command("rotate")
@root_option
@keys_dir_option
def keys_rotate(root: Path, keys_dir: Path | None) -> None:
    """Make a new active key; the old one is retired but still verifies older credentials."""
    store = _store(root, keys_dir)
    with _key_errors():
        retired, new = store.rotate(_now(None))
    console.print(f"retired {retired.kid}; active key is now {new.kid}")


@keys.command("list")
@root_option
@keys_dir_option
@format_option
def keys_list(root: Path, keys_dir: Path | None, fmt: str) -> None:
    """The issuer's keys, active and retired."""
    store = _store(root, keys_dir)
    with _key_errors():
        found = store.keys()
    if fmt == "json":
        click.echo(json.dumps(store.export(), indent=2))
        return
    table = Table(title=f"Issuer keys in {store.folder}")
    for column in ("kid", "status", "created", "retired"):
        table.add_column(column)
    for k in found.values():
        retired = k.retired.isoformat() if k.retired else ""
        table.add_row(k.kid, k.status, k.created.isoformat(), retired)
    console.print(table)


@keys.command("export")
@root_option
@keys_dir_option
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
def keys_export(root: Path, keys_dir: Path | None, out: Path) -> None:
    """Write the public keys (JWKS) that verifiers need; no private key leaves the folder."""
    store = _store(root, keys_dir)
    with _key_errors():
        out.write_text(json.dumps(store.export(), indent=2), "utf-8")
    console.print(f"public keys written to {out}")


@credentials.command("issue")
@root_option
@keys_dir_option
@click.option("--learner", required=True, help="Hub user name of the learner.")
@click.option("--module", "module_id", help="An accredited module the learner passed.")
@click.option("--pathway", "pathway_id", help="A pathway the learner finished.")
@click.option("--email", help="Add the learner's e-mail as a salted SHA-256 identifier.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Output file.")
def issue(
    root: Path,
    keys_dir: Path | None,
    learner: str,
    module_id: str | None,
    pathway_id: str | None,
    email: str | None,
    out: Path | None,
) -> None:
    """Issue a signed OpenBadgeCredential (VC-JWT) for a module or a pathway."""
    if (module_id is None) == (pathway_id is None):
        raise AcademyError("pass exactly one of --module or --pathway")
    catalog = catalog_or_fail(root)
    records = records_or_fail(root)
    try:
        settings = load_settings(root)
        if module_id is not None:
            award = module_award(catalog, module_id, records, learner)
        else:
            award = pathway_award(catalog, pathway_id or "", records, learner)
        token, credential = issue_token(
            catalog, settings, _store(root, keys_dir), award, learner, _now(None), email
        )
    except (IssueError, KeyStoreError, SettingsError) as exc:
        raise AcademyError(str(exc)) from exc
    target = out or state_dir(root) / "credentials" / f"{learner}-{award.kind}-{award.ident}.jwt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(token + "\n", "utf-8")
    console.print(
        f"issued {credential['name']!r} to {learner} ({credential['id']}), valid until "
        f"{credential['validUntil']}: {target}"
    )


@credentials.command("verify")
@root_option
@keys_dir_option
@format_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Trusted public keys (from `keys export`) instead of the local key folder.",
)
@click.option("--now", help="Check validity at this moment (ISO 8601; default now).")
def verify_cmd(
    root: Path,
    keys_dir: Path | None,
    fmt: str,
    file: Path,
    keys_file: Path | None,
    now: str | None,
) -> None:
    """Verify a credential offline: signature, key, contexts, structure and dates."""
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AcademyError(f"cannot read {file}: {exc}") from exc
    try:
        if keys_file is not None:
            trusted = public_keys(json.loads(keys_file.read_text("utf-8")))
        else:
            trusted = _store(root, keys_dir).keys()
    except (KeyStoreError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AcademyError(
            f"cannot load trusted keys: {exc}; elsewhere, pass --keys FILE with the issuer's "
            "exported public keys"
        ) from exc
    result = verify(text, trusted, _now(now))
    vc = result.credential or {}
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "valid": result.ok,
                    "reason": result.reason,
                    "kid": result.kid,
                    "key_status": result.key_status,
                    "checks_passed": result.passed,
                    "credential": vc if result.ok else None,
                },
                indent=2,
            )
        )
    else:
        for check in result.passed:
            console.print(f"[green]ok[/] {check}")
        if result.ok:
            subject = vc.get("credentialSubject", {})
            console.print(
                f"[green]VALID[/]: {vc.get('name')!r} issued by {vc['issuer']['name']} to "
                f"{subject.get('id')} on {vc.get('validFrom')}, valid until "
                f"{vc.get('validUntil', 'no end date')}"
            )
    if not result.ok:
        raise AcademyError(f"credential {file} is NOT valid: {result.reason}")
