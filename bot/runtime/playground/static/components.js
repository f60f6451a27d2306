// Message components as Discord's client draws them: action rows, buttons (real <button>s
// with the bot's labels), select menus, and Components V2 layouts (container, section, text
// display, thumbnail, media gallery, file, separator). What a user does goes to `ctx.act`.
import { markdown } from "./markdown.js";

const STYLES = { 1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function emoji(item) {
  if (!item.emoji) return null;
  const span = el("span", "emoji", item.emoji.id ? `:${item.emoji.name}:` : item.emoji.name);
  span.setAttribute("aria-hidden", "true");
  return span;
}

function image(url, alt) {
  const img = el("img");
  img.src = url;
  img.alt = alt || "";
  img.loading = "lazy";
  return img;
}

function button(item, ctx) {
  const node = el("button", `btn ${STYLES[item.style] || "secondary"}`);
  node.type = "button";
  const icon = emoji(item);
  if (icon) node.append(icon);
  if (item.label) node.append(item.label);
  node.disabled = Boolean(item.disabled);
  if (item.style === 5) {
    // a link sends no interaction: it opens its page in a new tab
    node.title = item.url;
    node.addEventListener("click", () => window.open(item.url, "_blank", "noopener"));
  } else if (item.style !== 6) {
    node.addEventListener("click", () => ctx.act(node, { custom_id: item.custom_id }));
  }
  return node;
}

function choices(item, ctx) {
  if (item.type === 3) return (item.options || []).map((o) => [o.value, o.label, o.default]);
  if (item.type === 5) return ctx.world.people().map((m) => [m.id, m.name]);
  if (item.type === 6) return ctx.world.roles().map((r) => [r.id, r.name]);
  if (item.type === 7) {
    return [...ctx.world.people(), ...ctx.world.roles()].map((x) => [x.id, x.name]);
  }
  return ctx.world.channels().map((c) => [c.id, "#" + c.name]);
}

function select(item, ctx) {
  const wrap = el("div", "menu");
  const node = el("select");
  const multiple = (item.max_values || 1) > 1;
  node.multiple = multiple;
  node.disabled = Boolean(item.disabled);
  node.setAttribute("aria-label", item.placeholder || "Make a selection");
  if (!multiple) {
    const none = el("option", "", item.placeholder || "Make a selection");
    none.value = "";
    none.disabled = true;
    node.append(none);
  }
  let chosen = false;
  for (const [value, label, isDefault] of choices(item, ctx)) {
    const option = el("option", "", label);
    option.value = value;
    option.selected = Boolean(isDefault);
    chosen = chosen || Boolean(isDefault);
    node.append(option);
  }
  if (!multiple && !chosen) node.value = "";
  const send = () => {
    const values = [...node.selectedOptions].map((o) => o.value).filter((v) => v !== "");
    ctx.act(node, { custom_id: item.custom_id, values });
  };
  wrap.append(node);
  if (multiple) {
    const apply = el("button", "btn primary", "Choose");
    apply.type = "button";
    apply.addEventListener("click", send);
    wrap.append(apply);
  } else node.addEventListener("change", send);
  return wrap;
}

function gallery(item) {
  const items = item.items || [];
  const node = el("div", `gallery n${Math.min(items.length, 4)}`);
  for (const entry of items) {
    const media = entry.media || {};
    const a = el("a");
    a.href = media.url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.append(image(media.url, entry.description || ""));
    node.append(a);
  }
  return node;
}

function file(item) {
  const media = item.file || {};
  const box = el("div", "file");
  const name = decodeURIComponent(String(media.url || "").split("?")[0].split("/").pop());
  const a = el("a", "", name || "file");
  a.href = media.url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  box.append(a);
  return box;
}

export function component(item, ctx) {
  switch (item.type) {
    case 1: {
      const row = el("div", "row");
      for (const child of item.components || []) row.append(component(child, ctx));
      return row;
    }
    case 2:
      return button(item, ctx);
    case 3: case 5: case 6: case 7: case 8:
      return select(item, ctx);
    case 9: {
      const section = el("div", "section");
      const texts = el("div", "texts");
      for (const child of item.components || []) texts.append(component(child, ctx));
      section.append(texts);
      if (item.accessory) section.append(component(item.accessory, ctx));
      return section;
    }
    case 10:
      return markdown(item.content, ctx.md);
    case 11: {
      const thumb = el("div", "thumb");
      thumb.append(image((item.media || {}).url, item.description));
      return thumb;
    }
    case 12:
      return gallery(item);
    case 13:
      return file(item);
    case 14:
      return el("hr", `separator${item.divider === false ? "" : " line"}${
        item.spacing === 2 ? " large" : ""}`);
    case 17: {
      const box = el("div", "container");
      if (item.accent_color !== undefined && item.accent_color !== null) {
        box.style.borderLeft = `4px solid #${item.accent_color.toString(16).padStart(6, "0")}`;
      }
      for (const child of item.components || []) box.append(component(child, ctx));
      return box;
    }
    default:
      return el("div", "failed", `(a component of type ${item.type} this page cannot draw)`);
  }
}
