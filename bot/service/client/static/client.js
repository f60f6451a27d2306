// The client page: loads what its link shows (/data), then a before/after slider (drag it, or
// the arrow keys on its handle) over the design, and the family's designs to flip through.
// Everything comes from this server; the page's sentences come in data- attributes.

const $ = (id) => document.getElementById(id);
const base = location.pathname.replace(/\/+$/, "");
const compare = $("compare");
const handle = $("handle");
let items = [];
let index = 0;
let split = 50;

function setSplit(value) {
  split = Math.max(0, Math.min(100, value));
  compare.style.setProperty("--split", `${split}%`);
  handle.setAttribute("aria-valuenow", String(Math.round(split)));
}

function fromPointer(event) {
  const box = compare.getBoundingClientRect();
  setSplit(((event.clientX - box.left) / box.width) * 100);
}

function wireSlider() {
  let dragging = null;
  compare.addEventListener("pointerdown", (event) => {
    dragging = event.pointerId;
    compare.setPointerCapture(event.pointerId);
    fromPointer(event);
  });
  compare.addEventListener("pointermove", (event) => {
    if (event.pointerId === dragging) fromPointer(event);
  });
  const stop = (event) => {
    if (event.pointerId === dragging) dragging = null;
  };
  compare.addEventListener("pointerup", stop);
  compare.addEventListener("pointercancel", stop);
  handle.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -5, ArrowRight: 5, Home: -100, End: 100 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    setSplit(split + moves[event.key]);
  });
}

function show(next) {
  if (!items.length) return;
  index = (next + items.length) % items.length;
  const item = items[index];
  $("after").src = item.src;
  $("title").textContent = item.type;
  $("meta").textContent = [item.detail, item.date].filter(Boolean).join(" · ");
  $("counter").textContent = document.body.dataset.of
    .replace("{n}", String(index + 1))
    .replace("{total}", String(items.length));
  $("download").href = item.download;
  for (const [i, thumb] of [...$("thumbs").children].entries()) {
    thumb.setAttribute("aria-current", i === index ? "true" : "false");
  }
  const single = items.length < 2;
  $("prev").disabled = single;
  $("next").disabled = single;
}

function thumbs() {
  const strip = $("thumbs");
  strip.hidden = items.length < 2;
  items.forEach((item, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-label", `${item.type} · ${item.detail}`);
    const image = document.createElement("img");
    image.src = item.src;
    image.alt = "";
    image.loading = "lazy";
    button.append(image);
    button.addEventListener("click", () => show(i));
    strip.append(button);
  });
}

function loaded(image) {
  return image.complete && image.naturalWidth
    ? Promise.resolve()
    : new Promise((resolve) => image.addEventListener("load", resolve, { once: true }));
}

function fitTo(image) {
  if (image.naturalWidth && image.naturalHeight) {
    compare.style.setProperty("--ratio", String(image.naturalWidth / image.naturalHeight));
  }
}

async function start() {
  wireSlider();
  $("after").addEventListener("load", (event) => fitTo(event.target));
  $("prev").addEventListener("click", () => show(index - 1));
  $("next").addEventListener("click", () => show(index + 1));
  let data;
  try {
    const response = await fetch(`${base}/data`, { credentials: "omit" });
    data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
  } catch (error) {
    $("status").textContent = `${document.body.dataset.failed} ${error.message || ""}`.trim();
    return;
  }
  if (data.line) {
    $("line").textContent = data.line;
    $("line").hidden = false;
  }
  items = data.items;
  if (data.photo) {
    $("before").src = data.photo.src;
    $("download-photo").href = data.photo.download;
  } else {
    $("before-wrap").hidden = true;
    $("download-photo").hidden = true;
  }
  thumbs();
  show(data.current || 0);
  setSplit(50);
  await Promise.all([loaded($("after")), data.photo ? loaded($("before")) : null]);
  document.body.classList.add("ready");
}

start();
