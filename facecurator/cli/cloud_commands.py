"""``facecurator profile …`` and ``facecurator credentials …``.

The secret never travels through argv: ``credentials set`` takes the AccessKey
ID from ``--access-key-id`` (or a prompt) and the secret only from a no-echo
prompt or from standard input (``--secret-stdin``: first line the secret, an
optional second line the STS token). Everything printed masks it.

Each handler returns the exit status (0 ok, 1 failure, 2 usage/configuration);
configuration problems are raised as :class:`ConfigError` and turned into
status 2 by :func:`facecurator.cli.main.main`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from facecurator.cli.common import EXIT_FAILURES, EXIT_OK, print_json
from facecurator.cli.text import clean
from facecurator.errors import ConfigError

_ENDPOINT_OPTIONS = (("oss", "OSS"), ("imm", "IMM"), ("green", "Content Moderation"))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``profile`` and ``credentials`` commands to the main parser."""
    _register_profile(subparsers)
    _register_credentials(subparsers)


# -- parsers ------------------------------------------------------------------------


def _add(actions: argparse._SubParsersAction, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    # No abbreviations: "--secret VALUE" must be an error, never taken for "--secret-stdin".
    return actions.add_parser(name, allow_abbrev=False, **kwargs)


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="profile name (default: $FACECURATOR_PROFILE or 'default')",
    )


def _register_profile(subparsers: argparse._SubParsersAction) -> None:
    profile = _add(
        subparsers,
        "profile",
        help="cloud profiles: region, endpoints, bucket, IMM project, QPS, prices",
        description="Named Alibaba Cloud settings (no secrets: see 'facecurator credentials').",
    )
    actions = profile.add_subparsers(dest="profile_action", metavar="ACTION", required=True)

    set_ = _add(
        actions,
        "set",
        help="create or update a profile",
        description="Create or update a profile; only the options given change. An empty value "
        "(--bucket '') clears a setting; --qps SERVICE= removes one cap.",
    )
    set_.add_argument("name", metavar="NAME")
    set_.add_argument("--region", metavar="R", help="region id, e.g. cn-hangzhou, ap-southeast-1")
    for service, label in _ENDPOINT_OPTIONS:
        set_.add_argument(
            f"--{service}-endpoint",
            metavar="URL",
            help=f"{label} endpoint override (https:// by default, http:// allowed)",
        )
    set_.add_argument("--imm-project", metavar="P", help="IMM project for the imm detector")
    set_.add_argument("--bucket", metavar="B", help="default OSS bucket")
    set_.add_argument(
        "--catalog",
        metavar="PATH|URL",
        help="the catalog commands use with this profile, e.g. a team's postgresql://USER@HOST/DB "
        "(never with its password)",
    )
    set_.add_argument(
        "--qps",
        metavar="SERVICE=N",
        action="append",
        default=[],
        help="requests per second cap for a service (oss, imm, green, green-pro); repeatable",
    )
    set_.add_argument(
        "--price",
        metavar="SERVICE=USD_PER_1000",
        action="append",
        default=[],
        help="price per 1 000 calls (e.g. faceDetect_global=0.6); repeatable",
    )
    _json_option(set_)
    set_.set_defaults(func=cmd_profile_set)

    list_ = _add(actions, "list", help="list the saved profiles")
    _json_option(list_)
    list_.set_defaults(func=cmd_profile_list)

    show = _add(actions, "show", help="show a profile, its endpoints and its credentials (masked)")
    show.add_argument("name", metavar="NAME", nargs="?", help="default: the active profile")
    _json_option(show)
    show.set_defaults(func=cmd_profile_show)

    delete = _add(actions, "delete", help="delete a profile and its keyring entries")
    delete.add_argument("name", metavar="NAME")
    _json_option(delete)
    delete.set_defaults(func=cmd_profile_delete)


