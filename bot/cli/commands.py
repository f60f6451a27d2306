"""What each CLI command does, on top of the same core (service, storage, tracker) as the bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bot.api import errors
from bot.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from bot.cli.inputs import download, is_url, read_input
from bot.domain import Generation, Kind, Origin, Status
from bot.images.decode import ImageError, prepare_pair, prepare_photo
from bot.runtime.config import Settings
from bot.runtime.core import Core, open_core
from bot.service.errors import OutcomeUnknownError, RejectedError
from bot.tracking.tracker import TrackerEvent

CLI_ORIGIN = Origin(source="cli")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "sandbox":
        from bot.cli.sandbox import serve

        return await serve(settings, args)
    if args.command == "doctor":
        from bot.cli.doctor import doctor

        return await doctor(settings)
    if args.command == "run":
        from bot.runtime.app import run_bot

        return await run_bot(settings)
    if args.command == "playground":
        from bot.runtime.playground.run import run_playground

        return await run_playground(
            settings, port=args.port, db=args.db, open_browser=not args.no_browser
        )
    if settings.sandbox:
        say("note: IACREA_API_KEY is not set; using the built-in sandbox API (results are fake)")
    async with open_core(
        settings, webhook_port=0 if not settings.public_url else None, resume=False
    ) as core:
        if args.command == "generate":
            return await generate(core, args)
        if args.command == "vary":
            return await vary(core, args)
        return await status(core, args)


def _api_failure(exc: Exception) -> CliError:
    if isinstance(exc, RejectedError):
        code = (
            EXIT_USAGE
            if isinstance(exc.cause, errors.InvalidRequestError | errors.AuthenticationError)
            else 1
        )
        return CliError(f"the API refused the request (no credit spent): {exc.cause}", code)
    if isinstance(exc, OutcomeUnknownError):
        return CliError(f"{exc}. Check later with: exterior-bot status {exc.generation.id}")
    return CliError(str(exc))


async def _image_urls(core: Core, photo: str, mask: str) -> tuple[str, str, int, int]:
    """Validate both images and return URLs the API can fetch, with the photo's size."""
    try:
        photo_data = await read_input(core.session, photo, "photo")
        mask_data = await read_input(core.session, mask, "mask")
        pair = prepare_pair(photo_data, mask_data)
    except ImageError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if pair.mask_resized:
        say(f"note: the mask was resized to the photo's {pair.width}x{pair.height}")
    if core.can_host_files:
        kind = "jpeg" if pair.photo_format == "jpg" else "png"
        return (
            core.host_file(pair.photo, f"photo.{pair.photo_format}", f"image/{kind}"),
            core.host_file(pair.mask, "mask.png", "image/png"),
            pair.width,
            pair.height,
        )
    if is_url(photo) and is_url(mask) and not (pair.mask_resized or pair.photo_changed):
        return photo, mask, pair.width, pair.height
    raise CliError(_cannot_fetch(core, "files from this machine"), EXIT_USAGE)


def _cannot_fetch(core: Core, what: str) -> str:
    return (
        f"the API at {core.settings.base_url} cannot fetch {what}: pass http(s) URLs, or set "
        "EXTERIOR_PUBLIC_URL to an address where this machine's port "
        f"{core.settings.webhook_port} (EXTERIOR_WEBHOOK_PORT) is reachable"
    )


async def generate(core: Core, args: argparse.Namespace) -> int:
    await _check_out(args.out)
    photo_url, mask_url, width, height = await _image_urls(core, args.photo, args.mask)
    waiter = _Waiter(core)
    say(f"submitting a {args.room_type.value} generation ({width}x{height})…")
    try:
        gen = await core.service.create(
            photo_url=photo_url,
            mask_url=mask_url,
            width=width,
            height=height,
            room_type=args.room_type,
            origin=CLI_ORIGIN,
        )
    except (RejectedError, OutcomeUnknownError) as exc:
        raise _api_failure(exc) from None
    return await _follow(core, waiter, gen, args)


