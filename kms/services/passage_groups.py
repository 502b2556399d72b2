"""Near-duplicate passages at display time: "also in N other documents", and a first page
that does not show the same clause twice.

Ingest groups near-duplicate chunks (``Chunk.duplicate_of`` names the group's first chunk)
and indexes every one of them, so a clause shared by forty policies is found under each.
Search then uses the groups:

* ``group_keys`` — the group of each shown chunk (its ``duplicate_of``, else itself);
* ``diversify`` — on the first page, a document whose best passage is in the same group as
  a higher document's moves below the page's other documents (it is still a result, on the
  same page when there are not enough others);
* ``also_in`` — the other live, visible documents holding a passage of the same group,
  so one hit can say "also in 14 other documents".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, or_, select

from index.ranking import Ranked
from kms.core.models import Asset, Chunk
from kms.core.visibility import Caller, shown_statuses

FIRST_PAGE = 10  # documents on the first page that diversification looks at
ALSO_IN_SHOWN = 20  # asset ids listed per hit (the count is exact)


def group_keys(session: Session, chunk_ids: Iterable[int]) -> dict[int, int]:
    """Chunk id → the id of its near-duplicate group (its own id when it heads none)."""
    ids = sorted(set(chunk_ids))
    out: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        batch = ids[start : start + 900]
        rows = session.exec(select(Chunk.id, Chunk.duplicate_of).where(col(Chunk.id).in_(batch)))
        for chunk_id, head in rows:
            out[int(chunk_id or 0)] = int(head) if head is not None else int(chunk_id or 0)
    return out


def diversify(
    ranked: Sequence[Ranked], groups: dict[int, int], page: int = FIRST_PAGE
) -> list[Ranked]:
    """The first ``page`` documents with no two best passages of one group while other
    documents are left to fill the page; the rest keep their order."""
    head: list[Ranked] = []
    deferred: list[Ranked] = []
    seen: set[int] = set()
    rest = list(ranked)
    while rest and len(head) < page:
        item = rest.pop(0)
        key = groups.get(item.chunk_id, item.chunk_id)
        if key in seen:
            deferred.append(item)
            continue
        seen.add(key)
        head.append(item)
    return [*head, *deferred, *rest]


def also_in(
    session: Session,
    shown: Sequence[Ranked],
    groups: dict[int, int],
    caller: Caller,
    drafts: bool,
) -> dict[int, list[int]]:
    """Chunk id of each shown hit → the other documents (visible to ``caller``, live — and
    approved, unless ``drafts`` — not an exact duplicate) that hold a passage of the same
    group, by id."""
    keys = {groups.get(r.chunk_id, r.chunk_id) for r in shown}
    if not keys:
        return {}
    rows = session.exec(
        select(Chunk.id, Chunk.duplicate_of, Chunk.asset_id, Asset.teams)
        .join(Asset, col(Asset.id) == Chunk.asset_id)
        .where(
            or_(col(Chunk.duplicate_of).in_(keys), col(Chunk.id).in_(keys)),
            col(Asset.status).in_(shown_statuses(drafts)),
            col(Asset.duplicate_of).is_(None),
        )
    ).all()
    members: dict[int, set[int]] = {}
    for chunk_id, head, asset_id, teams in rows:
        if caller.can_see(teams):
            members.setdefault(int(head or chunk_id or 0), set()).add(int(asset_id))
    out: dict[int, list[int]] = {}
    for r in shown:
        others = members.get(groups.get(r.chunk_id, r.chunk_id), set()) - {r.asset_id}
        out[r.chunk_id] = sorted(others)
    return out
