"""`kiosk trust ...`: the trust-wide view's commands (site: publish; trust: add-site, sites, the view).

Argument parsing only; the work is in `kiosk.trust`. None of these opens the site's kiosk database
through `kiosk.store` (they use their own PostgreSQL connections), and none is on a site's alarm path.
Exit codes: 0 done, 1 refused (e.g. the site is already added), 2 bad input or a server that
cannot be reached (one line on stderr, nothing changed).
"""

from __future__ import annotations

import argparse

from kiosk.cli import Refused, UsageError, _Parser


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    trust = sub.add_parser("trust", parents=[common],
                           help="the trust-wide read-only view of every site (and its set-up)")
    trust.add_argument("--trust-url", metavar="URL", help="the trust server (default: [trust] database_url)")
    trust.add_argument("--once", action="store_true", help="print the view once as text and exit")
    trust.add_argument("--json", action="store_true", help="print the view once as JSON and exit")
    trust.set_defaults(func=show_view)
    verbs = trust.add_subparsers(dest="trust_command", metavar="ACTION", parser_class=_Parser)
    publish = verbs.add_parser("publish", parents=[common], help="on a site: publish the allowed columns")
    publish.add_argument("--url", metavar="URL", help="the site's PostgreSQL (default: [database] url)")
    publish.add_argument("--grant", metavar="ROLE",
                         help="let this replication role read the published columns and nothing else")
    publish.set_defaults(func=do_publish)
    add = verbs.add_parser("add-site", parents=[common], help="on the trust: subscribe to a site")
    add.add_argument("name", help="a short name: lower-case letters, digits, _")
    add.add_argument("site_url", metavar="SITE_URL", help="postgresql://role@site-host:5432/kiosk")
    add.add_argument("--trust-url", metavar="URL", help="the trust server (default: [trust] database_url)")
    add.set_defaults(func=do_add_site)
    refresh = verbs.add_parser("refresh-site", parents=[common],
                               help="on the trust: take in what a site newly publishes (after an upgrade)")
    refresh.add_argument("name")
    refresh.add_argument("site_url", metavar="SITE_URL", help="the site, as for add-site")
    refresh.add_argument("--trust-url", metavar="URL", help="the trust server (default: [trust] database_url)")
    refresh.set_defaults(func=do_refresh_site)
    remove = verbs.add_parser("remove-site", parents=[common], help="on the trust: drop a site's copy")
    remove.add_argument("name")
    remove.add_argument("--trust-url", metavar="URL", help="the trust server (default: [trust] database_url)")
    remove.set_defaults(func=do_remove_site)
    sites = verbs.add_parser("sites", parents=[common], help="on the trust: sites and their replication")
    sites.add_argument("--trust-url", metavar="URL", help="the trust server (default: [trust] database_url)")
    sites.add_argument("--json", action="store_true")
    sites.set_defaults(func=do_sites)


def _config(args):
    from kiosk.config import ConfigError, load_config

    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def _trust_url(args, config) -> str:
    from kiosk.trust.pgconn import TrustError, check_url

    url = getattr(args, "trust_url", None) or config.trust.database_url
    if not url:
        raise UsageError("no trust server: set [trust] database_url in the config or pass --trust-url")
    try:
        return check_url(url, "trust server URL")
    except TrustError as exc:
        raise UsageError(str(exc)) from exc


def _run(fn, *a):
    """Call into kiosk.trust; its errors become the CLI's one-line answers."""
    import peewee

    from kiosk.trust.pgconn import TrustError, one_line
    from kiosk.trust.server import AlreadyAdded

    try:
        return fn(*a)
    except AlreadyAdded as exc:
        raise Refused(str(exc)) from exc
    except TrustError as exc:
        raise UsageError(str(exc)) from exc
    except peewee.DatabaseError as exc:  # e.g. "must be owner of publication": nothing was committed
        raise UsageError(f"the server refused: {one_line(exc)}") from None


def do_publish(args) -> int:
    from kiosk.trust.pgconn import check_url, connect
    from kiosk.trust.site import publish

    config = _config(args)
    db_arg = getattr(args, "db", None)
    url = args.url or (db_arg if db_arg and str(db_arg).startswith("postgres") else None) or config.database.url
    if not url:
        raise UsageError("kiosk trust publish needs the site's PostgreSQL: set [database] url or pass --url "
                         "(an SQLite site moves over with `kiosk migrate --to postgresql://...`)")
    url = _run(check_url, url, "site URL")
    db = _run(lambda: connect(url, what="site"))
    try:
        report = _run(lambda: publish(db, grant=args.grant))
    finally:
        db.close()
    for line in report.lines:
        print(line)
    return 0


def _subscribe(args, action) -> int:
    """add-site and refresh-site: the same checks of name and site URL, then the trust-side action."""
    from kiosk.trust.pgconn import check_url
    from kiosk.trust.server import check_name

    config = _config(args)
    _run(check_name, args.name)
    site_url = _run(check_url, args.site_url, "site URL")
    for line in _run(action, _trust_url(args, config), args.name, site_url):
        print(line)
    return 0


def do_add_site(args) -> int:
    from kiosk.trust.server import add_site

    return _subscribe(args, add_site)


def do_refresh_site(args) -> int:
    from kiosk.trust.server import refresh_site

    return _subscribe(args, refresh_site)


def do_remove_site(args) -> int:
    from kiosk.trust.server import check_name, remove_site

    config = _config(args)
    _run(check_name, args.name)
    for line in _run(remove_site, _trust_url(args, config), args.name):
        print(line)
    return 0


def do_sites(args) -> int:
    from kiosk.cli._session import print_json, say
    from kiosk.trust.render import sites_json, sites_lines
    from kiosk.trust.server import list_sites

    config = _config(args)
    sites = _run(list_sites, _trust_url(args, config))
    if args.json:
        print_json(sites_json(sites))
    else:
        for line in sites_lines(sites):
            say(line)
    return 0


def show_view(args) -> int:
    """`kiosk trust`: the read-only app, or with --once/--json one printout."""
    from datetime import timedelta

    from kiosk.clock import clock_from_env

    config = _config(args)
    url = _trust_url(args, config)
    try:
        clock = clock_from_env(long_running=not (args.once or args.json))
    except ValueError as exc:
        raise UsageError(f"KIOSK_NOW: {exc}") from exc

    def load():
        from kiosk.trust.board import load_view

        return load_view(url, clock.now(), stale_seconds=config.trust.stale_seconds,
                         due_soon=timedelta(minutes=config.ladder.due_soon_minutes),
                         heartbeat_stale_seconds=config.gateway.heartbeat_stale_seconds)

    if args.once or args.json:
        from kiosk.cli._session import print_json, say
        from kiosk.trust.render import view_json, view_lines

        view = _run(load)
        if args.json:
            print_json(view_json(view))
        else:
            for line in view_lines(view, config.tz):
                say(line)
        return 0
    from kiosk.trust.app import TrustApp

    _run(load)  # the trust server down: say so here, in one line, rather than open an empty screen
    TrustApp(load, config.tz, refresh_seconds=config.trust.refresh_seconds).run()
    return 0
