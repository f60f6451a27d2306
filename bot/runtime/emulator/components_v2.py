"""Discord's component rules: legacy rows, Components V2 layouts (flag ``IS_COMPONENTS_V2``)
and modals (Label / FileUpload). A violation is refused with Discord's 400 50035 shape.

From Discord's component reference: with the flag a message may not carry ``content``,
``embeds``, ``poll`` or ``stickers``; it holds at most 40 components counted at every depth;
its files are shown only where a component names them (``attachment://<filename>``); the flag
can never be removed by an edit. Without the flag only action rows may be top-level.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .responses import ApiError, invalid_form

IS_COMPONENTS_V2 = 1 << 15
MAX_TOTAL = 40
MAX_TEXT = 4000

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
SELECTS = {3, 5, 6, 7, 8}
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR = 9, 10, 11, 12, 13, 14
CONTAINER, LABEL, FILE_UPLOAD = 17, 18, 19

V2_TOP = {ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER}
IN_CONTAINER = V2_TOP - {CONTAINER}
MODAL_TOP = {ACTION_ROW, TEXT_DISPLAY, LABEL}
IN_LABEL = {TEXT_INPUT, FILE_UPLOAD, 21, 22, 23} | SELECTS


def _refuse(path: str, message: str, code: str) -> ApiError:
    return invalid_form(path, message, code)


def walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component at every depth (rows, containers, sections' accessories, labels)."""
    for item in components:
        yield item
        yield from walk(list(item.get("components") or []))
        for key in ("accessory", "component"):
            if isinstance(item.get(key), dict):
                yield from walk([item[key]])


def media_urls(components: list[dict[str, Any]]) -> list[str]:
    """The media a layout shows, in order (gallery items, thumbnails, files)."""
    urls = []
    for item in walk(components):
        if item.get("type") == MEDIA_GALLERY:
            urls += [(entry.get("media") or {}).get("url", "") for entry in item.get("items", [])]
        elif item.get("type") in (THUMBNAIL, FILE):
            urls.append((item.get("media") or item.get("file") or {}).get("url", ""))
    return urls


