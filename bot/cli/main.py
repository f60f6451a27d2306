"""`exterior-bot`: the console entry point.

Exit codes: 0 succeeded, 3 the generation FAILED (its credit refunded), 2 bad input or
configuration, 1 anything else. Expected errors print one sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import __version__
from bot.cli.errors import EXIT_ERROR, EXIT_USAGE, CliError
from bot.domain import RoomType
from bot.runtime.config import ConfigError, load_settings


def _room_type(value: str) -> RoomType:
    try:
        return RoomType.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exterior-bot",
        description="Turn a garden photo into a terrace, pool or pétanque court visualisation.",
    )
    parser.add_argument("--version", action="version", version=f"exterior-bot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # -v after the command too (`exterior-bot generate … -v`); SUPPRESS keeps one given before
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log details"
    )

    gen = sub.add_parser(
        "generate", parents=[verbose], help="create a visualisation from a photo and a mask"
    )
    gen.add_argument(
        "photo", metavar="PHOTO", help="photo: a JPG, PNG, WebP or HEIC path, or an http(s) URL"
    )
    gen.add_argument("mask", metavar="MASK", help="mask: white where the new exterior goes")
    gen.add_argument(
        "--type", required=True, type=_room_type, dest="room_type", help="TERRACE, POOL or PETANQUE"
    )
    gen.add_argument("--out", type=Path, default=Path("results"), help="where to save results")
    gen.add_argument("--no-wait", action="store_true", help="print the ids and return at once")

    vary = sub.add_parser("vary", parents=[verbose], help="a variation of an earlier generation")
    vary.add_argument("generation_id", metavar="GENERATION_ID")
    vary.add_argument(
        "--type", required=True, type=_room_type, dest="room_type", help="TERRACE, POOL or PETANQUE"
    )
    vary.add_argument("--photo", help="the original photo, if its earlier URL no longer works")
    vary.add_argument("--mask", help="a new mask (default: the previous generation's)")
    vary.add_argument("--out", type=Path, default=Path("results"), help="where to save results")
    vary.add_argument("--no-wait", action="store_true", help="print the ids and return at once")

    status = sub.add_parser("status", parents=[verbose], help="the state of a generation")
    status.add_argument("generation_id", metavar="GENERATION_ID")
    status.add_argument(
        "--out", type=Path, default=None, help="save the result images in this directory"
    )

    sandbox = sub.add_parser(
        "sandbox",
        parents=[verbose],
        help="run the local sandbox API",
        description="Run the sandbox API (fake results, no cost) until Ctrl-C, for commands "
        "run with the IACREA_* variables it prints. It only fetches images from and sends "
        "webhooks to this machine unless --allow-remote-urls is given.",
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    sandbox.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    sandbox.add_argument(
        "--failure-ratio",
        type=float,
        default=None,
        help="share of generations that end FAILED, 0 to 1 "
        "(default EXTERIOR_SANDBOX_FAILURE_RATIO, 0)",
    )
    sandbox.add_argument(
        "--processing-seconds",
        type=float,
        default=None,
        help="seconds a generation spends PROCESSING "
        "(default EXTERIOR_SANDBOX_PROCESSING_SECONDS, 2.5)",
    )
    sandbox.add_argument(
        "--allow-remote-urls",
        action="store_true",
        help="also fetch images from and send webhooks to other hosts than this machine",
    )

    sub.add_parser("doctor", parents=[verbose], help="check the configuration and what it reaches")
    sub.add_parser("run", parents=[verbose], help="run the Discord bot")

    play = sub.add_parser(
        "playground",
        parents=[verbose],
        help="see the bot in your browser (no Discord account, token or key)",
        description="Run the bot against a built-in Discord emulator and the sandbox API, with "
        "a web page that looks and behaves like a Discord channel, until Ctrl-C.",
    )
    play.add_argument(
        "--port", type=int, default=8770, help="port of the page (default 8770; 0: any free one)"
    )
    play.add_argument("--no-browser", action="store_true", help="do not open a browser")
    play.add_argument(
        "--db",
        type=Path,
        default=None,
        help="the playground's database (default: exterior-bot.playground.sqlite3 beside "
        "EXTERIOR_DB_PATH); the emulated server is kept beside it",
    )
    return parser


def _setup_logging(level: str, verbose: bool) -> None:
    """`level` for our own loggers; libraries (discord, aiohttp) only warn unless -v."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbose else getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # one line per SQL call otherwise
    if not verbose:
        for name in ("aiohttp", "discord"):
            logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "run":  # a service: its log is its voice (invite URL, logged in as …)
        _setup_logging(settings.log_level, args.verbose)
    else:  # the CLI prints its own progress: only problems from the log
        _setup_logging("WARNING", args.verbose)
    from bot.cli import commands  # heavy imports only once arguments are known
    from storage import StorageError

    try:
        return asyncio.run(commands.dispatch(args, settings))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except StorageError as exc:  # e.g. PostgreSQL unreachable: one sentence, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ConfigError as exc:  # found while starting up, e.g. an unwritable EXTERIOR_DB_PATH
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
