"""Bounded request fields: lists de-duplicated, then capped; names of a sane length.

A CRM that sends the same competitor a thousand times gets it once; one that sends a
thousand different ones gets a 422 naming the field — never seconds of work per item.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from kms.core.teams import normalise_teams

MAX_ITEMS = 20  # names per list field (competitors, products, kinds, tags, stages...)
MAX_NAME_CHARS = 200


def unique_names(value: Any) -> Any:
    """Strip, drop empties and repeats (case-insensitively), keep the first spelling."""
    if not isinstance(value, list | tuple):
        return value
    seen: set[str] = set()
    out: list[Any] = []
    for item in value:
        if not isinstance(item, str):
            out.append(item)  # let the type check name it
            continue
        text = item.strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def _teams(value: list[str]) -> list[str]:
    return normalise_teams(value)  # ValueError → 422 naming the field


Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
NameList = Annotated[list[Name], BeforeValidator(unique_names), Field(max_length=MAX_ITEMS)]
TeamList = Annotated[list[str], BeforeValidator(unique_names), AfterValidator(_teams)]
