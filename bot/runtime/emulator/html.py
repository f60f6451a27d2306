"""A channel's messages as an HTML page styled like Discord's dark theme, to look at.

Embeds, Components V2 layouts (container, text, gallery, buttons) and attachments are drawn the
way the client shows them: a V2 message shows its files only through its components.
"""

from __future__ import annotations

import base64
import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

STYLE = """
body{background:#313338;color:#dbdee1;font:15px/1.4 'DejaVu Sans',sans-serif;margin:0;padding:16px;
width:860px}
.msg{display:flex;gap:12px;margin:14px 0}.av{width:40px;height:40px;border-radius:50%;
background:#5865f2;flex:none}.who{font-weight:bold;color:#f2f3f5}.who small{color:#949ba4;
font-weight:normal;margin-left:6px}.eph{color:#949ba4;font-size:12px}
.reply{color:#949ba4;font-size:13px;margin-bottom:2px}
.embed,.box{border-left:4px solid #4e5058;background:#2b2d31;border-radius:4px;padding:10px 14px;
margin-top:4px;max-width:620px}.title{font-weight:bold;color:#f2f3f5}.fields{display:flex;
flex-wrap:wrap;gap:6px 20px;margin-top:6px}.field b{display:block;font-size:13px;color:#f2f3f5}
.foot{font-size:12px;color:#949ba4;margin-top:6px}h2{font-size:20px;margin:0 0 4px}
.sub{font-size:12px;color:#949ba4}.gal{display:grid;grid-template-columns:repeat(2,1fr);gap:4px;
margin:8px 0}.gal.one{grid-template-columns:1fr}.gal img,.att img{width:100%;border-radius:6px}
.att{display:grid;grid-template-columns:repeat(2,210px);gap:4px;margin-top:4px}
.att.one{grid-template-columns:420px}.row{display:flex;gap:8px;margin-top:8px;flex-wrap:wrap}
.btn{padding:5px 14px;border-radius:4px;color:#fff;font-size:14px;background:#4e5058}
.s1{background:#5865f2}.s3{background:#248046}.s4{background:#da373c}a{color:#00a8fc}
.mention{background:#3c4270;color:#c9cdfb;border-radius:3px;padding:0 2px}
"""


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r'<a href="\2">\1</a>', text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"&lt;@!?(\d+)&gt;", r'<span class="mention">@user</span>', text)
    text = re.sub(r"&lt;t:(\d+):\w&gt;", r'<span class="mention">today</span>', text)
    return text


def _markdown(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("## "):
            lines.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("-# "):
            lines.append(f'<div class="sub">{_inline(line[3:])}</div>')
        else:
            lines.append(f"<div>{_inline(line) or '&nbsp;'}</div>")
    return "".join(lines)


class _Page:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    def image(self, url: str) -> str:
        """An attachment's bytes inline (the page must not need the emulator running)."""
        match = re.search(r"/attachments/\d+/(\d+)/", url)
        stored = self.emu.state.attachments.get(int(match.group(1))) if match else None
        if stored is None:
            return ""
        kind = stored.content_type or "image/png"
        data = base64.b64encode(stored.data).decode()
        return f'<img src="data:{kind};base64,{data}">'

    def component(self, item: dict[str, Any]) -> str:
        kind = item.get("type")
        if kind == 17:
            colour = item.get("accent_color")
            border = f' style="border-left-color:#{colour:06x}"' if colour is not None else ""
            inner = "".join(self.component(c) for c in item.get("components", []))
            return f'<div class="box"{border}>{inner}</div>'
        if kind == 10:
            return _markdown(item.get("content", ""))
        if kind == 12:
            items = item.get("items", [])
            pictures = "".join(self.image(i["media"]["url"]) for i in items)
            return f'<div class="gal{" one" if len(items) == 1 else ""}">{pictures}</div>'
        if kind == 1:
            return (
                '<div class="row">' + "".join(self.button(c) for c in item["components"]) + "</div>"
            )
        if kind == 14:
            return "<hr>"
        if kind == 9:
            inner = "".join(self.component(c) for c in item.get("components", []))
            return inner + self.component(item.get("accessory") or {})
        return ""

    @staticmethod
    def button(item: dict[str, Any]) -> str:
        label = html.escape(item.get("label", ""))
        return f'<span class="btn s{item.get("style", 2)}">{label}</span>'

    def embed(self, embed: dict[str, Any], attachments: dict[str, str]) -> str:
        colour = embed.get("color")
        border = f' style="border-left-color:#{colour:06x}"' if colour is not None else ""
        parts = [f'<div class="title">{_inline(embed.get("title", ""))}</div>']
        if embed.get("description"):
            parts.append(_markdown(embed["description"]))
        fields = "".join(
            f'<div class="field"><b>{_inline(f["name"])}</b>{_inline(f["value"])}</div>'
            for f in embed.get("fields", [])
        )
        parts.append(f'<div class="fields">{fields}</div>')
        image = (embed.get("image") or {}).get("url", "")
        if image.startswith("attachment://") and image[13:] in attachments:
            parts.append(f'<div class="att one">{self.image(attachments[image[13:]])}</div>')
        if embed.get("footer"):
            parts.append(f'<div class="foot">{_inline(embed["footer"]["text"])}</div>')
        return f'<div class="embed"{border}>{"".join(parts)}</div>'

    def message(self, message: dict[str, Any]) -> str:
        body = []
        if message.get("message_reference"):
            body.append('<div class="reply">↱ replying to a message</div>')
        author = html.escape(message["author"]["username"])
        flag = ' <span class="eph">· only you can see this</span>' if message["flags"] & 64 else ""
        body.append(f'<div class="who">{author}<small>Today</small>{flag}</div>')
        if message.get("content"):
            body.append(_markdown(message["content"]))
        files = {a["filename"]: a["url"] for a in message.get("attachments", [])}
        used = {(e.get("image") or {}).get("url", "")[13:] for e in message.get("embeds", [])}
        body += [self.embed(embed, files) for embed in message.get("embeds", [])]
        if not message["flags"] & (1 << 15):  # a V2 message shows files only through components
            shown = [
                self.image(url) for name, url in files.items()
                if name not in used and name.lower().endswith((".png", ".jpg", ".jpeg"))
            ]  # fmt: skip
            if shown:
                one = " one" if len(shown) == 1 else ""
                body.append(f'<div class="att{one}">{"".join(shown)}</div>')
        body += [self.component(c) for c in message.get("components", [])]
        return f'<div class="msg"><div class="av"></div><div>{"".join(body)}</div></div>'


def page(emu: DiscordEmulator, messages: list[dict[str, Any]]) -> str:
    rendered = "".join(_Page(emu).message(m) for m in messages)
    return f"<!doctype html><meta charset=utf-8><style>{STYLE}</style>{rendered}"
