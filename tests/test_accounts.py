"""Accounts without a server: the development key that must not linger, `kms serve --host`
checking the address it will really use, the claims single sign-on maps, the lockout
counted in the database across two processes' worth of services, and the settings that
refuse a weak widget secret. Real SQLite in temporary directories, the real CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import select

from kms.core.config import Settings
from kms.core.errors import Locked, Unauthorized
from kms.core.models import ApiKey, Role
from kms.core.schemas import UserCreate
from kms.services.app import Services
from kms.services.keys import authenticate, create_key, ensure_dev_key
from kms.services.signin import sign_in
from kms.services.sso import role_and_teams
from kms.services.users import add_user

REPO = Path(__file__).resolve().parents[1]
DEV_KEY = "kms_devtest_" + "b" * 40
OTHER_DEV_KEY = "kms_devtest_" + "c" * 40


@pytest.fixture()
def services(tmp_path: Path) -> Services:
    made = Services(Settings(data_dir=tmp_path / "data", login_max_failures=3))
    yield made  # type: ignore[misc]
    made.close()


def test_the_dev_key_stops_working_once_unset(services: Services) -> None:
    ensure_dev_key(services, DEV_KEY)
    assert authenticate(services, DEV_KEY).role == Role.admin
    ensure_dev_key(services, DEV_KEY)  # a restart with the same key keeps it
    assert authenticate(services, DEV_KEY).role == Role.admin
    ensure_dev_key(services, None)  # a restart without KMS_DEV_ADMIN_KEY
    with pytest.raises(Unauthorized):
        authenticate(services, DEV_KEY)
    ensure_dev_key(services, OTHER_DEV_KEY)
    assert authenticate(services, OTHER_DEV_KEY).role == Role.admin
    ensure_dev_key(services, DEV_KEY)  # switching back revokes the other one
    with pytest.raises(Unauthorized):
        authenticate(services, OTHER_DEV_KEY)


def test_replicas_starting_together_make_one_dev_key(tmp_path: Path, engine_url: str) -> None:
    """Eight processes' services on one database ensure the key at once: one key row."""
    settings = Settings(data_dir=tmp_path / "data", database_url=engine_url)
    many = [Services(settings) for _ in range(8)]
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda s: ensure_dev_key(s, DEV_KEY), many))
        with many[0].db.session() as session:
            rows = session.exec(select(ApiKey).where(ApiKey.dev == True)).all()  # noqa: E712
        assert len(rows) == 1 and not rows[0].revoked
        assert authenticate(many[0], DEV_KEY).role == Role.admin
    finally:
        for one in many:
            one.close()


def test_the_dev_key_never_touches_other_keys(services: Services) -> None:
    value, _ = create_key(services, "admin", [], name="ops")
    ensure_dev_key(services, None)
    assert authenticate(services, value).role == Role.admin


def test_serve_checks_the_address_it_will_listen_on(tmp_path: Path) -> None:
    """`kms serve --host 0.0.0.0` with a development key is refused before it binds."""
    env = {
        **os.environ,
        "KMS_DATA_DIR": str(tmp_path / "data"),
        "KMS_DEV_ADMIN_KEY": DEV_KEY,
        "KMS_HOST": "127.0.0.1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "kms.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "KMS_DEV_ADMIN_KEY is for local development only" in done.stderr


@pytest.mark.parametrize(
    ("claims", "role", "teams"),
    [
        ({"kms_role": "curator", "groups": ["emea", "apac"]}, Role.curator, ["apac", "emea"]),
        ({"kms_role": "owner", "groups": "emea, apac"}, Role.rep, ["apac", "emea"]),
        ({"groups": ["ok-team", "not a team!", 7]}, Role.rep, ["ok-team"]),
        ({}, Role.rep, []),
    ],
)
def test_single_sign_on_claims_map_to_role_and_teams(
    services: Services, claims: dict[str, object], role: Role, teams: list[str]
) -> None:
    assert role_and_teams(services, claims) == (role, teams)


def test_lockout_is_counted_in_the_database(tmp_path: Path) -> None:
    """Two ``Services`` on one database (two replicas): failures add up across them."""
    settings = Settings(data_dir=tmp_path / "data", login_max_failures=3)
    first, second = Services(settings), Services(settings)
    try:
        new = UserCreate(name="Pat", role="rep", password="a good long password")
        add_user(first, new)
        user, token = sign_in(second, "PAT", "a good long password")
        assert user.name == "pat" and len(token) > 30
        for services in (first, second, first):
            with pytest.raises(Unauthorized):
                sign_in(services, "pat", "wrong")
        with pytest.raises(Locked):
            sign_in(second, "pat", "a good long password")
    finally:
        first.close()
        second.close()


def test_a_weak_widget_secret_is_refused_outside_the_demo() -> None:
    with pytest.raises(ValidationError, match="KMS_WIDGET_SECRET is too weak"):
        Settings(widget_secret="secret")
    with pytest.raises(ValidationError, match="too weak"):
        Settings(widget_secret="a" * 40)
    assert Settings(widget_secret="secret", demo=True).widget_secret == "secret"
    assert Settings(widget_secret="Zq8-x7Q2p9Lk" * 3).widget_secret


def test_kms_users_add_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "KMS_DATA_DIR": str(tmp_path / "data")}

    def users(*args: str, password: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kms.cli", "users", *args],
            cwd=REPO,
            env=env,
            input=password + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = users(
        "add",
        "sam",
        "--role",
        "curator",
        "--team",
        "emea",
        "--password-stdin",
        password="sam's long password",
    )
    assert made.returncode == 0, made.stderr
    assert "sam (curator, teams: emea)" in made.stdout
    short = users("add", "kim", "--role", "rep", "--password-stdin", password="short")
    assert short.returncode == 2 and "password" in short.stderr
    again = users("add", "sam", "--role", "rep", "--sso-only")
    assert again.returncode == 2 and "already a user 'sam'" in again.stderr
    listed = users("list")
    assert "sam" in listed.stdout and "password" in listed.stdout
    off = users("set", "sam", "--inactive")
    assert off.returncode == 0 and "active: False" in off.stdout
