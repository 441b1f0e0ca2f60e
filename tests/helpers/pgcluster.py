"""A throwaway PostgreSQL cluster for the tests: one per test session, a database per test.

The server binaries are found in ``$FACECURATOR_PG_BIN``, ``pg_config --bindir``, the
newest ``/usr/lib/postgresql/*/bin`` or ``PATH``. The cluster lives in a temporary
folder and listens on a unix socket only (no TCP port to collide on), with fsync off
(a test cluster: nothing in it must survive a crash of the machine). ``initdb`` refuses
to run as root: as root, the cluster runs as the ``postgres`` user (Debian's package
creates it), else ``nobody``.

Each test gets a fresh database: ``CREATE DATABASE ... TEMPLATE`` a template migrated
once per session (a few milliseconds, against a second for a cluster).
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Set (CI does) to fail rather than skip when no PostgreSQL binaries are found.
REQUIRE_ENV = "FACECURATOR_REQUIRE_POSTGRES"


def find_bindir() -> Path | None:
    """The folder with initdb, pg_ctl and postgres, or None."""
    candidates: list[str] = []
    if os.environ.get("FACECURATOR_PG_BIN"):
        candidates.append(os.environ["FACECURATOR_PG_BIN"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += [str(p) for p in sorted(versions, key=lambda p: int(p.parent.name), reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        path = Path(folder)
        if all((path / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return path
    return None


def _run_as() -> str | None:
    """The user the cluster runs as when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError(
        "running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL"
    )


class Cluster:
    """A running throwaway cluster (see the module doc); ``stop()`` removes it."""

    ROLE = "fc"
    #: A role that must give its password (scram-sha-256): the keyring and .pgpass tests.
    SECRET_ROLE = "fc_secret"

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # Short: a unix socket path is limited to ~107 bytes.
        self.base = Path(tempfile.mkdtemp(prefix="fcpg-", dir="/tmp"))
        self.data = self.base / "data"
        self.socket_dir = self.base
        self.port = 5432
        self.user = _run_as()
        self._counter = itertools.count(1)
        self._stopped = False
        atexit.register(self.stop)  # also when the session ends abnormally: no server left behind
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
            self.base.chmod(0o755)
        self._run(
            str(bindir / "initdb"), "-D", str(self.data), "-U", self.ROLE, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {self.SECRET_ROLE} scram-sha-256\n" + hba.read_text())
        self.start_server()
        self.template = "fc_template"
        self.admin(f"CREATE DATABASE {self.template}")
        self.secret_password = "s3cret-" + os.urandom(8).hex()
        self.admin(f"CREATE ROLE {self.SECRET_ROLE} LOGIN SUPERUSER PASSWORD '{self.secret_password}'")

    def start_server(self) -> None:
        """Start the server (again: after :meth:`stop_server`, on the same socket and data)."""
        options = (
            f"-k {self.socket_dir} -c listen_addresses='' -p {self.port} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop_server(self) -> None:
        """Stop the server, keeping the cluster (a test of the server gone: every connection is
        cut, a new one refused until :meth:`start_server`)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.base)
        if done.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}\n{tail}"
            )

    def url(self, dbname: str, role: str | None = None) -> str:
        return f"postgresql://{role or self.ROLE}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template_url: str | None = None) -> str:
        """A fresh database, a copy of the session's migrated template (or of the database of
        ``template_url``, which must have no connection open); returns its URL."""
        template = self.template if template_url is None else self.dbname(template_url)
        name = f"t{os.getpid()}_{next(self._counter)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)

    @staticmethod
    def dbname(url: str) -> str:
        return url.split("?", 1)[0].rsplit("/", 1)[1]

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