def check_message(
    data: dict[str, Any], flags: int, components: list[dict[str, Any]], filenames: list[str]
) -> None:
    """Refuse a message (create or the result of an edit) that breaks Discord's rules."""
    if flags & IS_COMPONENTS_V2:
        for legacy in ("content", "embeds", "poll", "sticker_ids"):
            if data.get(legacy):
                raise _refuse(
                    legacy,
                    f"The '{legacy}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
                    "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                )
        _check_types(components, V2_TOP, "components")
        _check_v2_media(components, filenames)
        text = sum(len(c.get("content", "")) for c in walk(components) if c.get("type") == 10)
        if text > MAX_TEXT:
            raise _refuse("components", f"Text displays hold {MAX_TEXT} characters in total.",
                          "BASE_TYPE_MAX_LENGTH")  # fmt: skip
    else:
        _check_types(components, {ACTION_ROW}, "components")
    total = sum(1 for _ in walk(components))
    if total > MAX_TOTAL:
        raise _refuse(
            "components",
            f"Must be {MAX_TOTAL} or fewer in length (nested components count).",
            "BASE_TYPE_MAX_LENGTH",
        )
    _check_interactive(components)


def check_modal(data: dict[str, Any]) -> None:
    title = str(data.get("title") or "")
    if not title or len(title) > 45:
        raise _refuse("data.title", "Must be between 1 and 45 in length.", "BASE_TYPE_BAD_LENGTH")
    components = list(data.get("components") or [])
    if not 1 <= len(components) <= 5:
        raise _refuse("data.components", "Must be between 1 and 5 in length.",
                      "BASE_TYPE_BAD_LENGTH")  # fmt: skip
    for index, item in enumerate(components):
        path = f"data.components.{index}"
        if item.get("type") not in MODAL_TOP:
            raise _refuse(path, "Component type is not valid in a modal.",
                          "COMPONENT_TYPE_INVALID")  # fmt: skip
        if item["type"] == LABEL:
            inner = item.get("component") or {}
            if inner.get("type") not in IN_LABEL:
                raise _refuse(path + ".component", "A label must hold one input component.",
                              "COMPONENT_TYPE_INVALID")  # fmt: skip
            if not 1 <= len(str(item.get("label") or "")) <= 45:
                raise _refuse(path + ".label", "Must be between 1 and 45 in length.",
                              "BASE_TYPE_BAD_LENGTH")  # fmt: skip
        elif item["type"] == ACTION_ROW:
            inner_types = {c.get("type") for c in item.get("components") or []}
            if inner_types - {TEXT_INPUT}:
                raise _refuse(path, "An action row in a modal holds text inputs only.",
                              "COMPONENT_TYPE_INVALID")  # fmt: skip


def _check_types(items: list[dict[str, Any]], allowed: set[int], path: str) -> None:
    for index, item in enumerate(items):
        where = f"{path}.{index}"
        kind = item.get("type")
        if kind not in allowed:
            raise _refuse(where + ".type", f"Component type {kind} is not valid here.",
                          "UNION_TYPE_CHOICES")  # fmt: skip
        children = list(item.get("components") or [])
        if kind == CONTAINER:
            _check_types(children, IN_CONTAINER, where + ".components")
        elif kind == ACTION_ROW:
            kinds = [c.get("type") for c in children]
            buttons_only = kinds and all(k == BUTTON for k in kinds) and len(kinds) <= 5
            one_select = len(kinds) == 1 and kinds[0] in SELECTS
            if not (buttons_only or one_select):
                raise _refuse(where + ".components", "An action row holds 1-5 buttons or one "
                              "select.", "BASE_TYPE_BAD_LENGTH")  # fmt: skip
        elif kind == SECTION:
            if not 1 <= len(children) <= 3 or {c.get("type") for c in children} != {TEXT_DISPLAY}:
                raise _refuse(where + ".components", "A section holds 1-3 text displays.",
                              "BASE_TYPE_BAD_LENGTH")  # fmt: skip
            accessory = (item.get("accessory") or {}).get("type")
            if accessory not in (BUTTON, THUMBNAIL):
                raise _refuse(where + ".accessory", "A section needs a button or a thumbnail.",
                              "BASE_TYPE_REQUIRED")  # fmt: skip
        elif kind == MEDIA_GALLERY and not 1 <= len(item.get("items") or []) <= 10:
            raise _refuse(where + ".items", "Must be between 1 and 10 in length.",
                          "BASE_TYPE_BAD_LENGTH")  # fmt: skip
        elif kind == TEXT_DISPLAY and not str(item.get("content") or ""):
            raise _refuse(where + ".content", "This field is required", "BASE_TYPE_REQUIRED")


def _check_v2_media(components: list[dict[str, Any]], filenames: list[str]) -> None:
    for url in media_urls(components):
        if url.startswith("attachment://"):
            if url.removeprefix("attachment://") not in filenames:
                raise _refuse("components", f"Unknown attachment {url!r}.",
                              "UNFURLED_MEDIA_ITEM_UNKNOWN_ATTACHMENT")  # fmt: skip
        elif not url.startswith(("http://", "https://")):
            raise _refuse("components", f"Invalid media URL {url!r}.", "URL_TYPE_INVALID_URL")


def _check_interactive(components: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for item in walk(components):
        if item.get("type") == BUTTON and item.get("style") != 6:  # 6: premium (an sku_id)
            link = item.get("style") == 5  # opens its url and sends no interaction
            if link != bool(item.get("url")) or link == bool(item.get("custom_id")):
                raise _refuse(
                    "components",
                    "Invalid button: url xor custom_id (a link button has a url, others an id).",
                    "BUTTON_COMPONENT_INVALID",
                )
            if len(str(item.get("label") or "")) > 80:
                raise _refuse("components", "Labels hold 80 characters.",
                              "BASE_TYPE_MAX_LENGTH")  # fmt: skip
        custom_id = item.get("custom_id")
        if custom_id is not None:
            if not 1 <= len(custom_id) <= 100:
                raise _refuse("components", "custom_id holds 1-100 characters.",
                              "BASE_TYPE_BAD_LENGTH")  # fmt: skip
            if custom_id in seen:
                raise _refuse("components", "Component custom id cannot be duplicated",
                              "COMPONENT_CUSTOM_ID_DUPLICATED")  # fmt: skip
            seen.add(custom_id)


def resolve_media(components: list[dict[str, Any]], attachments: dict[str, dict]) -> None:
    """In place: ``attachment://name`` becomes the attachment's signed URL, as Discord returns
    it (with ``attachment_id``, size and type), so a client can show and re-read it."""
    for item in walk(components):
        medias = [entry.get("media") for entry in item.get("items") or []]
        medias += [item.get(k) for k in ("media", "file") if item.get("type") in (THUMBNAIL, FILE)]
        for media in medias:
            if not isinstance(media, dict):
                continue
            name = str(media.get("url", "")).removeprefix("attachment://")
            if str(media.get("url", "")).startswith("attachment://") and name in attachments:
                found = attachments[name]
                media.update(
                    url=found["url"], proxy_url=found["proxy_url"], attachment_id=found["id"],
                    width=found.get("width"), height=found.get("height"),
                    content_type=found.get("content_type"),
                )  # fmt: skip
