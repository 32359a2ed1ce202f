"""`civicwatch users add|list|disable|enable`: console accounts (roles viewer, verifier, admin)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.clock import SHANGHAI
from civicwatch.config import get_settings

users_app = typer.Typer(help="Manage console users (核实台账号).", no_args_is_help=True)


@contextmanager
def user_store() -> Iterator[Any]:
    """A UserStore on CIVICWATCH_MONGO_URI, or on the embedded server under data_dir."""
    from crawlers.embedded import database_for
    from sinks.users import UserStore

    with database_for(get_settings()) as db:
        yield UserStore(db)


@users_app.command("token")
def token(name: Annotated[str, typer.Argument(help="log-in name")]) -> None:
    """Issue a JSON API token for NAME (acts with NAME's role); the previous one stops working."""
    with user_store() as users:
        value = users.issue_token(name)
    Console().print(f"Authorization: Bearer {value}", highlight=False, soft_wrap=True)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="log-in name")],
    role: Annotated[str, typer.Option("--role", "-r", help="viewer | verifier | admin")] = "verifier",
    password: Annotated[str | None, typer.Option(
        help="password (at least 8 characters); prompted for, hidden, when omitted")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="overwrite an existing user")] = False,
) -> None:
    """Create a console user with a role; the password is stored as an argon2 hash."""
    if password is None:
        password = typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    with user_store() as users:
        user = users.add(name, role, password, replace=replace)
    Console().print(f"user [bold]{user.name}[/] ({user.role}) saved")


@users_app.command("list")
def list_users() -> None:
    """List console users and their roles."""
    with user_store() as users:
        rows = users.all()
    table = Table(title="核实台账号 / console users (时间为北京时间 Asia/Shanghai)")
    for col in ("name", "role", "created", "disabled"):
        table.add_column(col)
    for u in rows:
        created = u.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(u.name, u.role, created, "yes" if u.disabled else "")
    Console().print(table)


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="log-in name")]) -> None:
    """Stop a user from signing in (takes effect on their next request)."""
    with user_store() as users:
        users.set_disabled(name, True)
    Console().print(f"user {name} disabled")


@users_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="log-in name")]) -> None:
    """Allow a disabled user to sign in again."""
    with user_store() as users:
        users.set_disabled(name, False)
    Console().print(f"user {name} enabled")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
