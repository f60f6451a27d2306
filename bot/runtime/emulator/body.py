"""Request bodies: JSON, or multipart with a ``payload_json`` part and ``files[n]`` parts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

_FILE_FIELD = re.compile(r"files\[(\d+)\]")


@dataclass
class FilePart:
    index: int
    filename: str
    content_type: str | None
    data: bytes

    def summary(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }


@dataclass
class ParsedBody:
    json: Any = None
    files: dict[int, FilePart] = field(default_factory=dict)
    multipart: bool = False

    @property
    def data(self) -> dict[str, Any]:
        """The JSON object (``payload_json`` for multipart), ``{}`` when absent."""
        return self.json if isinstance(self.json, dict) else {}


BODY = web.RequestKey("body", ParsedBody)  # set by the server middleware for every request


async def read_body(request: web.Request) -> ParsedBody:
    """Read and parse the request body once (the middleware stores it on the request)."""
    if request.content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return ParsedBody()
    try:
        return ParsedBody(json=json.loads(raw))
    except ValueError:
        return ParsedBody(json=raw.decode("utf-8", "replace"))


async def _read_multipart(request: web.Request) -> ParsedBody:
    body = ParsedBody(multipart=True)
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):  # nested multipart: Discord uses none
            continue
        raw = await part.read(decode=False)
        name = part.name or ""
        if name == "payload_json":
            body.json = json.loads(raw)
            continue
        match = _FILE_FIELD.fullmatch(name)
        if match is None:
            continue
        index = int(match.group(1))
        body.files[index] = FilePart(
            index, part.filename or f"file{index}", part.headers.get("Content-Type"), bytes(raw)
        )
    return body
