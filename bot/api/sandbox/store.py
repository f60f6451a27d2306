"""The embedded sandbox's memory across commands: one zip file beside the database.

Each CLI command starts its own in-process sandbox; this file makes them one API, as the real one
is: `generate`, then `vary` and `status` in later commands. It holds `state.json` (accounts,
projects, generations and their clocks, the port last used) and the pictures by content hash.

Several processes may share it (the bot and a CLI command), so every sync happens under a file
lock and merges: generations and projects are united by id, and each process adds its own credit
changes since its last sync to what the file says.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from bot.api.sandbox.state import Project, SandboxGeneration, SandboxState
from bot.domain import RoomType, Status

log = logging.getLogger(__name__)
STATE = "state.json"
FORMAT = 1


class SandboxStore:
    def __init__(self, path: Path):
        self.path = path
        self.port: int | None = None  # the port the last sandbox on this file listened on
        self._synced_credits: dict[str, int] | None = None  # ours, as of the last sync

    def read_blob(self, key: str) -> bytes | None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(f"blobs/{key}")
        except (OSError, KeyError, zipfile.BadZipFile):
            return None

    def sync(self, state: SandboxState, port: int | None = None) -> None:
        """Merge the file into `state` and `state` into the file (written atomically)."""
        with self._locked():
            disk = self._read()
            self._merge_into(state, disk)
            if port is not None:
                self.port = port
            self._write(state)
            self._synced_credits = dict(state.credits)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            with zipfile.ZipFile(self.path) as archive:
                data = json.loads(archive.read(STATE))
        except FileNotFoundError:
            return {}
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            log.warning("sandbox state %s unreadable (%s); starting afresh", self.path, exc)
            return {}
        return data if data.get("format") == FORMAT else {}

    def _merge_into(self, state: SandboxState, disk: dict) -> None:
        if self.port is None:
            self.port = disk.get("port")
        for pid, raw in disk.get("projects", {}).items():
            project = state.projects.setdefault(pid, Project(pid, raw["image_url"], raw["mask"]))
            project.variations = max(project.variations, raw["variations"])
        for gid, raw in disk.get("generations", {}).items():
            known = state.generations.get(gid)
            if known is None and raw["project"] in state.projects:
                state.generations[gid] = _generation(raw, gid, state.projects[raw["project"]])
            elif known and not known.status.is_terminal and Status(raw["status"]).is_terminal:
                # settled (and refunded) by another process: not again here
                known.status, known.images = Status(raw["status"]), list(raw["images"])
        on_disk = disk.get("credits", {})
        ours = dict(state.credits)
        for user, count in on_disk.items():
            before = (self._synced_credits or {}).get(user)
            # First sync: the file is the truth. Later: add what we spent or refunded since.
            change = 0 if before is None else ours.get(user, before) - before
            state.credits[user] = count + change

    def _write(self, state: SandboxState) -> None:
        doc = {
            "format": FORMAT,
            "port": self.port,
            "credits": state.credits,
            "projects": {
                p.id: {"image_url": p.image_url, "mask": p.mask, "variations": p.variations}
                for p in state.projects.values()
            },
            "generations": {g.id: _raw(g) for g in state.generations.values()},
        }
        wanted = {p.mask for p in state.projects.values()}
        for gen in state.generations.values():
            wanted.update([gen.photo, gen.mask, *gen.images])
        wanted.discard("")
        tmp = self.path.with_name(f"{self.path.name}.tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as out:
            out.writestr(STATE, json.dumps(doc))
            old = zipfile.ZipFile(self.path) if self.path.exists() else None
            try:
                for key in sorted(wanted):
                    data = state.blobs.get(key)
                    if data is None and old is not None:
                        with contextlib.suppress(KeyError):
                            data = old.read(f"blobs/{key}")
                    if data is not None:
                        out.writestr(f"blobs/{key}", data)
            finally:
                if old is not None:
                    old.close()
        os.replace(tmp, self.path)


def _raw(gen: SandboxGeneration) -> dict:
    return {
        "project": gen.project.id,
        "room_type": gen.room_type.value,
        "variation_number": gen.variation_number,
        "will_fail": gen.will_fail,
        "user_id": gen.user_id,
        "photo": gen.photo,
        "mask": gen.mask,
        "processing_at": gen.processing_at,
        "done_at": gen.done_at,
        "status": gen.status.value,
        "images": gen.images,
    }


def _generation(raw: dict, gid: str, project: Project) -> SandboxGeneration:
    # A webhook URL from an earlier process leads nowhere now: it is not kept.
    return SandboxGeneration(
        id=gid,
        project=project,
        room_type=RoomType(raw["room_type"]),
        variation_number=raw["variation_number"],
        will_fail=raw["will_fail"],
        webhook=None,
        base_url="",
        user_id=raw["user_id"],
        photo=raw["photo"],
        mask=raw["mask"],
        processing_at=raw["processing_at"],
        done_at=raw["done_at"],
        status=Status(raw["status"]),
        images=list(raw["images"]),
    )