async def vary(core: Core, args: argparse.Namespace) -> int:
    await _check_out(args.out)
    parent = await _find(core, args.generation_id)
    if parent is None:
        _check_api_id(args.generation_id)
        if not args.photo:
            raise CliError(
                f"generation {args.generation_id} is not in this database; pass --photo PHOTO",
                EXIT_USAGE,
            )
        parent = Generation(
            id=None,
            kind=Kind.CREATE,
            room_type=args.room_type,
            status=Status.SUCCEEDED,
            generation_id=args.generation_id,
        )
    original = await _original_url(core, parent, args.photo)
    mask_url = None
    if args.mask:
        _, mask_url, _, _ = await _image_urls(core, args.photo or original, args.mask)
    waiter = _Waiter(core)
    say(f"submitting a {args.room_type.value} variation of {parent.generation_id}…")
    try:
        gen = await core.service.vary(
            parent,
            room_type=args.room_type,
            original_url=original,
            mask_url=mask_url,
            origin=CLI_ORIGIN,
        )
    except (RejectedError, OutcomeUnknownError) as exc:
        raise _api_failure(exc) from None
    return await _follow(core, waiter, gen, args)


async def _original_url(core: Core, parent: Generation, photo: str | None) -> str:
    if photo:
        try:
            data = await read_input(core.session, photo, "photo")
            prepared = prepare_photo(data)
        except ImageError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        if is_url(photo) and not prepared.changed:
            return photo
        if not core.can_host_files:
            raise CliError(_cannot_fetch(core, f"--photo {photo}"), EXIT_USAGE)
        kind = "jpeg" if prepared.format == "jpg" else "png"
        return core.host_file(prepared.data, f"photo.{prepared.format}", f"image/{kind}")
    if parent.photo_url:
        try:  # URLs this CLI hosted die with it; say so instead of failing at the API
            await download(core.session, parent.photo_url, "original photo")
            return parent.photo_url
        except ImageError:
            pass
    raise CliError("the original photo's URL no longer works; pass --photo PHOTO", EXIT_USAGE)


async def status(core: Core, args: argparse.Namespace) -> int:
    if args.out is not None:
        await _check_out(args.out)
    gen = await _find(core, args.generation_id)
    if gen is None:
        _check_api_id(args.generation_id)
        try:
            state = await core.client.get(args.generation_id)
        except errors.NotFoundError:
            raise CliError(f"unknown generation {args.generation_id}", EXIT_USAGE) from None
        except errors.ApiError as exc:
            raise CliError(str(exc)) from None
        report = {
            "generation_id": args.generation_id,
            "project_id": None,
            "remaining_photos": None,
            "status": state.status.value,
            "urls": state.urls,
            "files": [],
            "variation_number": state.variation_number,
            "urls_expire": _urls_expire(core),
        }
        print(json.dumps(report))
        return EXIT_FAILED if state.status is Status.FAILED else EXIT_OK
    if gen.generation_id and not gen.status.is_terminal and gen.status is not Status.UNKNOWN:
        gen = await core.service.refresh(gen)
    files = []
    if args.out is not None and gen.status is Status.SUCCEEDED:
        files = await _save_or_report(core, gen, args.out, await _fresh_urls(core, gen))
        say(f"saved {', '.join(files)}")
    elif args.out is not None and not gen.status.is_terminal:
        say(f"{gen.status.value}: no pictures yet; ask again later")
    print(json.dumps(_report(core, gen, files)))
    if gen.error:
        say(f"note: {gen.error}")
    return EXIT_FAILED if gen.status is Status.FAILED else EXIT_OK


def _check_api_id(ident: str) -> None:
    """An id the API could know is a UUID: a mistyped one is told so here, with no API call."""
    try:
        uuid.UUID(ident)
    except ValueError:
        raise CliError(
            f"no generation {ident} here: give the generation_id a command printed "
            "(like 8ea90791-6bcb-4e1f-be5f-5506f665ce04) or its number in this database",
            EXIT_USAGE,
        ) from None


async def _check_out(out: Path) -> None:
    """Before anything is spent: --out must be a directory this user can write, or creatable."""
    problem = await asyncio.to_thread(_out_problem, out)
    if problem:
        raise CliError(f"--out {out}: {problem}; nothing was spent", EXIT_USAGE)


