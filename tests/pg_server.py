"""A real, throwaway PostgreSQL server for tests: initdb in a temp folder, pg_ctl on a loopback port.

The server binaries come from the machine (`PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`,
else `PATH`); without them the tests that need a server are skipped with the reason. Password
authentication is on (scram), so the code under test passes credentials as it would in a deploy.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "lead_scoring"
PASSWORD = "test-only-password"


def find_pg_bin() -> Path | None:
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    bin_dir: Path

    def settings(self, dbname: str) -> dict:
        """psycopg2 keyword arguments, as `lead_scoring.warehouse.postgres_settings()` gives them."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": dbname,
        }

    def dsn(self, dbname: str) -> str:
        return f"host={self.host} port={self.port} user={self.user} password={self.password} dbname={dbname}"

    def url(self, dbname: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{dbname}"

    def create_database(self, dbname: str) -> str:
        import psycopg2

        con = psycopg2.connect(self.dsn("postgres"))
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(f'drop database if exists "{dbname}"')
                cur.execute(f'create database "{dbname}"')
        finally:
            con.close()
        return dbname

    def warehouse_env(self, dbname: str) -> dict[str, str]:
        """The settings that point the pipeline's warehouse at database `dbname` of this server."""
        return {
            "LEAD_SCORING_TARGET": "postgres",
            "LEAD_SCORING_PG_HOST": self.host,
            "LEAD_SCORING_PG_PORT": str(self.port),
            "LEAD_SCORING_PG_USER": self.user,
            "LEAD_SCORING_PG_PASSWORD": self.password,
            "LEAD_SCORING_PG_DBNAME": dbname,
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_postgres(bin_dir: Path, timeout_s: float = 60.0):
    """Start a fresh cluster in a temp folder; stop it and delete the folder on exit."""
    root = Path(tempfile.mkdtemp(prefix="pg-"))
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    sockets.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    run_as = _run_as_postgres_user(root)
    subprocess.run(
        run_as
        + [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        run_as
        + [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "-t",
            str(int(timeout_s)),
            "start",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        yield PostgresServer("127.0.0.1", port, USER, PASSWORD, bin_dir)
    finally:
        subprocess.run(
            run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            text=True,
        )
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


def _run_as_postgres_user(root: Path) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the binaries as the `postgres` (or `nobody`) user."""
    if os.geteuid() != 0:
        return []
    import pwd

    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        for path in [root, *root.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(root, 0o700)
        return ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups"]
    raise RuntimeError("running as root and no 'postgres' or 'nobody' account to run PostgreSQL as")
