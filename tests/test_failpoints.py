"""``KMS_FAILPOINT``: the named point SIGKILLs the process (at its n-th hit), others pass."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = "from kms.core.failpoints import failpoint\nfor i in range(3):\n    failpoint('parse')\n    print(i, flush=True)\nfailpoint('done')\nprint('end')\n"


def run(value: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KMS_FAILPOINT"}
    if value is not None:
        env["KMS_FAILPOINT"] = value
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True
    )


def test_unset_runs_through() -> None:
    done = run(None)
    assert done.returncode == 0 and done.stdout.split() == ["0", "1", "2", "end"]


def test_the_named_point_kills_at_its_nth_hit() -> None:
    done = run("parse@2")
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["0"]
    assert "failpoint parse: SIGKILL" in done.stderr


def test_another_point_is_not_armed_here() -> None:
    done = run("done")
    assert done.returncode == -signal.SIGKILL and done.stdout.split() == ["0", "1", "2"]


def test_an_unknown_point_is_refused_by_name() -> None:
    done = run("prase")
    assert done.returncode == 1 and "KMS_FAILPOINT=prase: unknown point" in done.stderr
