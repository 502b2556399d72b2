"""``kms cluster``: a whole deployment on one machine, for trying it and for the tests.

In ``root`` (``data/cluster`` by default) it starts:

- PostgreSQL (``LocalPostgres`` in ``root/pg``), the one source of truth;
- ``kms migrate`` once, then the demo knowledge base once (``kms demo``; skipped when
  the database already has assets), and the demo admin's sign-in;
- W ingest workers (``kms worker``) and R API replicas (``kms serve``), each with its own
  data dir ``root/<name>`` (its index replica, logs) and ``KMS_REPLICA_ID``, on free ports;
- HAProxy (Debian's ``/usr/sbin/haproxy``) on ``port``, round-robin over the replicas,
  sending traffic only to those whose ``/ready`` answers 200.

It prints the URL, and stops everything (proxy, replicas, workers, then PostgreSQL) on
Ctrl-C or SIGTERM. Every child's output goes to ``root/logs/<name>.log``.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from kms.cluster.postgres import LocalPostgres, free_port
from kms.core.errors import InstallationError

HAPROXY = "/usr/sbin/haproxy"
READY_TIMEOUT_S = 900.0  # the first start encodes the demo with the real models
DEV_KEY = "kms_dev_cluster_demo_key_" + "0" * 24


@dataclass
class ClusterSpec:
    root: Path
    replicas: int = 2
    workers: int = 2
    port: int = 8080
    demo: bool = True
    dev_key: str = DEV_KEY
    env: dict[str, str] = field(default_factory=dict)  # more settings for every process


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""


@dataclass
class Cluster:
    spec: ClusterSpec
    postgres: LocalPostgres | None = None
    children: list[Child] = field(default_factory=list)
    sign_in: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.spec.port}"

    @property
    def logs(self) -> Path:
        return self.spec.root / "logs"

    def env(self, name: str) -> dict[str, str]:
        """A child's environment: this one's, plus the shared database and its own folder."""
        assert self.postgres is not None
        return {
            **os.environ,
            "KMS_DATABASE_URL": self.postgres.url,
            "KMS_DATA_DIR": str(self.spec.root / name),
            "KMS_REPLICA_ID": name,
            # one shared directory: a new replica starts from a peer's published snapshot
            "KMS_SNAPSHOT_DIR": str(self.spec.root / "snapshots"),
            "KMS_AUTO_MIGRATE": "false",  # migrated once, by `kms migrate`, before anything
            "KMS_DEV_ADMIN_KEY": self.spec.dev_key,
            # with workers, replicas only queue uploads (procrastinate delivers them)
            "KMS_IN_PROCESS_WORKER": "false" if self.spec.workers else "true",
            **self.spec.env,
        }

    def kms(self, name: str, *args: str) -> None:
        """Run a ``kms`` command to its end (its output in the logs); fail loudly."""
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            done = subprocess.run(
                [sys.executable, "-m", "kms.cli", *args], env=self.env(name), stdout=out, stderr=out
            )
        if done.returncode != 0:
            raise RuntimeError(f"`kms {' '.join(args)}` failed: see {log}")

    def spawn(self, name: str, command: list[str], url: str = "") -> Child:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                command, env=self.env(name), stdout=out, stderr=out, start_new_session=True
            )
        child = Child(name, process, log, url)
        self.children.append(child)
        return child

    # -- starting ------------------------------------------------------------------------

    def start(self, say: Callable[[str], None] = print) -> None:
        root = self.spec.root.resolve()
        self.spec.root = root
        self.logs.mkdir(parents=True, exist_ok=True)
        check_tools()
        say(f"PostgreSQL in {root / 'pg'}")
        self.postgres = LocalPostgres(root / "pg").start()
        self.kms("admin", "migrate")
        if self.spec.demo:
            say("the demo knowledge base (once; the first time encodes it with the models)")
            self.prepare_demo()
        self.sign_in = self.prepare_admin()
        for i in range(1, self.spec.workers + 1):
            self.spawn(f"worker-{i}", [sys.executable, "-m", "kms.cli", "worker"])
        for i in range(1, self.spec.replicas + 1):
            port = free_port()
            command = [sys.executable, "-m", "kms.cli", "serve", "--port", str(port)]
            self.spawn(f"replica-{i}", command, f"http://127.0.0.1:{port}")
        stats = self.start_proxy()
        say(f"waiting for {self.spec.replicas} replicas to be ready")
        for child in self.replicas:
            wait_ready(child)
        wait_in_rotation(stats, [c.name for c in self.replicas])

    def prepare_demo(self) -> None:
        """The demo knowledge base, built once (a marker in ``root/admin`` remembers it;
        ``kms demo`` would skip unchanged files anyway)."""
        marker = self.spec.root / "admin" / "demo-built"
        if not marker.exists():
            self.kms("admin", "demo")
            marker.touch()

    def prepare_admin(self) -> str:
        """The development key and the demo admin's sign-in (a new password, shown once),
        made by one process before the replicas start, so they never race to make them."""
        from kms.core.config import Settings
        from kms.services.app import Services
        from kms.services.demo import DEMO_USER, reset_demo_user
        from kms.services.keys import ensure_dev_key

        assert self.postgres is not None
        settings = Settings(
            data_dir=self.spec.root / "admin", database_url=self.postgres.url, auto_migrate=False
        )
        services = Services(settings)
        try:
            ensure_dev_key(services, self.spec.dev_key)
            return f"user {DEMO_USER}, password {reset_demo_user(services)}"
        finally:
            services.close()

    @property
    def replicas(self) -> list[Child]:
        return [c for c in self.children if c.name.startswith("replica-")]

    def start_proxy(self) -> str:
        """Start HAProxy; returns the URL of its CSV status page (loopback only)."""
        config = self.spec.root / "haproxy.cfg"
        stats_port = free_port()
        text = haproxy_config(self.spec.port, self.replicas, stats_port)
        config.write_text(text, encoding="utf-8")
        check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], capture_output=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refused {config}: {check.stderr.decode().strip()}")
        self.spawn("haproxy", [HAPROXY, "-db", "-f", str(config)])
        return f"http://127.0.0.1:{stats_port}/stats;csv"

    # -- stopping ------------------------------------------------------------------------

    def stop(self) -> None:
        """The proxy, then the replicas and workers (SIGTERM: they save their snapshots),
        then PostgreSQL."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        self.children.clear()
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


