"""``facecurator catalog check | backups | restore | password | grant``: the catalog's health, the way
back, a server catalog's password and its operators' role."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from facecurator.cli.common import CATALOG_HELP, EXIT_FAILURES, EXIT_OK, print_json
from facecurator.cli.text import clean
from facecurator.errors import CatalogError


def register(sub: argparse._SubParsersAction) -> None:
    catalog = sub.add_parser("catalog", help="check the catalog, list its backups, restore one")
    actions = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="run SQLite's full integrity check on the catalog")
    _common(check)
    check.set_defaults(func=cmd_check)

    backups = actions.add_parser("backups", help="list the catalog's backups (newest first), verified")
    _common(backups)
    backups.set_defaults(func=cmd_backups)

    restore = actions.add_parser(
        "restore",
        help="replace the catalog by a backup and re-apply the decisions made since from the audit trail",
    )
    restore.add_argument(
        "backup", nargs="?", help="the backup file (default: the newest one that passes the check)"
    )
    _common(restore)
    restore.set_defaults(func=cmd_restore)

    password = actions.add_parser(
        "password", help="store a server catalog's password in the OS keyring (asked for, never an argument)"
    )
    password.add_argument("url", metavar="URL", help="postgresql://USER@HOST[:PORT]/DATABASE")
    password.add_argument("--stdin", action="store_true", help="read the password from standard input")
    password.set_defaults(func=cmd_password)

    grant = actions.add_parser(
        "grant",
        help="as a server catalog's owner: let ROLE work on it, its audit trail only read and appended",
    )
    grant.add_argument("role", metavar="ROLE", help="the operators' role (not the owner)")
    grant.add_argument("--catalog", metavar="URL", required=True, help="the catalog, opened as its owner")
    grant.set_defaults(func=cmd_grant)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="PATH|URL", help=CATALOG_HELP)
    parser.add_argument("--json", action="store_true", help="one JSON object")


def _path(args: argparse.Namespace) -> Path:
    from facecurator.services.catalog.postgres import is_url

    if is_url(args.catalog):
        raise CatalogError(
            f"{args.catalog}: a server catalog's backups and restores are the server's "
            "(pg_dump, pg_restore, its base backups); these commands are for SQLite catalog files"
        )
    if args.catalog:
        return Path(args.catalog).expanduser()
    from facecurator.paths import default_catalog_path

    return default_catalog_path()


def cmd_password(args: argparse.Namespace) -> int:
    import getpass

    from facecurator.services.catalog.postgres import is_url, store_password

    if not is_url(args.url):
        raise CatalogError("catalog password: give the server catalog's postgresql://USER@HOST/DATABASE URL")
    if args.stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = getpass.getpass(f"Password of {clean(args.url)}: ")
    if not secret:
        raise CatalogError("catalog password: empty password, nothing stored")
    user = store_password(args.url, secret)
    print(clean(f"stored in the OS keyring as {user}"))
    return EXIT_OK


def cmd_grant(args: argparse.Namespace) -> int:
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog.postgres import grant_operators, is_url

    if not is_url(args.catalog):
        raise CatalogError(f"{args.catalog}: catalog grant is for a server catalog (postgresql://…)")
    with Catalog(args.catalog) as catalog:
        grant_operators(catalog._db, str(catalog.path), args.role)
        shown = str(catalog.path)
    print(clean(f"{args.role} may now work on {shown} (the audit trail and assignment log: read and append)"))
    return EXIT_OK


def _check_server(url: str, as_json: bool) -> int:
    from facecurator.services.catalog import Catalog

    with Catalog(url) as catalog:
        result = catalog.check(full=True)
        shown = str(catalog.path)
    if as_json:
        print_json({"catalog": shown, "ok": result.ok, "problems": list(result.problems)})
    else:
        print(clean(f"{shown}: ok (the server answers; its backups and checks are the server's)"))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from facecurator.services.catalog.health import run_check
    from facecurator.services.catalog.postgres import is_url

    if is_url(args.catalog):
        return _check_server(args.catalog, args.json)
    path = _path(args)
    if not path.is_file():
        raise CatalogError(f"{path}: no such catalog")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise CatalogError(f"{path}: cannot open the catalog: {exc}") from exc
    try:
        result = run_check(conn, full=True)
    finally:
        conn.close()
    if args.json:
        print_json({"catalog": str(path), "ok": result.ok, "problems": list(result.problems)})
    elif result.ok:
        print(clean(f"{path}: ok (full integrity check)"))
    else:
        print(clean(f"{path}: the catalog is damaged:"))
        for problem in result.problems:
            print(f"  {clean(problem)}")
        print(clean(f"restore the last good backup: facecurator catalog restore --catalog {path}"))
    return EXIT_OK if result.ok else EXIT_FAILURES


def cmd_backups(args: argparse.Namespace) -> int:
    from facecurator.services.catalog.backup import backup_dir, list_backups

    path = _path(args)
    backups = list_backups(path, verify=True)
    if args.json:
        print_json({"catalog": str(path), "backups": [b.to_json() for b in backups]})
        return EXIT_OK
    if not backups:
        print(
            clean(
                f"no backups of {path} yet (taken before bulk changes, at most daily, in {backup_dir(path)})"
            )
        )
        return EXIT_OK
    for backup in backups:
        when = backup.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        if backup.ok:
            state = f"ok, {backup.decisions} decisions, {backup.audit_entries} audit entries"
        else:
            state = f"DAMAGED: {backup.problems[0] if backup.problems else 'unreadable'}"
        print(clean(f"{when}  {backup.bytes / 1e6:8.1f} MB  {state}  {backup.path}"))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from facecurator.services.catalog.backup import restore

    path = _path(args)
    report = restore(path, Path(args.backup) if args.backup else None)
    if args.json:
        print_json(report.to_json())
        return EXIT_OK
    taken = report.backup.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    print(clean(f"restored {path} from {report.backup.path} (taken {taken})"))
    if report.damaged_copy is not None:
        print(clean(f"the damaged catalog is kept as {report.damaged_copy}"))
    print(f"re-applied {report.reapplied} decisions made since the backup from the audit trail")
    if report.not_reapplied:
        print(
            f"{report.not_reapplied} decisions were not re-applied: their faces were scanned after the "
            "backup (scan the source again, then decide them again)"
        )
    if report.unreadable:
        print(f"{report.unreadable} audit entries could not be read from the damaged file")
    for note in report.notes:
        print(clean(note))
    return EXIT_OK