def _register_credentials(subparsers: argparse._SubParsersAction) -> None:
    creds = _add(
        subparsers,
        "credentials",
        help="AccessKey credentials in the OS keyring",
        description="Store, show (masked), delete or test a profile's AccessKey. The environment "
        "variables ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN override the keyring.",
    )
    actions = creds.add_subparsers(dest="credentials_action", metavar="ACTION", required=True)

    set_ = _add(
        actions,
        "set",
        help="store an AccessKey in the OS keyring",
        description="Store an AccessKey in the OS keyring. The secret is read from a hidden prompt, "
        "or with --secret-stdin from standard input (first line; an optional second line is an "
        "STS security token). It is never accepted as a command-line argument.",
    )
    _profile_option(set_)
    set_.add_argument("--access-key-id", metavar="ID", help="AccessKey ID (prompted for when omitted)")
    set_.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the secret (and an optional STS token on a second line) from standard input",
    )
    set_.add_argument(
        "--with-security-token",
        action="store_true",
        help="also prompt for an STS security token (temporary credentials)",
    )
    _json_option(set_)
    set_.set_defaults(func=cmd_credentials_set)

    show = _add(actions, "show", help="show which credentials a profile uses (masked)")
    _profile_option(show)
    _json_option(show)
    show.set_defaults(func=cmd_credentials_show)

    delete = _add(actions, "delete", help="delete a profile's AccessKey from the OS keyring")
    _profile_option(delete)
    _json_option(delete)
    delete.set_defaults(func=cmd_credentials_delete)

    test = _add(
        actions,
        "test",
        help="make a cheap real call to check the credentials, region and endpoints",
        description="Make one cheap, read-only call per service (OSS ListObjectsV2 on the profile's "
        "bucket, else ListBuckets; IMM GetProject or ListProjects; Moderation DescribeUploadToken) "
        "and say why it failed: wrong key, wrong secret, no permission, wrong region/endpoint or network.",
    )
    _profile_option(test)
    test.add_argument(
        "--service",
        action="append",
        choices=("oss", "imm", "green", "all"),
        help="service to test; repeatable (default: oss, plus imm when the profile has an IMM project)",
    )
    test.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds per call (10)")
    _json_option(test)
    test.set_defaults(func=cmd_credentials_test)


# -- helpers ------------------------------------------------------------------------


def _note(text: str) -> None:
    print(clean(text), file=sys.stderr)


def _profile_name(args: argparse.Namespace, attr: str = "profile") -> str:
    from facecurator.cloud.profiles import DEFAULT_PROFILE, PROFILE_ENV, validate_name

    name = getattr(args, attr, None) or os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
    return validate_name(name)


def _pairs(items: list[str], option: str) -> dict[str, float | None]:
    """``["green=5", "imm="]`` -> ``{"green": 5.0, "imm": None}`` (None removes the entry)."""
    result: dict[str, float | None] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"{option} expects SERVICE=NUMBER, not {item!r}")
        if not value.strip():
            result[key] = None
            continue
        try:
            result[key] = float(value)
        except ValueError:
            raise ConfigError(f"{option} {key}: {value!r} is not a number") from None
    return result


def _merge(current: dict[str, float], changes: dict[str, float | None]) -> dict[str, float]:
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _profile_json(profile: Any) -> dict[str, Any]:
    from facecurator.cloud.profiles import SERVICES

    return {
        "name": profile.name,
        "region": profile.region,
        "oss_endpoint": profile.oss_endpoint,
        "imm_endpoint": profile.imm_endpoint,
        "green_endpoint": profile.green_endpoint,
        "imm_project": profile.imm_project,
        "bucket": profile.bucket,
        "catalog": profile.catalog,
        "qps": dict(profile.qps),
        "prices": dict(profile.prices),
        "endpoints": {service: profile.endpoint_for(service) for service in SERVICES},
    }


def _credentials_json(name: str) -> dict[str, Any]:
    """Masked description of the credentials ``name`` would use; errors become a message."""
    from facecurator.cloud import credentials

    try:
        creds = credentials.resolve_credentials(name)
    except ConfigError as exc:
        return {
            "configured": False,
            "source": None,
            "access_key_id": None,
            "security_token": False,
            "error": str(exc),
        }
    return {
        "configured": True,
        "source": creds.source,
        "access_key_id": creds.masked_id,
        "security_token": bool(creds.security_token),
        "error": None,
    }


def _credentials_line(info: dict[str, Any]) -> str:
    if not info["configured"]:
        return f"none ({info['error']})"
    token = ", with STS token" if info["security_token"] else ""
    where = "environment variables" if info["source"] == "env" else "OS keyring"
    return f"{info['access_key_id']} from the {where}{token}"


def _fmt_numbers(values: dict[str, float]) -> str:
    return ", ".join(f"{key}={value:g}" for key, value in sorted(values.items())) or "-"


# -- profile ------------------------------------------------------------------------


