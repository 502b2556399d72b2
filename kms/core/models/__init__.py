"""The knowledge graph's tables (SQLModel). The database is the source of truth.

Import every table model from here so that ``SQLModel.metadata`` knows them all.
"""

from kms.core.models.accounts import LoginFlow, LoginThrottle, User, WebSession
from kms.core.models.assets import Asset, AssetStatus, Chunk, ChunkStage, Pin, StageOrigin
from kms.core.models.graph import Entity, EntityType, Outcome, Relation, Stage
from kms.core.models.ops import ApiKey, AuditLog, Feedback, Gap, Job, QueryLog, Role, Team
from kms.core.models.shared import Blob, ChunkVector, IndexChange, Lease, RateBucket

__all__ = [
    "ApiKey",
    "Asset",
    "AssetStatus",
    "AuditLog",
    "Blob",
    "Chunk",
    "ChunkStage",
    "ChunkVector",
    "Entity",
    "EntityType",
    "Feedback",
    "Gap",
    "IndexChange",
    "Job",
    "Lease",
    "LoginFlow",
    "LoginThrottle",
    "Outcome",
    "Pin",
    "QueryLog",
    "RateBucket",
    "Relation",
    "Role",
    "Stage",
    "StageOrigin",
    "Team",
    "User",
    "WebSession",
]
