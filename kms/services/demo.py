"""The demo: the ``demo`` package's data, plus the domain article when the project sits
beside ``shared/`` (a source checkout); and the demo's sign-in."""

from __future__ import annotations

import secrets
from pathlib import Path

from kms.core.errors import NotFound
from kms.core.models import AssetStatus
from kms.core.resources import resource_path
from kms.core.schemas import FileMeta, UserCreate, UserUpdate
from kms.services.app import Services
from kms.services.users import add_user, update_user, user_id_by_name


def demo_sources() -> list[tuple[list[Path], FileMeta]]:
    """What ``make run`` loads into an empty data directory, as ingest batches."""
    demo = resource_path("demo")
    parts = ["taxonomy.yaml", "problem_map.yaml", "docs", "winloss"]
    batches = [([demo / p for p in parts], FileMeta(status=AssetStatus.approved))]
    article = demo.parent.parent / "shared" / "domain" / "sales-org-article-zh.txt"
    if article.is_file():
        batches.append(([article], FileMeta(kind="article", status=AssetStatus.approved)))
    return batches


DEMO_USER = "demo"


def reset_demo_user(services: Services) -> str:
    """The demo's admin sign-in, with a new password at every start: the password (shown
    once, in the terminal that started the server)."""
    password = secrets.token_urlsafe(12)
    try:
        user_id = user_id_by_name(services, DEMO_USER)
    except NotFound:
        new = UserCreate(name=DEMO_USER, role="admin", password=password, display_name="Demo")
        add_user(services, new, actor="startup")
    else:
        update_user(
            services, user_id, UserUpdate(password=password, active=True, role="admin"), "startup"
        )
    return password