def cmd_profile_set(args: argparse.Namespace) -> int:
    from facecurator.cloud import profiles

    name = profiles.validate_name(args.name)
    existed = profiles.profile_exists(name)
    current = profiles.load_profile(name) if existed else profiles.Profile(name)
    changes: dict[str, Any] = {}
    if args.region is not None:
        changes["region"] = args.region.strip()
    for attr in ("oss_endpoint", "imm_endpoint", "green_endpoint", "imm_project", "bucket", "catalog"):
        value = getattr(args, attr)
        if value is not None:
            changes[attr] = value.strip() or None
    if args.qps:
        changes["qps"] = _merge(current.qps, _pairs(args.qps, "--qps"))
    if args.price:
        changes["prices"] = _merge(current.prices, _pairs(args.price, "--price"))
    profile = profiles.update_profile(name, **changes)
    if args.json:
        print_json(_profile_json(profile))
    else:
        verb = "updated" if existed else "created"
        print(f"{verb} profile {name} in {profiles.profiles_path()}")
    return EXIT_OK


def cmd_profile_list(args: argparse.Namespace) -> int:
    from facecurator.cloud import profiles

    names = profiles.list_profiles()
    active = _profile_name(argparse.Namespace(profile=None))
    rows = [profiles.load_profile(name) for name in names]
    if args.json:
        print_json(
            {
                "active": active,
                "file": str(profiles.profiles_path()),
                "profiles": [
                    {"name": p.name, "region": p.region, "bucket": p.bucket, "active": p.name == active}
                    for p in rows
                ],
            }
        )
        return EXIT_OK
    if not rows:
        print(
            f"no saved profiles; '{profiles.DEFAULT_PROFILE}' uses region {profiles.DEFAULT_REGION} "
            "and the public endpoints (create one with 'facecurator profile set NAME')"
        )
        return EXIT_OK
    width = max(len(p.name) for p in rows)
    for p in rows:
        marker = "*" if p.name == active else " "
        bucket = f"  bucket {p.bucket}" if p.bucket else ""
        print(f"{marker} {p.name:<{width}}  {p.region}{bucket}")
    return EXIT_OK


def cmd_profile_show(args: argparse.Namespace) -> int:
    from facecurator.cloud import profiles

    name = _profile_name(args, "name")
    profile = profiles.load_profile(name)
    data = _profile_json(profile)
    data["saved"] = profiles.profile_exists(name)
    data["credentials"] = _credentials_json(name)
    if args.json:
        print_json(data)
        return EXIT_OK
    print(f"profile         {profile.name}{'' if data['saved'] else ' (not saved: defaults)'}")
    print(f"region          {profile.region}")
    print(f"bucket          {profile.bucket or '-'}")
    print(f"imm project     {profile.imm_project or '-'}")
    for service, _label in _ENDPOINT_OPTIONS:
        custom = getattr(profile, f"{service}_endpoint")
        print(f"{service + ' endpoint':<15} {data['endpoints'][service]}{'' if custom else ' (default)'}")
    print(f"qps             {_fmt_numbers(profile.qps)}")
    print(f"prices          {_fmt_numbers(profile.prices)} (USD per 1 000 calls)")
    print(f"credentials     {_credentials_line(data['credentials'])}")
    return EXIT_OK


def cmd_profile_delete(args: argparse.Namespace) -> int:
    from facecurator.cloud import profiles

    profiles.delete_profile(args.name)
    if args.json:
        print_json({"deleted": args.name})
    else:
        print(f"deleted profile {args.name} (settings and keyring entries)")
    return EXIT_OK


# -- credentials --------------------------------------------------------------------


def _read_secret_stdin() -> tuple[str, str | None]:
    data = sys.stdin.read()
    lines = data.splitlines()
    secret = lines[0].strip() if lines else ""
    token = lines[1].strip() if len(lines) > 1 and lines[1].strip() else None
    if not secret:
        raise ConfigError("--secret-stdin: standard input is empty (expected the AccessKey secret)")
    return secret, token


def _prompt_hidden(prompt: str) -> str:
    try:
        return getpass.getpass(prompt, stream=sys.stderr)
    except (EOFError, getpass.GetPassWarning):
        raise ConfigError("no terminal to prompt for the secret: pipe it with --secret-stdin") from None


