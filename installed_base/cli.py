"""`python -m installed_base.cli import FILE | demo | generate ...`: load inventory into Neo4j.

Connection settings come from `service.settings` (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
NEO4J_DATABASE); the server must already be running. A file with problems is never written:
every problem is printed with its path and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from graph.importer import ImportMode, ImportRefused, database_is_empty, import_installed_base
from installed_base.demo import DEMO_FILE, demo_text
from installed_base.synthetic import fresh_prefix, generate, items_per_tree, shape_problem
from installed_base.validate import ImportProblem, parse, validate
from service.settings import Settings, load_settings


def read_document(text: str) -> tuple[object, list[ImportProblem]]:
    """Decode JSON text; a syntax error becomes a problem at `$` with its line and column."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        return None, [ImportProblem("$", f"not valid JSON: {error.msg} (line {error.lineno}, "
                                         f"column {error.colno})")]


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[AsyncDriver]:
    """A driver that has reached the server (failing fast instead of retrying a transaction)."""
    auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
    driver = AsyncGraphDatabase.driver(settings.bolt_uri, auth=auth)
    try:
        await driver.verify_connectivity()
        yield driver
    finally:
        await driver.close()


def print_problems(source: str, problems: list[ImportProblem], out: TextIO) -> int:
    print(f"{source}: {len(problems)} problem(s); nothing was imported", file=out)
    for problem in problems:
        print(f"  {problem}", file=out)
    return 1


async def import_text(
    text: str, source: str, settings: Settings, out: TextIO, if_empty: bool = False, mode: ImportMode = "create"
) -> int:
    """Validate and import one document; returns the process exit status."""
    document, problems = read_document(text)
    if not problems:
        problems = validate(document, settings.max_tree_depth)
    if problems:
        return print_problems(source, problems, out)
    base = parse(document, settings.max_tree_depth)
    async with connected(settings) as driver:
        if if_empty and not await database_is_empty(driver, settings.neo4j_database):
            print(f"{source}: the database already holds accounts; nothing was imported", file=out)
            return 0
        try:
            summary = await import_installed_base(
                driver, settings.neo4j_database, base, mode=mode, max_depth=settings.max_tree_depth
            )
        except ImportRefused as refused:
            return print_problems(source, refused.problems, out)
    print(f"{source}: imported into {settings.bolt_uri} (database {settings.neo4j_database})", file=out)
    for line in summary.lines():
        print(f"  {line}", file=out)
    return 0


async def generate_synthetic(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    prefix = args.prefix or fresh_prefix()
    async with connected(settings) as driver:
        try:
            written = await generate(
                driver, settings.neo4j_database, args.accounts, args.depth, args.width,
                batch_size=args.batch_size, progress=not args.quiet, seed=args.seed, prefix=prefix,
                max_depth=settings.max_tree_depth,
            )
        except ValueError as refused:
            print(f"generate: {refused}", file=out)
            return 1
    print(f"generated {args.accounts} accounts x {items_per_tree(args.depth, args.width)} items = "
          f"{written} product inventory items with ids prefixed '{prefix}'", file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m installed_base.cli",
                                     description="Load an installed base into the Neo4j inventory graph.")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser(
        "import", help="validate a JSON file and import it (see docs/import-format.md)"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--check", action="store_true", help="only validate; write nothing")
    load.add_argument("--update", action="store_true",
                      help="give items, accounts and agreements that exist the file's values (with history); "
                           "by default they are left untouched and reported as skipped")
    demo = commands.add_parser("demo", help="import the packaged demo installed base")
    demo.add_argument("--if-empty", action="store_true", help="only when the database holds no account yet")
    synthetic = commands.add_parser("generate", help="write a synthetic installed base for load tests")
    synthetic.add_argument("--accounts", type=int, required=True)
    synthetic.add_argument("--depth", type=int, required=True, help="levels per tree, the root included")
    synthetic.add_argument("--width", type=int, required=True, help="children per item")
    synthetic.add_argument("--batch-size", type=int, default=5000)
    synthetic.add_argument("--seed", type=int, default=0)
    synthetic.add_argument("--quiet", action="store_true", help="no progress bar")
    synthetic.add_argument("--prefix", default=None,
                           help="id prefix of everything generated (default: a fresh one per run); a prefix "
                                "already in the database is refused")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run one subcommand; returns the exit status (1 when a file has problems, 2 when Neo4j fails)."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    settings = load_settings()
    try:
        return run_command(args, settings, out)
    except (ServiceUnavailable, AuthError) as error:
        print(f"cannot use Neo4j at {settings.bolt_uri}: {error}", file=out)
        return 2


def run_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """The parsed subcommand, run against the database named by `settings`."""
    if args.command == "import":
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as error:
            print(f"{args.file}: cannot read ({error.strerror})", file=out)
            return 1
        if args.check:
            document, problems = read_document(text)
            problems = problems or validate(document, settings.max_tree_depth)
            for problem in problems:
                print(f"  {problem}", file=out)
            print(f"{args.file}: {len(problems)} problem(s)", file=out)
            return 1 if problems else 0
        mode: ImportMode = "update" if args.update else "create"
        return asyncio.run(import_text(text, str(args.file), settings, out, mode=mode))
    if args.command == "demo":
        return asyncio.run(import_text(demo_text(), DEMO_FILE, settings, out, if_empty=args.if_empty))
    shape = shape_problem(args.accounts, args.depth, args.width, args.batch_size, settings.max_tree_depth)
    if shape:
        print(f"generate: {shape}", file=out)
        return 1
    return asyncio.run(generate_synthetic(args, settings, out))


if __name__ == "__main__":
    sys.exit(main())
