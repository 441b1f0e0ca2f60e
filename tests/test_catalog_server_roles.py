"""A server catalog owned by one role and worked on by the operators' role (issue 17, item 1:
"the audit trail stays append-only there too (triggers or privileges)").

The triggers refuse an UPDATE, DELETE or TRUNCATE of the audit trail from anyone, but the
role that owns the tables may disable or drop them. ``facecurator catalog grant ROLE``, run
as the owner, lets the operators' role do all its work (decide, undo, a shared scan's
claims, assignments) while the audit trail and the assignment log are only read and
appended: the privileges refuse the change before the triggers, and the operators' role
cannot disable or drop a trigger of a table it does not own.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import psycopg
import pytest
from helpers.catalog_images import add_image, face_ids

from facecurator.cli.main import main as cli_main
from facecurator.domain.protocols import ImageRef
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.claims import WorkQueue

_names = itertools.count(1)


@pytest.fixture
def roles(pg_cluster: Any) -> tuple[str, str]:
    """(the owner's URL, the operators' URL) of a fresh database the owner role owns."""
    n = f"{os.getpid()}_{next(_names)}"
    owner, ops, dbname = f"own_{n}", f"ops_{n}", f"owned_{n}"
    pg_cluster.admin(f"CREATE ROLE {owner} LOGIN")
    pg_cluster.admin(f"CREATE ROLE {ops} LOGIN")
    pg_cluster.admin(f"CREATE DATABASE {dbname} OWNER {owner}")
    return pg_cluster.url(dbname, role=owner), pg_cluster.url(dbname, role=ops)


def test_the_operators_role_works_but_cannot_rewrite_the_audit_trail(
    roles: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url, ops_url = roles
    ops = ops_url.split("://", 1)[1].split("@", 1)[0]
    Catalog(owner_url).close()  # the owner creates the schema
    assert cli_main(["catalog", "grant", ops, "--catalog", owner_url]) == 0
    assert f"{ops} may now work on" in capsys.readouterr().out
    with Catalog(ops_url) as cat:  # every kind of work, as the operators' role
        image_id = add_image(cat, "team/a.jpg", 3)
        ids = face_ids(cat, image_id)
        cat.decide(ids, "accepted", who="alice")
        cat.undo(who="alice")
        cat.decide(ids[:1], "rejected", who="bob")
        queue = WorkQueue(cat, "/team | local | k")
        queue.enqueue([ImageRef(f"/team/{i}.jpg", f"{i}.jpg", "team", 1, 1) for i in range(4)])
        queue.register()
        assert len(queue.claim(2)) == 2
        before = cat.audit()
    assert cli_main(["assign", "--operators", "alice,bob", "--catalog", ops_url]) == 0
    assert cli_main(["assign", "--clear", "--catalog", ops_url]) == 0
    capsys.readouterr()
    refused = {
        "UPDATE audit SET who = 'mallory'": "permission denied",
        "DELETE FROM audit": "permission denied",
        "TRUNCATE audit CASCADE": "permission denied",
        "UPDATE assignment_log SET operator = 'mallory'": "permission denied",
        "DELETE FROM assignment_log": "permission denied",
        "ALTER TABLE audit DISABLE TRIGGER audit_no_update": "must be owner",
        "DROP TRIGGER audit_no_delete ON audit": "must be owner",
        "ALTER TABLE assignment_log DISABLE TRIGGER ALL": "must be owner",
    }
    with psycopg.connect(ops_url, autocommit=True) as raw:
        for statement, why in refused.items():
            with pytest.raises(psycopg.Error, match=why):
                raw.execute(statement)
    with Catalog(ops_url) as cat:
        assert cat.audit() == before


def test_the_owner_itself_is_not_granted(roles: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    owner_url, _ = roles
    owner = owner_url.split("://", 1)[1].split("@", 1)[0]
    Catalog(owner_url).close()
    assert cli_main(["catalog", "grant", owner, "--catalog", owner_url]) != 0
    assert "owns the catalog and could disable its audit trail's triggers" in capsys.readouterr().err
