"""`macd` command line: run the service with demo data, print a bearer token, export the SDL, check the
graph's invariants."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from service.settings import PROJECT_ROOT, Settings, load_settings

SDL_PATH = PROJECT_ROOT / "schema.graphql"


def export_sdl(path: Path = SDL_PATH) -> Path:
    """Write the schema's SDL, the file reviewers diff."""
    from schema.root import schema

    path.write_text(schema.as_str() + "\n")
    return path


async def prepare_database(settings: Settings, demo: bool) -> str:
    """Apply migrations and import the demo data when the database holds no account."""
    from graph.driver import open_graph
    from graph.importer import database_is_empty, import_installed_base
    from graph.migrations import migrate

    graph = open_graph(settings.bolt_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database)
    try:
        await graph.driver.verify_connectivity()
        await migrate(graph)
        if demo and await database_is_empty(graph.driver, graph.database):
            from installed_base.demo import load_demo

            await import_installed_base(graph.driver, graph.database, load_demo())
            return "demo data imported"
        return "database already has data" if demo else "demo data not requested"
    finally:
        await graph.close()


async def check_database(settings: Settings) -> list[str]:
    """The invariant report of the database `settings` name; the first line says whether all hold."""
    from graph.consistency import check_graph
    from graph.driver import open_graph

    graph = open_graph(settings.bolt_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database)
    try:
        report = await check_graph(graph)
    finally:
        await graph.close()
    return [("ok: " if report.ok else "FAILED: ") + report.lines()[0], *report.lines()[1:]]


def check(settings: Settings) -> int:
    """Print every invariant violation with its ids; exit status 1 when there is any."""
    lines = asyncio.run(check_database(settings))
    print("\n".join(lines), flush=True)
    return 0 if lines[0].startswith("ok") else 1


def run(settings: Settings, demo: bool) -> int:
    """Start the local Neo4j unless NEO4J_URI is set, prepare the database, serve until Ctrl-C."""
    import uvicorn

    from service.app import create_app
    from service.local_neo4j import LocalNeo4j, bolt_answers

    server: LocalNeo4j | None = None
    if settings.uses_local_neo4j and not bolt_answers(settings.local_bolt_port):
        server = LocalNeo4j(settings.local_neo4j_home, settings.local_bolt_port)
        print(f"starting the local Neo4j on {server.uri} (data in {server.home}) ...", flush=True)
        server.start()
    try:
        try:
            print(asyncio.run(prepare_database(settings, demo)), flush=True)
        except Exception as exc:  # the API still starts and keeps retrying (see service.app)
            print(f"Neo4j at {settings.bolt_uri} is not reachable yet ({type(exc).__name__}); "
                  "the API starts anyway, reports not ready and keeps retrying", flush=True)
        print(f"GraphiQL: http://{settings.host}:{settings.port}/graphql", flush=True)
        print(f"Explorer: http://{settings.host}:{settings.port}/explore", flush=True)
        print(token_hint(settings), flush=True)
        print(f"{settings.workers} worker process(es) (MACD_WORKERS)", flush=True)
        if settings.workers == 1:
            uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
        else:  # each worker builds its own app (and driver) from the same environment
            uvicorn.run("service.app:create_app", factory=True, workers=settings.workers, host=settings.host,
                        port=settings.port, log_level="info")
    finally:
        if server is not None:
            print("stopping the local Neo4j ...", flush=True)
            server.stop()
    return 0


def token_hint(settings: Settings) -> str:
    """How to get a bearer token for this configuration."""
    if settings.auth.local:
        return (
            "Every GraphQL request needs a bearer token. GraphiQL and the explorer offer the demo personas;\n"
            "for curl or scripts: .venv/bin/macd token --role agent   (roles: viewer, customer, agent, approver,\n"
            "fulfillment, catalog, admin; a customer also takes --account acc-northwind), then send\n"
            "'Authorization: Bearer <token>'."
        )
    return f"Bearer tokens come from the identity provider {settings.auth.issuer} (see docs/security.md)."


def print_token(settings: Settings, roles: list[str], accounts: list[str], subject: str | None, ttl: int) -> int:
    """Print a token signed with the local key, alone on the last line; refuse with an issuer configured."""
    from schema.context import ROLES
    from service.auth import TokenIssueError, issue_local_token

    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        print(f"unknown role {', '.join(unknown)}; roles are {', '.join(ROLES)}", file=sys.stderr)
        return 2
    try:
        token = issue_local_token(settings.auth, roles, accounts, subject, ttl)
    except TokenIssueError as refused:
        print(f"macd token: {refused}", file=sys.stderr)
        return 1
    who = subject or f"local-{'-'.join(roles)}"
    scope = f" for {', '.join(accounts)}" if accounts else ""
    print(f"# {who} with role {', '.join(roles)}{scope}, valid {ttl // 3600} h; send as 'Authorization: Bearer <token>'")
    print(token)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="macd", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="serve the API (GraphiQL at /graphql)")
    run_cmd.add_argument("--no-demo", action="store_true", help="do not import the demo data into an empty DB")
    sub.add_parser("export-schema", help="write schema.graphql")
    sub.add_parser("check", help="check the graph's invariants; exit 1 and list every violation if one fails")
    token_cmd = sub.add_parser("token", help="print a bearer token signed with the local key (no issuer configured)")
    token_cmd.add_argument("--role", action="append", required=True, help="a role; repeat for several")
    token_cmd.add_argument("--account", action="append", default=[], help="an account a customer acts for; repeatable")
    token_cmd.add_argument("--subject", help="the caller id (default: local-ROLE)")
    token_cmd.add_argument("--ttl", type=int, default=12 * 3600, help="seconds the token is valid (default 12 h)")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(load_settings(), demo=not args.no_demo)
    if args.command == "token":
        return print_token(load_settings(), args.role, args.account, args.subject, args.ttl)
    if args.command == "check":
        return check(load_settings())
    print(export_sdl())
    return 0


if __name__ == "__main__":
    sys.exit(main())
