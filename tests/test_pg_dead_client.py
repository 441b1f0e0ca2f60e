"""A catalog query whose client died stops on the server (client_connection_check_interval).

Without it a PostgreSQL backend runs a query to its end after its window or worker is killed: a
pending count of a 1M catalog ran for most of an hour, ten of them at once, on a team's server
(session 16). The catalog's sessions ask the server to look every DEAD_CLIENT_CHECK_MS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

pytest.importorskip("psycopg")

_CLIENT = """
import sys
from facecurator.services.catalog.postgres import connect
shown, conn = connect(sys.argv[1], timeout=5)
print(conn.raw.info.backend_pid, flush=True)
conn.raw.execute("SELECT pg_sleep(300)")
"""


def _alive(url: str, pid: int) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as watcher:
        row = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return bool(row and row[0])


def test_the_query_of_a_killed_client_stops_on_the_server(pg_url: str) -> None:
    import psycopg

    client = subprocess.Popen(
        [sys.executable, "-c", _CLIENT, pg_url], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert client.stdout is not None
    backend = int(client.stdout.readline())
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _running_sleep(pg_url, backend):
            time.sleep(0.1)
        assert _running_sleep(pg_url, backend), "the client's query never started"
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=30)
        deadline = time.monotonic() + 60  # the check runs every 2 s; a loaded machine is slow
        while time.monotonic() < deadline and _alive(pg_url, backend):
            time.sleep(0.2)
        assert not _alive(pg_url, backend), "the killed client's query still runs on the server"
    finally:
        if client.poll() is None:
            client.kill()
            client.wait(timeout=30)
        client.stdout.close()
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))


def _running_sleep(url: str, pid: int) -> Any:
    import psycopg

    with psycopg.connect(url, autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND query LIKE 'SELECT pg_sleep%%'", (pid,)
        ).fetchone()
    return bool(row and row[0])
