"""The one configuration object. Every field has a default and help text.

Values come from the environment with the ``KMS_`` prefix (``KMS_DATA_DIR=/srv/kms``)
or from a ``.env`` file in the working directory. The README's configuration table is
generated from this class (``kms config --markdown``) and a test keeps the two equal.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kms.core.resources import resource_path

DEFAULT_SALES_PROCESS = resource_path("kms.core", "sales_process.yaml")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KMS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description="Directory that holds the database, the indexes, uploaded files and caches.",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy database URL. Empty means a SQLite file `kms.db` in the data dir; "
        "use `postgresql+psycopg://...` for a shared server.",
    )
    auto_migrate: bool = Field(
        True,
        description="Bring the database schema up to date when a process opens it (once per "
        "deployment, under a lock). Off: run `kms migrate` when deploying; processes refuse "
        "an out-of-date schema.",
    )
    sales_process: Path = Field(
        DEFAULT_SALES_PROCESS,
        description="YAML file describing the stages of the sales process (replaceable).",
    )
    embedders: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["minilm", "use"],
        description="Embedding models, comma-separated, from: minilm (English), use "
        "(multilingual, 16 languages). Each gets its own vector index.",
    )
    embed_batch_size: int = Field(32, description="Texts per batch when encoding.")
    embed_threads: int = Field(
        0,
        ge=0,
        description="CPU threads per embedding model. 0 means automatic: 1 in the server "
        "(concurrent one-query encodes; a thread pool per query costs more than it gains), "
        "every core in batch commands (ingest, reindex, demo).",
    )
    embed_cache: bool = Field(True, description="Cache embeddings on disk by content hash.")
    embed_cache_dir: Path | None = Field(
        None, description="Where the embedding cache lives; empty means data dir/cache."
    )
    keyword_engine: Literal["tantivy", "whoosh"] = Field(
        "tantivy",
        description="Keyword index engine: tantivy (fast, the default) or whoosh (pure Python). "
        "After a switch the server fills the new one on start (or run `kms reindex`).",
    )
    replica_id: str = Field(
        "",
        description="Names this process's own copy of the search indexes (a folder in the "
        "index dir that no other process writes). Empty: `server` for `kms serve`, `cli` for "
        "commands. Give each API replica that shares a data dir its own.",
    )
    index_poll_s: float = Field(
        0.5,
        gt=0,
        description="Seconds between checks for index changes committed by other processes "
        "(PostgreSQL also wakes replicas at once with NOTIFY).",
    )
    snapshot_dir: Path | None = Field(
        None,
        description="Where caught-up replicas publish copies of their indexes for new replicas "
        "to start from instead of rebuilding (a directory every replica shares on a cluster). "
        "Empty: `snapshots` in the data dir.",
    )
    snapshot_every_s: float = Field(
        300.0,
        ge=0,
        description="Seconds between a replica's published index snapshots (it also publishes "
        "one when it stops). 0: never publish.",
    )
    in_process_worker: bool = Field(
        True,
        description="The server runs queued jobs (uploads) itself. Turn off when `kms worker` "
        "processes run them (a cluster); on by default so one `kms serve` is complete.",
    )
    job_heartbeat_s: float = Field(
        5.0,
        gt=0,
        description="Seconds between a running job's heartbeats. A job whose worker has been "
        "silent for 6 heartbeats is taken over by another worker and resumed (a `kms ingest` "
        "job, which only its own process can run, is marked failed with the reason).",
    )
    ann_threshold: int = Field(
        50_000,
        description="Vectors above which the vector index switches from exact search to HNSW.",
    )
    chunk_chars: int = Field(
        800, description="Target chunk size in characters (a CJK character counts as one)."
    )
    chunk_overlap_chars: int = Field(
        120, description="Characters repeated between consecutive chunks of one section."
    )
    upload_max_bytes: int = Field(
        25 * 1024 * 1024, description="Largest file accepted for ingest, in bytes."
    )
    parse_timeout_s: float = Field(
        120.0, gt=0, description="Seconds one file may take to parse (wall clock)."
    )
    parse_cpu_s: float = Field(
        120.0, gt=0, description="CPU seconds one file's parse may use before it is killed."
    )
    parse_memory_mb: int = Field(
        4096,
        ge=512,
        description="Address space one file's parse may use, in MB, before it fails (the "
        "parser's own imports take about 0.9 GB).",
    )
    ocr: bool = Field(
        False,
        description="Read PDF pages that have no text layer (scans) with Debian's tesseract; "
        "12–30 s a page of dense text on one busy core (bench/ocr.py), under the parse "
        "limits above — so it is off by default.",
    )
    ocr_languages: str = Field(
        "chi_sim+chi_tra+eng",
        pattern=r"^[a-z_]+(\+[a-z_]+)*$",
        description="Tesseract languages for OCR, joined by '+' (each needs its "
        "tesseract-ocr-<lang> Debian package).",
    )
    query_max_chars: int = Field(500, description="Longest query accepted, in characters.")
    page_size_max: int = Field(50, description="Largest page size a search may ask for.")
    search_concurrency: int = Field(
        0,
        ge=0,
        description="Searches (search, answer, recommend) the server runs at once; the rest "
        "wait their turn, first come first served. 0 means one per CPU core. Measured with 8 "
        "clients on 2 cores: the same 36 QPS as unbounded, p95 270 ms instead of 490 ms.",
    )
    near_duplicate_threshold: float = Field(
        0.85, description="Shingle Jaccard similarity above which a chunk is a near-duplicate."
    )
    low_confidence: float = Field(
        0.5,
        description="Answer confidence below which the answer card says no document answers "
        "the question and the query is recorded as a gap (the confidence model is fitted so "
        "that 0.5 keeps answered precision at 0.95 on bench/answerability.py's fit split).",
    )
    gap_detect_every_s: float = Field(
        3600.0,
        gt=0,
        description="Scheduled gap detection runs once per this many seconds in the whole "
        "deployment: each API replica tries at start and then on this interval, and only the "
        "one holding the database lease runs it.",
    )
    stale_after_days: int = Field(
        365, description="Review-by date given to new assets, in days after ingest."
    )
    host: str = Field("127.0.0.1", description="Address the server listens on.")
    port: int = Field(8000, description="Port the server listens on.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (e.g. the CRM's) allowed to call the API from a browser.",
    )
    rate_limit_per_minute: int = Field(
        600, description="Requests one API key may make per minute (429 beyond)."
    )
    demo: bool = Field(
        False, description="Build the demo knowledge base into an empty data dir on start."
    )
    dev_admin_key: str = Field(
        "",
        description="If set, an admin API key with this value is created on start "
        "(development and demo only).",
    )

    session_hours: float = Field(
        12.0, gt=0, description="How long a sign-in lasts before the person signs in again."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Wrong passwords in a row that lock a sign-in name."
    )
    login_lockout_minutes: int = Field(
        15, ge=1, description="How long a locked sign-in name stays locked."
    )
    secure_cookies: bool = Field(
        False,
        description="Mark the session cookie Secure on every response (serve over HTTPS behind "
        "a proxy); a request that arrives over HTTPS gets a Secure cookie anyway.",
    )
    widget_secret: str = Field(
        "",
        description="Shared secret (32+ characters) the CRM's server signs widget tokens with "
        "(JWT, HS256). Empty: widget tokens are refused; a demo server makes up its own.",
    )
    widget_audience: str = Field(
        "kms-widget", description="The `aud` claim a widget token must carry."
    )
    widget_token_max_minutes: int = Field(
        10,
        ge=1,
        le=60,
        description="Longest lifetime (`exp` - `iat`) accepted for a widget token, in minutes.",
    )
    oidc_issuer: str = Field(
        "",
        description="OpenID Connect issuer URL for single sign-on (its "
        "`/.well-known/openid-configuration` is read). Empty: no single sign-on.",
    )
    oidc_client_id: str = Field("", description="The client id KMS has at the OIDC provider.")
    oidc_client_secret: str = Field(
        "", description="The client secret KMS has at the OIDC provider."
    )
    oidc_scopes: str = Field(
        "openid profile email", description="Scopes asked for at single sign-on."
    )
    oidc_role_claim: str = Field(
        "kms_role",
        description="Claim that holds the person's role (rep, curator or admin); missing or "
        "other values give `KMS_OIDC_DEFAULT_ROLE`.",
    )
    oidc_default_role: Literal["rep", "curator", "admin"] = Field(
        "rep", description="Role of a single sign-on user whose role claim names none."
    )
    oidc_teams_claim: str = Field(
        "groups", description="Claim that holds the person's teams (a list or comma-separated)."
    )
    public_url: str = Field(
        "",
        description="The address people reach KMS at (e.g. https://kms.example.com), for the "
        "single sign-on return address. Empty: taken from each request.",
    )

    @field_validator("embedders", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("dev_admin_key")
    @classmethod
    def _dev_key_is_long(cls, value: str) -> str:
        if value and len(value) < 16:
            raise ValueError("KMS_DEV_ADMIN_KEY must be at least 16 characters")
        return value

    @model_validator(mode="after")
    def _dev_key_only_on_loopback(self) -> Settings:
        if self.dev_admin_key and self.host not in LOOPBACK:
            raise ValueError(
                "KMS_DEV_ADMIN_KEY is for local development only; create real keys with "
                "`kms keys create` when serving on a network address"
            )
        return self

    @model_validator(mode="after")
    def _no_weak_widget_secret(self) -> Settings:
        secret = self.widget_secret
        weak = len(secret) < 32 or len(set(secret)) < 8
        if secret and weak and not self.demo:
            raise ValueError(
                "KMS_WIDGET_SECRET is too weak: use 32 or more random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'kms.db'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def snapshot_root(self) -> Path:
        return self.snapshot_dir or self.data_dir / "snapshots"

    @property
    def search_slots(self) -> int:
        return self.search_concurrency or os.cpu_count() or 1

    def embed_threads_for(self, serving: bool) -> int:
        """Threads per embedding model in the server (``serving``) or a batch command."""
        return self.embed_threads or (1 if serving else (os.cpu_count() or 1))

    @property
    def cache_dir(self) -> Path:
        return self.embed_cache_dir or self.data_dir / "cache"


@lru_cache
def get_settings() -> Settings:
    return Settings()
