"""Typed results of the Exterior Creation API, parsed strictly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.api.errors import MalformedResponseError
from bot.domain import Status


@dataclass(frozen=True, slots=True)
class GenerateResult:
    generation_id: str
    project_id: str
    remaining_photos: int


@dataclass(frozen=True, slots=True)
class VariationResult:
    generation_id: str


@dataclass(frozen=True, slots=True)
class GenerationState:
    status: Status
    urls: list[str] = field(default_factory=list)
    variation_number: int | None = None


def _field(data: Any, name: str, kind: type, path: str) -> Any:
    if not isinstance(data, dict):
        raise MalformedResponseError(f"{path}: expected a JSON object, got {type(data).__name__}")
    if name not in data or data[name] is None:
        raise MalformedResponseError(f"{path}: response has no {name!r}")
    value = data[name]
    # bool is an int in Python; the API never sends booleans for these fields
    if kind in (int, float) and isinstance(value, bool):
        raise MalformedResponseError(f"{path}: {name!r} is not a number: {value!r}")
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, kind):
        raise MalformedResponseError(f"{path}: {name!r} is not a {kind.__name__}: {value!r}")
    return value


def parse_generate(data: Any) -> GenerateResult:
    path = "generate"
    return GenerateResult(
        generation_id=_field(data, "generation_id", str, path),
        project_id=_field(data, "project_id", str, path),
        remaining_photos=_field(data, "remaining_photos", int, path),
    )


def parse_variation(data: Any) -> VariationResult:
    return VariationResult(generation_id=_field(data, "generation_id", str, "generate-variation"))


def parse_state(data: Any) -> GenerationState:
    path = "get"
    raw_status = _field(data, "status", str, path)
    try:
        status = Status.parse_api(raw_status)
    except ValueError as exc:
        raise MalformedResponseError(f"{path}: {exc}") from None
    urls: list[str] = []
    if status is Status.SUCCEEDED:
        urls = _field(data, "urls", list, path)
        if not urls or not all(isinstance(u, str) and u for u in urls):
            raise MalformedResponseError(f"{path}: SUCCEEDED without result urls")
    variation = data.get("variationNumber")
    if variation is not None:
        variation = _field(data, "variationNumber", int, path)
    return GenerationState(status=status, urls=list(urls), variation_number=variation)
