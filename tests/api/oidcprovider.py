"""A real OpenID Connect provider for the tests: panva's ``oidc-provider`` (npm), on 127.0.0.1.

``make test`` installs it into ``tests/oidc/node_modules`` (``npm ci`` from the committed
``package.json`` and ``package-lock.json``); ``tests/oidc/provider.mjs`` configures one
client (KMS) and the accounts whose claims carry a role and teams. Its development login
pages accept any name, as a company's login screen would accept its own people.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from apiserver import free_port, stop_process

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "kms-tests"
CLIENT_SECRET = "kms-tests-client-secret-0123456789"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]

    def kms_env(self) -> dict[str, str]:
        """The settings that point a KMS server at this provider."""
        return {
            "KMS_OIDC_ISSUER": self.issuer,
            "KMS_OIDC_CLIENT_ID": CLIENT_ID,
            "KMS_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "KMS_OIDC_SCOPES": "openid profile email kms",
        }


def start_provider(kms_port: int, log_file: Path) -> Provider:
    """Start the provider for a KMS server that will listen on ``kms_port``."""
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("the test OIDC provider is not installed: run `make oidc` (npm ci)")
    port = free_port()
    redirect = f"http://127.0.0.1:{kms_port}/v1/auth/oidc/callback"
    command = [node, "provider.mjs", str(port), CLIENT_ID, CLIENT_SECRET, redirect]
    with log_file.open("w") as log:
        process = subprocess.Popen(
            command, cwd=OIDC_DIR, stdout=subprocess.PIPE, stderr=log, text=True
        )
    assert process.stdout is not None
    line = process.stdout.readline()  # "ready <issuer>", or "" when it died
    if not line.startswith("ready "):
        process.kill()
        raise RuntimeError(f"the OIDC provider did not start:\n{log_file.read_text()}")
    return Provider(issuer=line.split()[1], process=process)


def stop_provider(provider: Provider) -> None:
    stop_process(provider.process)
