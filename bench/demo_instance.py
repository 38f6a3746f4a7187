"""A throwaway kieubao for benchmarks that drive a real server: its own SQLite database and
job queue in a temporary folder, the demo loaded, an HQ officer's API token."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

KIEUBAO = str(Path(sys.executable).parent / "kieubao")


@dataclass
class Instance:
    var: Path
    env: dict[str, str]
    token: str

    def kieubao(self, *argv: str) -> str:
        return subprocess.run(
            [KIEUBAO, *argv], env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def start(self, *argv: str) -> "subprocess.Popen[bytes]":
        return subprocess.Popen(
            [KIEUBAO, *argv], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )


def demo_instance(
    var: Path, citizens: int = 2000, database_url: str | None = None, **settings: str
) -> Instance:
    """``settings`` are more KIEUBAO_* variables (``intake_per_hour="100000"``)."""
    env = {
        **os.environ,
        **{f"KIEUBAO_{k.upper()}": v for k, v in settings.items()},
        "KIEUBAO_VAR_DIR": str(var),
        "KIEUBAO_DATABASE_URL": database_url or f"sqlite:///{var}/kieubao.db",
        "KIEUBAO_JOBS_IMMEDIATE": "false",
    }
    env.pop("KIEUBAO_REDIS_URL", None)
    instance = Instance(var, env, "")
    instance.kieubao("db", "upgrade")
    instance.kieubao("demo", "load", "--citizens", str(citizens))
    instance.token = instance.kieubao("tokens", "create", "--email", "hq@kieubao.test").strip()
    return instance


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"no server at {url}")
