"""Entry point. Command groups load lazily, so ``academy check`` starts fast."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from .context import AcademyError

# One line per command: name -> "module:attribute". Add new command groups here.
COMMANDS: dict[str, str] = {
    "check": "digital_academy.cli.catalog_cmds:check",
    "list": "digital_academy.cli.catalog_cmds:list_",
    "show": "digital_academy.cli.catalog_cmds:show",
    "schema": "digital_academy.cli.catalog_cmds:schema",
    "new": "digital_academy.cli.new_cmds:new",
    "cohort": "digital_academy.cli.cohort_cmds:cohort",
    "assess": "digital_academy.cli.assess_cmds:assess",
    "build": "digital_academy.cli.publish_cmds:build",
    "up": "digital_academy.cli.hub_cmds:up",
    "down": "digital_academy.cli.hub_cmds:down",
    "status": "digital_academy.cli.hub_cmds:status",
    "course": "digital_academy.cli.course_cmds:course",
    "plan": "digital_academy.cli.plan_cmds:plan_cmd",
    "progress": "digital_academy.cli.progress_cmds:progress",
    "accredit": "digital_academy.cli.accredit_cmds:accredit",
    "credentials": "digital_academy.cli.credentials_cmds:credentials",
    "capstone": "digital_academy.cli.capstone_cmds:capstone",
    "mentors": "digital_academy.cli.mentors_cmds:mentors",
    "coaching": "digital_academy.cli.coaching_cmds:coaching",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AcademyError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.secho("interrupted", fg="yellow", err=True)
            ctx.exit(130)
        except Exception as exc:
            if os.environ.get("ACADEMY_DEBUG"):
                raise
            click.secho(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in academy; rerun with ACADEMY_DEBUG=1 for details and report it.",
                fg="red",
                err=True,
            )
            ctx.exit(2)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="digital-academy")
def cli() -> None:
    """Build, run and assess the digital academy's bitesize modules."""


def main() -> None:
    cli(prog_name="academy")


if __name__ == "__main__":  # pragma: no cover
    main()
