"""The knowledge graph's tables (SQLModel). The database is the source of truth.

Import every table model from here so that ``SQLModel.metadata`` knows them all.
"""

from kms.core.models.accounts import LoginFlow, LoginThrottle, User, WebSession
from kms.core.models.assets import Asset, AssetStatus, Chunk, ChunkStage, Pin, StageOrigin
from kms.core.models.graph import Entity, EntityType, Outcome, Relation, Stage
from kms.core.models.ops import ApiKey, AuditLog, Feedback, Gap, Job, QueryLog, Role, Team

__all__ = [
    "ApiKey",
    "Asset",
    "AssetStatus",
    "AuditLog",
    "Chunk",
    "ChunkStage",
    "Entity",
    "EntityType",
    "Feedback",
    "Gap",
    "Job",
    "LoginFlow",
    "LoginThrottle",
    "Outcome",
    "Pin",
    "QueryLog",
    "Relation",
    "Role",
    "Stage",
    "StageOrigin",
    "Team",
    "User",
    "WebSession",
]