def cmd_credentials_set(args: argparse.Namespace) -> int:
    from facecurator.cloud import credentials, profiles

    name = _profile_name(args)
    key_id = (args.access_key_id or "").strip()
    if not key_id:
        if args.secret_stdin or not sys.stdin.isatty():
            raise ConfigError("give the AccessKey ID with --access-key-id (standard input is not a terminal)")
        sys.stderr.write("AccessKey ID: ")
        sys.stderr.flush()
        key_id = sys.stdin.readline().strip()
    if args.secret_stdin:
        secret, token = _read_secret_stdin()
    else:
        if not sys.stdin.isatty():
            raise ConfigError("no terminal to prompt for the secret: pipe it with --secret-stdin")
        secret = _prompt_hidden("AccessKey secret (hidden): ").strip()
        token = None
        if args.with_security_token:
            token = _prompt_hidden("STS security token (hidden): ").strip() or None
    creds = credentials.Credentials(key_id, secret, token, source="keyring")
    credentials.store_credentials(name, creds)
    created = False
    if name != profiles.DEFAULT_PROFILE and not profiles.profile_exists(name):
        profiles.save_profile(profiles.Profile(name))
        created = True
    keyring_name = credentials.keyring_description()
    if args.json:
        print_json(
            {
                "profile": name,
                "access_key_id": creds.masked_id,
                "security_token": bool(token),
                "keyring": keyring_name,
                "profile_created": created,
            }
        )
    else:
        print(f"stored AccessKey {creds.masked_id} for profile {name} in the OS keyring ({keyring_name})")
        if created:
            _note(
                f"note: created profile {name} with default settings (see 'facecurator profile set {name}')"
            )
    if credentials.env_overrides():
        _note(f"note: {credentials.ENV_ACCESS_KEY_ID} is set and overrides the keyring in this environment")
    return EXIT_OK


def cmd_credentials_show(args: argparse.Namespace) -> int:
    from facecurator.cloud import credentials

    name = _profile_name(args)
    creds = credentials.resolve_credentials(name)  # ConfigError (exit 2) when there are none
    data = {
        "profile": name,
        "source": creds.source,
        "access_key_id": creds.masked_id,
        "access_key_secret": "****",
        "security_token": bool(creds.security_token),
        "keyring": credentials.keyring_description() if creds.source == "keyring" else None,
    }
    if args.json:
        print_json(data)
        return EXIT_OK
    where = "environment variables (override the keyring)" if creds.source == "env" else data["keyring"]
    print(f"profile           {name}")
    print(f"access key id     {creds.masked_id}")
    print("access key secret ****")
    print(f"security token    {'****' if creds.security_token else '-'}")
    print(f"source            {where}")
    return EXIT_OK


def cmd_credentials_delete(args: argparse.Namespace) -> int:
    from facecurator.cloud import credentials

    name = _profile_name(args)
    removed = credentials.delete_credentials(name, missing_ok=True)
    if args.json:
        print_json({"profile": name, "deleted": removed})
    elif removed:
        print(f"deleted the AccessKey of profile {name} from the OS keyring")
    else:
        print(f"no AccessKey stored for profile {name}")
    if credentials.env_overrides():
        _note(f"note: {credentials.ENV_ACCESS_KEY_ID} is still set in this environment")
    return EXIT_OK


def cmd_credentials_test(args: argparse.Namespace) -> int:
    from facecurator.cloud import credentials, profiles
    from facecurator.cloud.diagnose import check_service

    name = _profile_name(args)
    profile = profiles.load_profile(name)
    creds = credentials.resolve_credentials(name)
    if args.timeout <= 0:
        raise ConfigError("--timeout must be > 0")
    requested = args.service or []
    if "all" in requested:
        services = list(profiles.SERVICES)
    elif requested:
        by_name: dict[str, profiles.Service] = {service: service for service in profiles.SERVICES}
        services = [by_name[name] for name in dict.fromkeys(requested)]  # argparse allows only these
    else:
        services = ["oss", "imm"] if profile.imm_project else ["oss"]
    results = [check_service(profile, creds, service, timeout=args.timeout) for service in services]
    failed = [r for r in results if not r.ok]
    if args.json:
        print_json(
            {
                "profile": name,
                "region": profile.region,
                "access_key_id": creds.masked_id,
                "source": creds.source,
                "ok": not failed,
                "results": [r.to_json() for r in results],
            }
        )
    else:
        origin = "environment" if creds.source == "env" else "keyring"
        for r in results:
            if r.ok:
                print(
                    clean(
                        f"ok    {r.service:<5} {r.endpoint}: {r.message} "
                        f"[AccessKey {creds.masked_id} from {origin}, profile {name}, "
                        f"region {profile.region}]"
                    )
                )
            else:
                kind = r.kind.value if r.kind else "error"
                print(clean(f"FAIL  {r.service:<5} {r.endpoint}: {kind}: {r.message}"))
    return EXIT_FAILURES if failed else EXIT_OK