def check_tools() -> None:
    if not Path(HAPROXY).exists():
        raise InstallationError(f"{HAPROXY} is missing: `make postgres` installs Debian's haproxy")


def haproxy_config(port: int, replicas: list[Child], stats_port: int) -> str:
    """Round robin over the replicas; a replica gets traffic only while its /ready says so
    (checked every second), so a starting or dead replica is skipped. A status page on
    ``stats_port`` tells which replicas are in rotation."""
    servers = "\n".join(
        f"    server {c.name} {c.url.removeprefix('http://')} check inter 1s fall 2 rise 1"
        for c in replicas
    )
    return f"""global
    maxconn 512

defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    retries 2
    option redispatch

frontend kms
    bind 127.0.0.1:{port}
    default_backend replicas

frontend status
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats

backend replicas
    balance roundrobin
    option httpchk GET /ready
    http-check expect status 200
{servers}
"""


def wait_in_rotation(stats_url: str, names: list[str], timeout: float = 60.0) -> None:
    """Until HAProxy's own health checks mark every replica UP (a replica that just became
    ready is sent traffic only after the proxy's next check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(stats_url, timeout=5) as response:
                up = servers_up(response.read().decode("utf-8"))
            if set(names) <= up:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"HAProxy did not put {', '.join(names)} in rotation in {timeout:.0f} s")


def servers_up(csv_text: str) -> set[str]:
    """The servers HAProxy's CSV status page lists as UP."""
    rows = list(csv.DictReader(io.StringIO(csv_text.removeprefix("# "))))
    return {r["svname"] for r in rows if r.get("status", "").startswith("UP")}


def wait_ready(child: Child, timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited: see {child.log}")
        try:
            with urllib.request.urlopen(f"{child.url}/ready", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{child.name} was not ready in {timeout:.0f} s: see {child.log}")


@contextmanager
def running(spec: ClusterSpec) -> Iterator[Cluster]:
    cluster = Cluster(spec)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def run(spec: ClusterSpec) -> None:
    """Start the cluster, print its URL, and keep it up until Ctrl-C or SIGTERM."""

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        with running(spec) as cluster:
            print(f"sign in: {cluster.sign_in}; API key for curl: {spec.dev_key}", flush=True)
            print(f"KMS cluster ready at {cluster.url}  (Ctrl-C stops it)", flush=True)
            watch(cluster)
    except KeyboardInterrupt:
        print("stopping the cluster", flush=True)


def watch(cluster: Cluster) -> None:
    """Wait, naming any child that ends (HAProxy keeps serving from the others)."""
    reported: set[str] = set()
    while True:
        for child in cluster.children:
            if child.process.poll() is not None and child.name not in reported:
                reported.add(child.name)
                print(f"{child.name} ended ({child.process.returncode}): see {child.log}")
        time.sleep(1.0)
