"""``azconf promote``, ``azconf set`` and ``azconf unset``: edits of an environment's overlay."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[Path | None, typer.Option("--db", help="The history database.")]
ActorOption = Annotated[str | None, typer.Option("--actor", help="Who is making the change.")]
MessageOption = Annotated[str | None, typer.Option("--message", "-m", help="Why (recorded).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")]


def register(app: typer.Typer) -> None:
    """Add promote, set and unset to ``app``."""

    @app.command()
    def promote(
        ctx: typer.Context,
        source: Annotated[str, typer.Argument(help="From: an environment or a version such as staging@4.")],
        destination: Annotated[str, typer.Argument(help="To: the next environment in the chain.")],
        paths: Annotated[
            list[str] | None,
            typer.Argument(
                help="Only these paths or globs, e.g. 'services.*.image' (default: every difference)."
            ),
        ] = None,
        dry_run: DryRunOption = False,
        yes: YesOption = False,
        message: MessageOption = None,
        skip_chain: Annotated[
            bool,
            typer.Option(
                "--skip-chain", help="Allow skipping an environment of the chain (recorded in the audit log)."
            ),
        ] = False,
        actor: ActorOption = None,
        db: DbOption = None,
    ) -> None:
        """Make DESTINATION resolve to SOURCE's values: a plan first, comments and formatting kept."""
        from azconf.cli.edit_cmd import EditOptions, promote_command

        options = EditOptions(dry_run, yes, message, actor, db)
        raise typer.Exit(promote_command(ctx.obj, source, destination, paths or [], skip_chain, options))

    @app.command("set")
    def set_value(
        ctx: typer.Context,
        env: Annotated[str, typer.Argument(help="The environment.")],
        path: Annotated[str, typer.Argument(help="The value's path, e.g. services.web.replicas.")],
        value: Annotated[str, typer.Argument(help="A YAML scalar or flow collection: 3, true, [GET, POST].")],
        string: Annotated[bool, typer.Option("--string", help="Take VALUE as a string, as is.")] = False,
        dry_run: DryRunOption = False,
        yes: YesOption = False,
        message: MessageOption = None,
        actor: ActorOption = None,
        db: DbOption = None,
    ) -> None:
        """Set one value in an environment's overlay (validated first, written atomically, recorded)."""
        from azconf.cli.edit_cmd import EditOptions, set_command

        options = EditOptions(dry_run, yes, message, actor, db)
        raise typer.Exit(set_command(ctx.obj, env, path, value, string, options))

    @app.command()
    def unset(
        ctx: typer.Context,
        env: Annotated[str, typer.Argument(help="The environment.")],
        path: Annotated[str, typer.Argument(help="The overridden value's path.")],
        dry_run: DryRunOption = False,
        yes: YesOption = False,
        message: MessageOption = None,
        actor: ActorOption = None,
        db: DbOption = None,
    ) -> None:
        """Remove an environment's override so the value comes from the layers below again."""
        from azconf.cli.edit_cmd import EditOptions, unset_command

        options = EditOptions(dry_run, yes, message, actor, db)
        raise typer.Exit(unset_command(ctx.obj, env, path, options))

    @app.command()
    def restore(
        ctx: typer.Context,
        version: Annotated[
            str, typer.Argument(help="The version to go back to, e.g. prod@12 or prod@latest~1.")
        ],
        paths: Annotated[
            list[str] | None,
            typer.Argument(help="Only these paths or globs (default: everything)."),
        ] = None,
        dry_run: DryRunOption = False,
        yes: YesOption = False,
        message: MessageOption = None,
        actor: ActorOption = None,
        db: DbOption = None,
    ) -> None:
        """Make an environment's files resolve to a recorded version again (a plan first, recorded)."""
        from azconf.cli.edit_cmd import EditOptions, restore_command

        options = EditOptions(dry_run, yes, message, actor, db)
        raise typer.Exit(restore_command(ctx.obj, version, paths or [], options))
