"""Throwaway PostgreSQL clusters on loopback for the trust tests: initdb in a temp dir, a free port.

Each cluster lives entirely under one temporary directory (data, socket, log), owned by the
`postgres` user when the tests run as root (initdb refuses root), and is removed by `destroy()`.
Settings are for speed, never for a school: fsync off, small buffers. It must never touch a cluster
it did not create (no pg_ctlcluster, no /var/lib/postgresql).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

def _newest_bin() -> Path:
    """The newest installed server's programs (Debian: /usr/lib/postgresql/<major>/bin); 15+ is
    needed for column lists in publications."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = Path(os.environ.get("KIOSK_PG_BIN") or _newest_bin())

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "logical",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "shared_buffers": "'16MB'",
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    "max_worker_processes": "16",
    "max_logical_replication_workers": "8",
    "max_sync_workers_per_subscription": "2",
    "wal_retrieve_retry_interval": "'200ms'",  # an apply worker retries a lost site quickly
    "wal_receiver_status_interval": "'1s'",
    "logging_collector": "off",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner() -> list[str]:
    """Run PostgreSQL's programs as `postgres` when we are root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Cluster:
    """One PostgreSQL cluster: `start()`, `stop()`, `url(db, user)`, `destroy()`."""

    def __init__(self, name: str, root: Path, **settings: str) -> None:
        self.settings = {**SETTINGS, **settings}
        self.name = name
        self.dir = root / name
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()

    def init(self) -> "Cluster":
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
        subprocess.run(_as_owner() + [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                                      "-A", "trust", "-N", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, text=True, timeout=60)
        lines = [f"{k} = {v}" for k, v in self.settings.items()]
        lines += [f"port = {self.port}", f"unix_socket_directories = '{self.dir}'"]
        conf = self.data / "postgresql.conf"
        subprocess.run(_as_owner() + ["sh", "-c", f"cat >> '{conf}'"], input="\n".join(lines) + "\n",
                       check=True, text=True, timeout=10)
        return self

    def start(self) -> None:
        subprocess.run(_as_owner() + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                      "-w", "-t", "30", "start"],
                       check=True, capture_output=True, text=True, timeout=40)
        self.running = True

    def stop(self) -> None:
        subprocess.run(_as_owner() + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                                      "-t", "30", "stop"],
                       check=True, capture_output=True, text=True, timeout=40)
        self.running = False

    def psql(self, sql: str, db: str = "postgres", user: str = "postgres") -> str:
        """Run SQL (statements one by one, autocommit) as a superuser; the output unaligned."""
        done = subprocess.run([str(PG_BIN / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                               "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", db, "-f", "-"],
                              input=sql, check=True, capture_output=True, text=True, timeout=30)
        return done.stdout.strip()

    def url(self, db: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


class Clusters:
    """Several clusters under one temp dir; `destroy()` stops whatever runs and removes it all."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        os.chmod(self.root, 0o755)
        self.all: list[Cluster] = []

    def new(self, name: str, **settings: str) -> Cluster:
        """A running cluster; `settings` override postgresql.conf lines (e.g. wal_level="replica")."""
        cluster = Cluster(name, self.root, **settings).init()
        cluster.start()
        self.all.append(cluster)
        return cluster

    def destroy(self) -> None:
        for cluster in self.all:
            if getattr(cluster, "running", False):
                try:
                    cluster.stop()
                except subprocess.SubprocessError:
                    subprocess.run(_as_owner() + [str(PG_BIN / "pg_ctl"), "-D", str(cluster.data), "-m",
                                                  "immediate", "stop"], capture_output=True, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
