"""A catalog on PostgreSQL (issue 17, item 1): the same API, the password kept out of sight.

Runs against the session's throwaway cluster (conftest ``pg_cluster``); the rest of the
catalog's behaviour is tested on both backends by the ``catalog_target`` fixture.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.memory_keyring import MemoryKeyring

from facecurator.cli.main import main as cli_main
from facecurator.cloud import credentials, redact
from facecurator.cloud.profiles import Profile, save_profile
from facecurator.domain.protocols import ImageRef
from facecurator.errors import CatalogError, ConfigError
from facecurator.services.catalog import Catalog, schema_version
from facecurator.services.catalog.postgres import keyring_user, parse_url, store_password


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    monkeypatch.setattr(credentials, "keyring_backend", lambda: backend)
    yield backend
    redact.forget_secrets()


def secret_url(pg_cluster: Any, pg_url: str) -> str:
    """The test database's URL for the role that must give its password."""
    return str(pg_cluster.url(pg_cluster.dbname(pg_url), role=pg_cluster.SECRET_ROLE))


def test_a_server_catalog_migrates_an_empty_database_and_reopens(pg_cluster: Any) -> None:
    pg_cluster.admin("CREATE DATABASE fresh_one")
    url = pg_cluster.url("fresh_one")
    with Catalog(url) as cat:
        assert cat.dialect == "postgresql"
        assert str(cat.path) == url and cat.location == url
        cat.set_setting("rules", "moderation-2.0")
        version = cat._db.execute("SELECT version FROM facecurator_schema").fetchone()[0]
    assert version == schema_version()
    with Catalog(url) as again:  # migrated once: the second open changes nothing
        assert again.get_setting("rules") == "moderation-2.0"


def test_another_programs_database_is_refused(pg_cluster: Any) -> None:
    pg_cluster.admin("CREATE DATABASE someone_else")
    pg_cluster.admin("CREATE TABLE accounts (id INTEGER PRIMARY KEY)", dbname="someone_else")
    with pytest.raises(CatalogError, match="not a facecurator catalog"):
        Catalog(pg_cluster.url("someone_else"))


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    with Catalog(pg_url) as cat:
        cat._db.execute("UPDATE facecurator_schema SET version = version + 1")
    with pytest.raises(CatalogError, match="newer facecurator"):
        Catalog(pg_url)


def test_a_url_with_a_password_is_refused_without_repeating_it() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog("postgresql://alice:Hunter2-very-secret@db.example:5432/gallery")
    message = str(info.value)
    assert "Hunter2-very-secret" not in message
    assert "postgresql://alice@db.example:5432/gallery" in message
    assert "facecurator catalog password" in message


def test_a_profile_refuses_a_catalog_url_with_a_password() -> None:
    with pytest.raises(ConfigError, match="password") as info:
        Profile("team", catalog="postgresql://bob:pw-in-profile@db/gallery")
    assert "pw-in-profile" not in str(info.value)


def test_the_password_comes_from_the_keyring_and_is_never_shown(
    pg_cluster: Any, pg_url: str, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    url = secret_url(pg_cluster, pg_url)
    with pytest.raises(CatalogError, match=r"asks for the password of role fc_secret and none is stored"):
        Catalog(url, timeout=5)  # no password anywhere yet
    store_password(url, "wrong-" + pg_cluster.secret_password)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CatalogError) as info:
        Catalog(url, timeout=5)
    assert pg_cluster.secret_password not in str(info.value)
    assert "wrong-" not in str(info.value)
    told = "refused the password of role fc_secret; store the right one with `facecurator catalog password"
    assert f"{told} {url}`" in str(info.value)
    store_password(url, pg_cluster.secret_password)
    stored = memory_keyring.items[("facecurator", keyring_user(parse_url(url)[1]))]
    assert stored == pg_cluster.secret_password
    with Catalog(url, timeout=5) as cat:
        cat.set_setting("k", "v")
        assert pg_cluster.secret_password not in repr(cat) + str(cat.path)
    assert pg_cluster.secret_password not in caplog.text
    # Anything logged with it is masked (the redaction knows it once read from the keyring).
    assert redact.redact(f"dsn password={pg_cluster.secret_password}") == "dsn password=****"


