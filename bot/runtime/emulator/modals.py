"""What Discord sends when a user submits a modal: the answers mirror the modal's layout
(labels and legacy rows), and uploaded files arrive as resolved ephemeral attachments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .state import StoredAttachment


def modal_submit_data(
    modal: dict[str, Any],
    values: dict[str, Any],
    upload: Callable[[Any], StoredAttachment],
    attachment_payload: Callable[[StoredAttachment], dict[str, Any]],
) -> dict[str, Any]:
    """``values`` maps custom_ids to a text input's string, a select's list of values or a file
    upload's list of file specs (``upload`` stores one and returns its attachment)."""
    resolved: dict[str, dict[str, Any]] = {}

    def answer(component: dict[str, Any]) -> dict[str, Any]:
        key = component.get("custom_id", "")
        value = values.get(key)
        out = {"type": component["type"], "id": component.get("id"), "custom_id": key}
        if component["type"] == 19:  # file upload: ids into data.resolved.attachments
            files = [upload(spec) for spec in value or []]
            for attachment in files:
                resolved.setdefault("attachments", {})[str(attachment.id)] = attachment_payload(
                    attachment
                )
            out["values"] = [str(a.id) for a in files]
        elif component["type"] == 4:
            out["value"] = str(value or "")
        else:
            out["values"] = list(value or [])
        return out

    rows: list[dict[str, Any]] = []
    for item in modal.get("components", []):
        if item["type"] == 18:
            rows.append({"type": 18, "id": item.get("id"), "component": answer(item["component"])})
        elif item["type"] == 1:
            rows.append({"type": 1, "components": [answer(c) for c in item["components"]]})
    data: dict[str, Any] = {"custom_id": modal["custom_id"], "components": rows}
    if resolved:
        data["resolved"] = resolved
    return data
