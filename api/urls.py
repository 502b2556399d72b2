"""Where things live over HTTP: the URLs the API puts into its responses.

Services return plain data (an asset id, whether it has a stored file); the API turns
them into links here, so no service knows a route.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from kms.core.schemas import Citation

T = TypeVar("T")


def asset_url(asset_id: int, has_file: bool) -> str:
    """The source file of an asset when it has one, else the asset itself."""
    return f"/v1/assets/{asset_id}/file" if has_file else f"/v1/assets/{asset_id}"


def job_url(job_id: int) -> str:
    return f"/v1/jobs/{job_id}"


def link_citations(value: T) -> T:
    """Fill ``url`` on every citation inside a response (models, lists, dicts), in place."""
    if isinstance(value, Citation):
        value.url = asset_url(value.asset_id, value.has_file)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            link_citations(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            link_citations(item)
    elif isinstance(value, dict):
        for item in value.values():
            link_citations(item)
    return value
