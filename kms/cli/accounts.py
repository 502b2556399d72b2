"""``kms keys``, ``kms users`` and ``kms widget-token``: who may use KMS, from the shell."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from kms.cli.common import console, refusals
from kms.cli.common import services_from_env as _services

keys_app = typer.Typer(help="Manage API keys (for machines).", no_args_is_help=True)
users_app = typer.Typer(help="Manage the people who sign in.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="rep, curator or admin.")],
    team: Annotated[list[str] | None, typer.Option(help="Team of the key (repeat).")] = None,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    user: Annotated[
        str | None,
        typer.Option(help="A person the key acts for (their teams, at most their role)."),
    ] = None,
) -> None:
    """Create an API key and print it once."""
    from kms.services.keys import create_key

    services = _services()
    with refusals():
        key, row = create_key(services, role, team or [], name=name, user=user)
    owner = f"user {user}" if user else f"teams: {', '.join(row.teams) or 'all public'}"
    console.print(f"key {row.id} ({row.role}, {owner}):")
    print(key)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password (10+ characters)", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="rep, curator or admin.")],
    team: Annotated[list[str] | None, typer.Option(help="Team (repeat).")] = None,
    display_name: Annotated[str, typer.Option(help="The name shown in the pages.")] = "",
    sso_only: Annotated[bool, typer.Option(help="No password: single sign-on only.")] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (else: asked for).")
    ] = False,
) -> None:
    """Add a person who signs in (with a password, asked for twice, unless --sso-only)."""
    from kms.core.schemas import UserCreate
    from kms.services.users import add_user

    password = None if sso_only else _password(password_stdin)
    services = _services()
    with refusals():
        new = UserCreate.model_validate(
            dict(
                name=name, role=role, teams=team or [], password=password, display_name=display_name
            )
        )
        user = add_user(services, new)
    console.print(
        f"user {user.id}: {user.name} ({user.role}, teams: {', '.join(user.teams) or '-'})"
    )


@users_app.command("list")
def users_list() -> None:
    """Everyone who can sign in, with role, teams and last sign-in."""
    from kms.services.users import list_users

    table = Table("id", "name", "role", "teams", "active", "sign-in", "last sign-in")
    for u in list_users(_services()).data:
        how = "sso" if u.sso else "password" if u.has_password else "-"
        last = u.last_signin_at.isoformat(timespec="minutes") if u.last_signin_at else "-"
        table.add_row(str(u.id), u.name, u.role, ",".join(u.teams), str(u.active), how, last)
    console.print(table)


@users_app.command("set")
def users_set(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str | None, typer.Option(help="rep, curator or admin.")] = None,
    team: Annotated[list[str] | None, typer.Option(help="Teams, replacing all (repeat).")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Deactivate.")] = None,
    password: Annotated[bool, typer.Option(help="Set a new password (asked for).")] = False,
    password_stdin: Annotated[bool, typer.Option(help="Read it from standard input.")] = False,
) -> None:
    """Change a person's role, teams, password, or deactivate them (signed out at once)."""
    from kms.core.schemas import UserUpdate
    from kms.services.users import update_user, user_id_by_name

    new_password = _password(password_stdin) if password or password_stdin else None
    with refusals():
        change = UserUpdate.model_validate(
            dict(role=role, teams=team, active=active, password=new_password)
        )
    services = _services()
    with refusals():
        user_id = user_id_by_name(services, name)
        user = update_user(services, user_id, change, actor="cli")
    console.print(f"user {user.id}: {user.name} ({user.role}, active: {user.active})")


@users_app.command("unlock")
def users_unlock(name: Annotated[str, typer.Argument(help="Sign-in name.")]) -> None:
    """Lift a lockout after repeated wrong passwords."""
    from kms.services.signin import unlock

    found = unlock(_services(), name, actor="cli")
    console.print(f"{name}: {'unlocked' if found else 'was not locked'}")


def widget_token(
    user: Annotated[str, typer.Option(help="The person's sign-in name.")],
    opportunity: Annotated[str, typer.Option(help="The CRM's opportunity id.")],
    stage: Annotated[str, typer.Option(help="The opportunity's stage, as the CRM names it.")],
    team: Annotated[list[str] | None, typer.Option(help="Team (repeat).")] = None,
    industry: Annotated[str | None, typer.Option()] = None,
    competitor: Annotated[list[str] | None, typer.Option(help="(repeat)")] = None,
    product: Annotated[list[str] | None, typer.Option(help="(repeat)")] = None,
    minutes: Annotated[float, typer.Option(help="Lifetime.")] = 5,
) -> None:
    """Sign a CRM widget token with KMS_WIDGET_SECRET (to try an integration by hand)."""
    from kms.core.schemas import Opportunity
    from kms.services.widget_tokens import mint

    with refusals():
        opp = Opportunity.model_validate(
            dict(
                opportunity_id=opportunity,
                stage=stage,
                industry=industry,
                competitors=competitor or [],
                products=product or [],
            )
        )
    services = _services()
    with refusals():
        token = mint(services, user, team or [], opp, minutes=minutes)
    print(token)
