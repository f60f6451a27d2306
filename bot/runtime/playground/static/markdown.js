// Discord's markdown, drawn as DOM nodes (never innerHTML: a message cannot inject markup).
// Blocks: # ## ### headings, -# subtext, > quotes, - lists, ``` code. Inline: **bold**,
// *italic*, __underline__, ~~strike~~, `code`, [masked](links), bare links, <@user>,
// <#channel>, <@&role>, <t:unix:style> timestamps.

const INLINE = new RegExp(
  [
    "\\*\\*(?<bold>.+?)\\*\\*",
    "__(?<under>.+?)__",
    "~~(?<strike>.+?)~~",
    "\\*(?<em>[^*\\s](?:.*?[^*\\s])?)\\*",
    "(?<![\\w])_(?<em2>[^_\\s](?:.*?[^_\\s])?)_(?![\\w])",
    "`(?<code>[^`]+)`",
    "\\[(?<label>[^\\]]+)\\]\\((?<href><?https?://[^)\\s]+>?)\\)",
    "<(?<bare2>https?://[^>\\s]+)>",
    "(?<bare>https?://[^\\s<)]+)",
    "<@!?(?<user>\\d+)>",
    "<#(?<channel>\\d+)>",
    "<@&(?<role>\\d+)>",
    "<t:(?<unix>-?\\d+)(?::(?<style>[tTdDfFR]))?>",
  ].join("|"),
  "g",
);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function link(href, label, ctx) {
  const a = el("a", "", label);
  a.href = href;
  if (ctx && ctx.onLink && ctx.onLink(a, href)) return a;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

function stamp(unix, style) {
  const date = new Date(Number(unix) * 1000);
  let text;
  if (style === "R") {
    const seconds = Math.round((date - Date.now()) / 1000);
    const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
    const abs = Math.abs(seconds);
    if (abs < 60) text = rtf.format(seconds, "second");
    else if (abs < 3600) text = rtf.format(Math.round(seconds / 60), "minute");
    else if (abs < 86400) text = rtf.format(Math.round(seconds / 3600), "hour");
    else text = rtf.format(Math.round(seconds / 86400), "day");
  } else if (style === "t") text = date.toLocaleTimeString([], { timeStyle: "short" });
  else if (style === "T") text = date.toLocaleTimeString();
  else if (style === "d") text = date.toLocaleDateString();
  else if (style === "D") text = date.toLocaleDateString([], { dateStyle: "long" });
  else if (style === "F") text = date.toLocaleString([], { dateStyle: "full", timeStyle: "short" });
  else text = date.toLocaleString([], { dateStyle: "long", timeStyle: "short" });
  const span = el("span", "stamp", text);
  span.title = date.toLocaleString();
  return span;
}

export function inline(text, ctx = {}) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) out.append(text.slice(last, match.index));
    last = match.index + match[0].length;
    const g = match.groups;
    if (g.bold !== undefined) out.append(wrap("strong", g.bold, ctx));
    else if (g.under !== undefined) out.append(wrap("u", g.under, ctx));
    else if (g.strike !== undefined) out.append(wrap("s", g.strike, ctx));
    else if (g.em !== undefined) out.append(wrap("em", g.em, ctx));
    else if (g.em2 !== undefined) out.append(wrap("em", g.em2, ctx));
    else if (g.code !== undefined) out.append(el("code", "", g.code));
    else if (g.label !== undefined) {
      const a = link(g.href.replace(/^<|>$/g, ""), "", ctx);
      a.append(inline(g.label, ctx));
      out.append(a);
    } else if (g.bare2 !== undefined) out.append(link(g.bare2, g.bare2, ctx));
    else if (g.bare !== undefined) out.append(link(g.bare, g.bare, ctx));
    else if (g.user !== undefined) {
      out.append(el("span", "mention", "@" + ((ctx.users || {})[g.user] || "unknown-user")));
    } else if (g.channel !== undefined) {
      out.append(el("span", "mention", "#" + ((ctx.channels || {})[g.channel] || "unknown")));
    } else if (g.role !== undefined) {
      out.append(el("span", "mention", "@" + ((ctx.roles || {})[g.role] || "unknown-role")));
    } else if (g.unix !== undefined) out.append(stamp(g.unix, g.style));
  }
  if (last < text.length) out.append(text.slice(last));
  return out;
}

function wrap(tag, inner, ctx) {
  const node = el(tag);
  node.append(inline(inner, ctx));
  return node;
}

export function markdown(text, ctx = {}) {
  const root = el("div", "md");
  const lines = String(text || "").split("\n");
  let list = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line.startsWith("```")) {
      const code = [];
      for (i += 1; i < lines.length && !lines[i].startsWith("```"); i += 1) code.push(lines[i]);
      root.append(el("pre", "", code.join("\n")));
      list = null;
      continue;
    }
    const item = /^\s*[-*] (.*)$/.exec(line);
    if (item && !line.startsWith("-# ")) {
      if (!list) root.append((list = el("ul")));
      const li = el("li");
      li.append(inline(item[1], ctx));
      list.append(li);
      continue;
    }
    list = null;
    let node;
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (heading) node = el(`h${heading[1].length}`);
    else if (line.startsWith("-# ")) node = el("div", "sub");
    else if (line.startsWith("> ")) node = el("blockquote");
    else node = el("div");
    const body = heading ? heading[2] : line.replace(/^(-# |> )/, "");
    node.append(inline(body, ctx));
    if (!body) node.append("\u00a0");
    root.append(node);
  }
  return root;
}