def test_the_password_can_come_from_a_pgpass_file(
    pg_cluster: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = secret_url(pg_cluster, pg_url)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{pg_cluster.SECRET_ROLE}:{pg_cluster.secret_password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with Catalog(url, timeout=5) as cat:
        assert cat.get_setting("nothing") is None


def test_the_server_role_and_password_can_come_from_a_service_file(
    pg_cluster: Any,
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--catalog 'postgresql://?service=team'`: everything, the password too, in pg_service.conf."""
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[team]\nhost={pg_cluster.socket_dir}\nport={pg_cluster.port}\ndbname={pg_cluster.dbname(pg_url)}\n"
        f"user={pg_cluster.SECRET_ROLE}\npassword={pg_cluster.secret_password}\n"
    )
    services.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    url = "postgresql://?service=team"
    with Catalog(url, timeout=5) as cat:
        cat.set_setting("k", "v")
        assert cat._db.execute("SELECT current_user").fetchone()[0] == pg_cluster.SECRET_ROLE
        assert pg_cluster.secret_password not in str(cat.path)
    assert cli_main(["status", "--catalog", url]) == 0
    out, err = capsys.readouterr()
    assert "no shared scan has run" in out and pg_cluster.secret_password not in out + err


def test_the_command_line_takes_the_password_on_stdin_never_as_an_argument(
    pg_cluster: Any, pg_url: str, tmp_path: Path
) -> None:
    """`catalog password URL --stdin` stores it; `report --catalog URL` then works; the
    password is in no argument, no output and no log file of either process."""
    url = secret_url(pg_cluster, pg_url)
    env_dir = tmp_path / "env"
    script = (
        "import sys, keyring\n"
        "sys.path.insert(0, 'tests')\n"
        "from helpers.memory_keyring import MemoryKeyring\n"
        "from facecurator.cloud import credentials\n"
        "import json, pathlib\n"
        "store = pathlib.Path(sys.argv[1])\n"
        "backend = MemoryKeyring()\n"
        "if store.exists():\n"
        "    backend.items = {tuple(k.split('|')): v for k, v in json.loads(store.read_text()).items()}\n"
        "credentials.keyring_backend = lambda: backend\n"
        "from facecurator.cli.main import main\n"
        "code = main(sys.argv[2:])\n"
        "store.write_text(json.dumps({'|'.join(k): v for k, v in backend.items.items()}))\n"
        "sys.exit(code)\n"
    )
    store = env_dir / "keyring.json"
    env_dir.mkdir()
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(store), "catalog", "password", url, "--stdin"],
            input=pg_cluster.secret_password + "\n", capture_output=True, text=True, timeout=120,
        ),
        subprocess.run(
            [sys.executable, "-c", script, str(store), "-v", "report", "--json", "--catalog", url],
            capture_output=True, text=True, timeout=120,
        ),
    ]  # fmt: skip
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert pg_cluster.secret_password not in run.stdout + run.stderr
        assert pg_cluster.secret_password not in " ".join(map(str, run.args))
    for log_file in Path(tmp_path).rglob("*.log"):
        assert pg_cluster.secret_password not in log_file.read_text(errors="replace")


def test_a_profile_names_the_team_catalog(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_profile(Profile("team", catalog=pg_url))
    with Catalog(pg_url) as cat:
        cat.record_image(
            ImageRef("/team/alice/1.jpg", "alice/1.jpg", "alice", 10, 1), source_root="/team",
            identity="x", status="error", error="unreadable", detection_id=None, width=None, height=None,
        )  # fmt: skip
    monkeypatch.setenv("FACECURATOR_PROFILE", "team")
    assert cli_main(["report", "--json"]) == 0
    assert "alice/1.jpg" in capsys.readouterr().out


def test_decisions_are_serialised_across_connections(pg_url: str) -> None:
    """Writers wait for each other (an advisory lock), as SQLite's BEGIN IMMEDIATE makes them."""
    with Catalog(pg_url) as first, Catalog(pg_url, timeout=0.5) as second:
        with first.transaction():
            first.set_setting("a", "1")
            with pytest.raises(CatalogError, match="lock timeout"):
                second.set_setting("b", "2")
        second.set_setting("b", "2")
        assert first.get_setting("b") == "2"


def test_profile_set_catalog_and_the_commands_use_it(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli_main(["profile", "set", "crew", "--catalog", pg_url]) == 0
    monkeypatch.setenv("FACECURATOR_PROFILE", "crew")
    capsys.readouterr()
    assert cli_main(["status"]) == 0
    assert f"catalog {pg_url}" in capsys.readouterr().out
    assert cli_main(["profile", "set", "crew", "--catalog", "postgresql://u:secret-pw@h/db"]) == 2
    captured = capsys.readouterr()
    assert "password" in captured.err and "secret-pw" not in captured.out + captured.err


def test_the_dialect_translation_of_each_construct() -> None:
    from facecurator.services.catalog.dialect import to_postgres

    assert to_postgres("SELECT a FROM t WHERE b = ? AND c LIKE '%x?' AND d = :name") == (
        "SELECT a FROM t WHERE b = %s AND c LIKE '%%x?' AND d = %(name)s"
    )
    assert to_postgres("SELECT '%' || x FROM t", False) == "SELECT '%' || x FROM t"  # no parameters
    assert to_postgres("INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING id") == (
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING RETURNING id"
    )
    assert "JOIN faces AS f ON" in to_postgres("SELECT 1 FROM i CROSS JOIN faces AS f ON f.x = i.y")
    assert "CROSS JOIN (SELECT 1) AS k" in to_postgres("SELECT 1 FROM d CROSS JOIN (SELECT 1) AS k")
    assert "jsonb_array_elements_text(CAST(%s AS jsonb))" in to_postgres(
        "SELECT 1 FROM t WHERE id IN (SELECT value FROM json_each(?))"
    )
    assert (
        to_postgres("SELECT 1 FROM t WHERE k GLOB ?") == "SELECT 1 FROM t WHERE k LIKE replace(%s, '*', '%%')"
    )
    assert (
        to_postgres("CREATE INDEX n ON t (a, name COLLATE NOCASE)", False)
        == "CREATE INDEX n ON t (a, lower(name))"
    )
    ddl = to_postgres(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x REAL, b BLOB, s TEXT DEFAULT 'TEXT')"
        " WITHOUT ROWID",
        False,
    )
    assert ddl == (
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x DOUBLE PRECISION, b BYTEA,"
        " s TEXT COLLATE \"C\" DEFAULT 'TEXT')"
    )


def test_many_upserts_of_one_row_keep_the_last_as_sqlite_does(pg_url: str) -> None:
    from facecurator.services.catalog.postgres import connect

    _, db = connect(pg_url, timeout=5)
    try:
        db.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)")
        upsert = "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
        db.executemany(upsert, [(1, "a"), (2, "b"), (1, "c")])  # outside a transaction
        db.execute("BEGIN")
        db.executemany(upsert, [(3, "x"), (3, "y"), (2, "z")])  # inside one: it goes on
        db.execute("INSERT INTO kv (k, v) VALUES (?, ?)", (4, "after"))
        db.execute("COMMIT")
        assert db.execute("SELECT k, v FROM kv ORDER BY k").fetchall() == [
            (1, "c"),
            (2, "z"),
            (3, "y"),
            (4, "after"),
        ]
    finally:
        db.close()


def test_backups_and_restore_name_the_servers_tools(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("backups", "restore"):
        assert cli_main(["catalog", action, "--catalog", pg_url]) == 1
        assert "pg_dump" in capsys.readouterr().err
