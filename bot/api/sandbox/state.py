"""The sandbox's bookkeeping: accounts, projects, generations, their clock and their pictures.

A generation's clock is fixed when it starts (wall-clock times, so it survives a restart): it is
STARTING until `processing_at`, PROCESSING until `done_at`, then SUCCEEDED or FAILED. Pictures
(fetched photos and masks, rendered results) are kept by content hash in `blobs`.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import uuid
from dataclasses import dataclass, field

from bot.domain import RoomType, Status


@dataclass
class SandboxConfig:
    api_key: str = "sandbox-key"
    user_id: str = "00000000-0000-4000-8000-000000000000"
    credits: int = 100
    # The clock: seconds spent STARTING, then PROCESSING. Realistic API timings are minutes.
    starting_seconds: float = 0.5
    processing_seconds: float = 2.5
    duration_spread: float = 0.0  # each generation's whole duration varies by +- this share
    images_per_generation: int = 1
    # Fault knobs for tests and demos.
    failure_ratio: float = 0.0  # generations that end FAILED (and are refunded)
    latency: float = 0.0  # added before every API answer
    error_5xx_ratio: float = 0.0  # API calls answered 503 without acting
    error_429_ratio: float = 0.0  # API calls answered 429 with Retry-After
    retry_after: float = 1.0
    webhook_delay: float = 0.0
    slow_answer: float = 0.0  # paid calls act, then answer this late (ambiguous timeouts)
    max_image_bytes: int = 20 * 1024 * 1024
    seed: int | None = None
    # Which hosts it fetches images from and posts webhooks to: any (a real API, the embedded
    # sandbox that reads Discord's CDN) or only this machine (the standalone server).
    remote_urls: bool = True


@dataclass
class Project:
    id: str
    image_url: str
    mask: str  # blob key: a variation without mask_url reuses it
    variations: int = 0


@dataclass
class SandboxGeneration:
    id: str
    project: Project
    room_type: RoomType
    variation_number: int
    will_fail: bool
    webhook: str | None
    base_url: str
    user_id: str = ""
    photo: str = ""  # blob keys of what it is rendered from
    mask: str = ""
    processing_at: float = 0.0
    done_at: float = 0.0
    status: Status = Status.STARTING
    images: list[str] = field(default_factory=list)  # blob keys of the results
    duration: float = 0.0  # STARTING + PROCESSING, seconds
    task: asyncio.Task | None = None

    @property
    def ended_at(self) -> float:
        """Unix time of the switch to SUCCEEDED/FAILED (benchmarks measure notice from it)."""
        return self.done_at


def blob_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SandboxState:
    def __init__(self, config: SandboxConfig):
        self.config = config
        self.rng = random.Random(config.seed)
        self.credits: dict[str, int] = {config.user_id: config.credits}
        self.api_keys = {config.api_key}  # more with add_account (a server's own key)
        # (endpoint, x-api-key, generation_id or None) of every call with a known key
        self.keys_used: list[tuple[str, str, str | None]] = []
        self.projects: dict[str, Project] = {}
        self.generations: dict[str, SandboxGeneration] = {}
        self.blobs: dict[str, bytes] = {}
        self.calls: dict[str, int] = {"generate": 0, "generate-variation": 0, "get": 0}
        self.webhook_deliveries: list[tuple[str, dict]] = []
        self.requests: list[tuple[str, dict]] = []  # accepted-for-processing calls, for tests
        self._fail_next = 0

    def add_account(self, api_key: str, user_id: str, credits: int = 100) -> None:
        """Another customer of the API: its own key, user id and credits."""
        self.api_keys.add(api_key)
        self.credits[user_id] = credits

    def record(self, endpoint: str, body: dict) -> None:
        self.calls[endpoint] += 1
        self.requests.append((endpoint, body))

    def keep(self, data: bytes) -> str:
        key = blob_key(data)
        self.blobs.setdefault(key, data)
        return key

    def fail_next(self, count: int = 1) -> None:
        """Make the next `count` generations end FAILED (deterministic tests and demos)."""
        self._fail_next += count

    def decide_failure(self) -> bool:
        if self._fail_next:
            self._fail_next -= 1
            return True
        return self.rng.random() < self.config.failure_ratio

    def charge(self, user_id: str) -> int | None:
        """Spend one photo; None when the account has none left."""
        if self.credits.get(user_id, 0) <= 0:
            return None
        self.credits[user_id] -= 1
        return self.credits[user_id]

    def refund(self, user_id: str) -> None:
        self.credits[user_id] = self.credits.get(user_id, 0) + 1

    def new_project(self, image_url: str, mask: str) -> Project:
        project = Project(id=str(uuid.uuid4()), image_url=image_url, mask=mask)
        self.projects[project.id] = project
        return project

    def new_generation(
        self,
        project: Project,
        room_type: RoomType,
        webhook: str | None,
        base_url: str,
        *,
        variation: bool,
        user_id: str = "",
        photo: str = "",
        mask: str = "",
    ) -> SandboxGeneration:
        if variation:
            project.variations += 1
        now = time.time()
        cfg = self.config
        spread = self.rng.uniform(-cfg.duration_spread, cfg.duration_spread)
        duration = (cfg.starting_seconds + cfg.processing_seconds) * (1 + spread)
        processing_at = now + min(cfg.starting_seconds, duration)
        gen = SandboxGeneration(
            id=str(uuid.uuid4()),
            project=project,
            room_type=room_type,
            variation_number=project.variations,
            will_fail=self.decide_failure(),
            webhook=webhook,
            base_url=base_url,
            user_id=user_id,
            photo=photo,
            mask=mask,
            processing_at=processing_at,
            done_at=now + duration,
            duration=duration,
        )
        self.generations[gen.id] = gen
        return gen

    def public_state(self, gen: SandboxGeneration, base_url: str | None = None) -> dict:
        body: dict = {"status": gen.status.value, "variationNumber": gen.variation_number}
        if gen.status is Status.SUCCEEDED:
            origin = base_url or gen.base_url
            body["urls"] = [
                f"{origin}/sandbox/results/{gen.id}/{i}.png" for i in range(len(gen.images))
            ]
        return body

    async def close(self) -> None:
        tasks = [g.task for g in self.generations.values() if g.task and not g.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
