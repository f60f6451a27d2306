// One message as Discord's client shows it: who and when, what it answers, its content, embeds,
// attachments and components, "(edited)", "is thinking…" while deferred, and "Only you can see
// this" on an ephemeral reply. Everything drawn comes from the message the emulator rendered.
import { component } from "./components.js";
import { inline, markdown } from "./markdown.js";

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
const COMPONENTS_V2 = 1 << 15;
const COLOURS = ["#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#747f8d"];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function avatar(user) {
  const name = user.global_name || user.username || "?";
  const node = el("div", "avatar", name.slice(0, 1).toUpperCase());
  node.style.background = COLOURS[Number(BigInt(user.id) % 6n)];
  node.setAttribute("aria-hidden", "true");
  return node;
}

function time(iso) {
  const date = new Date(iso);
  const node = el("time", "time", date.toLocaleTimeString([], { timeStyle: "short" }));
  node.dateTime = iso;
  node.title = date.toLocaleString();
  return node;
}

function colour(value) {
  return `#${Number(value).toString(16).padStart(6, "0")}`;
}

function resolve(url, files) {
  // Discord gives an embed's attachment://name as the file's CDN URL; so does the page
  if (url && url.startsWith("attachment://")) {
    const found = files[url.slice("attachment://".length)];
    return found ? found.url : "";
  }
  return url || "";
}

function embed(data, files, ctx) {
  const box = el("div", "embed");
  if (data.color !== undefined && data.color !== null) {
    box.style.borderLeftColor = colour(data.color);
  }
  if (data.thumbnail && data.thumbnail.url) {
    const thumb = el("img", "embed-thumb");
    thumb.src = resolve(data.thumbnail.url, files);
    thumb.alt = "";
    box.append(thumb);
  }
  if (data.author && data.author.name) box.append(el("div", "embed-author", data.author.name));
  if (data.title) {
    const title = el("div", "embed-title");
    if (data.url) {
      const a = el("a", "", "");
      a.href = data.url;
      a.append(inline(data.title, ctx.md));
      if (!(ctx.md.onLink && ctx.md.onLink(a, data.url))) {
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      }
      title.append(a);
    } else title.append(inline(data.title, ctx.md));
    box.append(title);
  }
  if (data.description) box.append(markdown(data.description, ctx.md));
  if (data.fields && data.fields.length) {
    const fields = el("div", "embed-fields");
    for (const field of data.fields) {
      const node = el("div", `embed-field${field.inline ? " inline" : ""}`);
      const name = el("div", "name");
      name.append(inline(field.name, ctx.md));
      const value = el("div", "value");
      value.append(markdown(field.value, ctx.md));
      node.append(name, value);
      fields.append(node);
    }
    box.append(fields);
  }
  if (data.image && data.image.url) {
    const img = el("img");
    img.src = resolve(data.image.url, files);
    img.alt = "";
    box.append(img);
  }
  const footer = [data.footer && data.footer.text, data.timestamp && new Date(data.timestamp)
    .toLocaleString([], { dateStyle: "short", timeStyle: "short" })].filter(Boolean);
  if (footer.length) box.append(el("div", "embed-footer", footer.join(" • ")));
  return box;
}

function attachments(message, used) {
  const box = el("div", "attachments");
  for (const file of message.attachments || []) {
    if (used.has(file.filename)) continue;
    if ((file.content_type || "").startsWith("image/")) {
      const a = el("a");
      a.href = file.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      const img = el("img");
      img.src = file.url;
      img.alt = file.description || file.filename;
      a.append(img);
      box.append(a);
    } else {
      const item = el("div", "file");
      const a = el("a", "", file.filename);
      a.href = file.url;
      a.target = "_blank";
      item.append(a);
      box.append(item);
    }
  }
  return box.childElementCount ? box : null;
}

function context(message, ctx) {
  const meta = message.interaction_metadata;
  if (message.type === 20 && meta) {
    const line = el("div", "context");
    const who = el("b", "", ctx.world.name(meta.user.id, meta.user));
    line.append("↳ ", who, ` used /${meta.name}`);
    return line;
  }
  if (message.type === 19 && message.message_reference) {
    const line = el("div", "context");
    const target = message.referenced_message;
    const snippet = target ? target.author.global_name || target.author.username : "a message";
    const a = el("a", "", `replying to ${snippet}`);
    a.href = "#";
    a.addEventListener("click", (event) => {
      event.preventDefault();
      ctx.jump(message.message_reference.channel_id, message.message_reference.message_id);
    });
    line.append("↳ ", a);
    return line;
  }
  return null;
}

export function messageNode(message, ctx) {
  const item = el("li", "msg");
  item.id = `message-${message.id}`;
  item.dataset.id = message.id;
  const ephemeral = Boolean(message.flags & EPHEMERAL);
  if (ephemeral) item.classList.add("is-ephemeral");
  const line = context(message, ctx);
  if (line) item.append(line);
  item.append(avatar(message.author));
  const body = el("div", "body");
  const head = el("div", "head");
  head.append(el("span", "author", ctx.world.name(message.author.id, message.author)));
  if (message.author.bot) head.append(el("span", "tag", "APP"));
  head.append(time(message.timestamp));
  body.append(head);
  const files = Object.fromEntries((message.attachments || []).map((a) => [a.filename, a]));
  if (message.flags & LOADING) {
    body.append(el("div", "thinking", `${ctx.world.name(message.author.id, message.author)} is thinking`));
  }
  if (message.content) {
    const content = markdown(message.content, ctx.md);
    content.classList.add("content");
    body.append(content);
  }
  if (message.edited_timestamp && !(message.flags & LOADING)) {
    body.append(el("span", "edited", "(edited)"));
  }
  const used = new Set();
  for (const data of message.embeds || []) {
    for (const key of ["image", "thumbnail"]) {
      const url = (data[key] || {}).url || "";
      if (url.startsWith("attachment://")) used.add(url.slice("attachment://".length));
    }
    body.append(embed(data, files, ctx));
  }
  if (!(message.flags & COMPONENTS_V2)) {
    // a Components V2 message shows its files only through its components
    const shown = attachments(message, used);
    if (shown) body.append(shown);
  }
  const act = (node, what) => ctx.act(message, node, what);
  for (const child of message.components || []) {
    body.append(component(child, { act, world: ctx.world, md: ctx.md }));
  }
  if (ephemeral) {
    const note = el("div", "ephemeral");
    note.append("Only you can see this · ");
    const dismiss = el("button", "", "Dismiss message");
    dismiss.type = "button";
    dismiss.addEventListener("click", () => ctx.dismiss(message));
    note.append(dismiss);
    body.append(note);
  }
  item.append(body);
  return item;
}

export function noticeNode(text, detail) {
  const item = el("li", "msg");
  const box = el("div", "notice", text);
  box.setAttribute("role", "alert");
  if (detail) box.append(el("pre", "", detail));
  item.append(el("div"), box);
  return item;
}