def _out_problem(out: Path) -> str | None:
    place = out
    try:
        while not place.exists():  # the nearest existing ancestor is where mkdir would write
            place = place.parent
        if not place.is_dir():
            return f"{place} is a file, not a directory"
        # a real write: permissions, read-only mounts and root's rights all answer truly
        with tempfile.TemporaryFile(dir=place):
            pass
    except OSError as exc:
        return f"cannot be written ({exc.strerror or exc})"
    return None


async def _find(core: Core, ident: str) -> Generation | None:
    gen = await core.generations.by_generation_id(ident)
    if gen is None and ident.isdigit():
        gen = await core.generations.get(int(ident))
    return gen


class _Waiter:
    """Collects tracker events for the generations this command submits."""

    def __init__(self, core: Core):
        self.queue: asyncio.Queue[TrackerEvent] = asyncio.Queue()
        core.tracker.subscribe(self.queue.put)


async def _follow(core: Core, waiter: _Waiter, gen: Generation, args) -> int:
    left = "" if gen.remaining_photos is None else f"; {gen.remaining_photos} photos left"
    say(f"generation {gen.generation_id} accepted{left}")
    if args.no_wait:
        say(f"follow it with: exterior-bot status {gen.generation_id} [--out DIR]")
        print(json.dumps(_report(core, gen, [])))
        return EXIT_OK
    started = time.monotonic()
    while True:
        event = await waiter.queue.get()
        if event.generation.id != gen.id:
            continue
        gen = event.generation
        elapsed = time.monotonic() - started
        if event.kind == "status":
            say(f"  {gen.status.value.lower()}… ({elapsed:.0f} s)")
            continue
        break
    if gen.status is Status.TIMED_OUT:
        print(json.dumps(_report(core, gen, [])))
        raise CliError(
            f"no result after {core.settings.deadline_seconds:.0f} s; check later with "
            f"`exterior-bot status {gen.generation_id}`"
        )
    if gen.status is Status.FAILED:
        say(f"generation FAILED after {elapsed:.1f} s; the photo credit was refunded")
        print(json.dumps(_report(core, gen, [])))
        return EXIT_FAILED
    files = await _save_or_report(core, gen, args.out)
    say(f"SUCCEEDED in {elapsed:.1f} s; saved {', '.join(files)}")
    print(json.dumps(_report(core, gen, files)))
    return EXIT_OK


async def _fresh_urls(core: Core, gen: Generation) -> list[str]:
    """Result URLs as the API gives them now: stored ones may have expired (or, for the
    embedded sandbox, name the port of an earlier command)."""
    try:
        return (await core.client.get(gen.generation_id)).urls or gen.result_urls
    except errors.ApiError:
        return gen.result_urls


async def _save(core: Core, gen: Generation, out: Path, urls: list[str] | None = None) -> list[str]:
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    files = []
    for index, url in enumerate(gen.result_urls if urls is None else urls):
        data = await core.downloads.fetch(url, "result", max_bytes=64 * 1024 * 1024)
        suffix = ".jpg" if data[:3] == b"\xff\xd8\xff" else ".png"
        path = out / f"{gen.generation_id}-{index}{suffix}"
        await asyncio.to_thread(path.write_bytes, data)
        files.append(str(path))
    return files


async def _save_or_report(
    core: Core, gen: Generation, out: Path, urls: list[str] | None = None
) -> list[str]:
    """The credit is spent: a picture that cannot be written still leaves the JSON printed."""
    try:
        return await _save(core, gen, out, urls)
    except (OSError, ImageError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(json.dumps(_report(core, gen, [])))
        raise CliError(
            f"SUCCEEDED, but the pictures could not be saved in {out} ({why}); "
            f"save them later with: exterior-bot status {gen.generation_id} --out DIR"
        ) from None


def _urls_expire(core: Core) -> bool:
    """The embedded sandbox serves its pictures only while a command runs: its URLs die with
    this process (`status ID --out DIR` fetches them again later)."""
    return core.sandbox is not None


def _report(core: Core, gen: Generation, files: list[str]) -> dict:
    return {
        "generation_id": gen.generation_id,
        "project_id": gen.project_id,
        "remaining_photos": gen.remaining_photos,
        "status": gen.status.value,
        "urls": gen.result_urls,
        "files": files,
        "variation_number": gen.variation_number,
        "id": gen.id,
        "refunded": gen.status is Status.FAILED,
        "urls_expire": _urls_expire(core),
    }
