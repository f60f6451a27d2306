// The mask studio: paint the area to change over the photo, then send the mask (a PNG) once.
// Input, view (zoom, pan, pinch), loading and sending; the mask itself is a MaskLayer, the
// regions "Select area" picks from are Regions. The server decides the mask's real size.
import { MaskLayer } from "./mask-layer.js";
import { Regions, toggle } from "./regions.js";

{
  const $ = (id) => document.getElementById(id);
  const base = location.pathname.replace(/\/+$/, "");
  const TINT = [255, 45, 120];
  const MAX_SIDE = 1600; // working resolution: enough to paint, small enough for undo on phones
  // the server wrote the page in the reader's language; these sentences are its too
  const text = document.body.dataset;

  const viewport = $("viewport"), stage = $("stage"), photo = $("photo");
  const overlay = $("overlay"), guide = $("guide"), cursor = $("cursor");
  const mask = new MaskLayer(overlay, TINT);
  const regions = new Regions();
  const TAP_SLOP = 10; // screen pixels a finger may slide and still tap a region
  const gctx = guide.getContext("2d");

  let tool = "brush", w = 0, h = 0;
  let view = { s: 1, x: 0, y: 0 };
  const pointers = new Map(); // pointerId -> {x, y}
  let stroke = null; // {last, points, moved, start}
  let pinch = null; // {dist, mid, view}
  let polygon = []; // tapped lasso corners, in mask pixels
  let spaceDown = false, busy = false;
  let fitted = true; // the user has not zoomed or moved: a resize may fit the photo again

  // -- view --------------------------------------------------------------------------------
  function apply(byUser = true) {
    if (byUser) fitted = false;
    stage.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.s})`;
  }
  function fit() {
    const r = viewport.getBoundingClientRect();
    const s = Math.min(r.width / w, r.height / h) * 0.96;
    view = { s, x: (r.width - w * s) / 2, y: (r.height - h * s) / 2 };
    apply(false);
    fitted = true;
  }
  function zoomAt(factor, cx, cy) {
    const s = Math.min(Math.max(view.s * factor, 0.05), 16);
    view.x = cx - ((cx - view.x) * s) / view.s;
    view.y = cy - ((cy - view.y) * s) / view.s;
    view.s = s;
    apply();
  }
  function local(e) {
    const r = viewport.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }
  function toMask(p) {
    return { x: (p.x - view.x) / view.s, y: (p.y - view.y) / view.s };
  }
  function brushPx() {
    return Number($("size").value) / view.s;
  }

  function buttons() {
    $("undo").disabled = !mask.undos.length;
    $("redo").disabled = !mask.redos.length;
  }
  mask.onchange = buttons;

  // -- drawing -----------------------------------------------------------------------------
  function brushTo(p) {
    mask.line(stroke.last, p, brushPx(), tool === "eraser");
    stroke.last = p;
  }
  function drawGuide(points, closing) {
    gctx.clearRect(0, 0, w, h);
    if (!points.length) return;
    gctx.lineWidth = 2 / view.s;
    gctx.strokeStyle = "#fff";
    gctx.setLineDash([6 / view.s, 4 / view.s]);
    gctx.beginPath();
    points.forEach((p, i) => (i ? gctx.lineTo(p.x, p.y) : gctx.moveTo(p.x, p.y)));
    if (closing) gctx.closePath();
    gctx.stroke();
    gctx.fillStyle = "#fff";
    for (const p of points) gctx.fillRect(p.x - 3 / view.s, p.y - 3 / view.s, 6 / view.s, 6 / view.s);
  }
  function selectAt(p) {
    if (!regions.ready || p.x < 0 || p.y < 0 || p.x >= w || p.y >= h) return;
    const area = regions.at(p, w, h);
    mask.remember();
    mask.paint(toggle(mask.alpha(), area));
  }
  function tapCorner(p) {
    const near = polygon.length > 2 && Math.hypot(p.x - polygon[0].x, p.y - polygon[0].y) < 14 / view.s;
    if (near) {
      mask.fill(polygon);
      polygon = [];
    } else {
      polygon.push(p);
    }
    drawGuide(polygon, false);
  }

  // -- pointer input (mouse, pen and touch alike) ------------------------------------------
  function panning() {
    return tool === "pan" || spaceDown;
  }
  function down(e) {
    if (busy || !w) return;
    viewport.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, local(e));
    if (pointers.size === 2) {
      // a second finger: this is a pinch, not a stroke; undo what the first finger painted
      if (stroke && stroke.painted) mask.forget();
      stroke = null;
      const [a, b] = [...pointers.values()];
      pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), mid: mid(a, b), view: { ...view } };
      drawGuide(polygon, false);
      return;
    }
    if (pointers.size > 2) return;
    const p = local(e);
    stroke = { start: p, screen: p, last: toMask(p), points: [toMask(p)], moved: false, painted: false };
    if (!panning() && (tool === "brush" || tool === "eraser")) {
      mask.remember();
      stroke.painted = true;
      brushTo(stroke.last);
    }
  }
  function mid(a, b) {
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }
  function move(e) {
    const p = local(e);
    showCursor(p, e.pointerType);
    if (!pointers.has(e.pointerId)) return;
    pointers.set(e.pointerId, p);
    if (pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const m = mid(a, b);
      const s = Math.min(Math.max(pinch.view.s * (Math.hypot(a.x - b.x, a.y - b.y) / pinch.dist), 0.05), 16);
      view = {
        s,
        x: m.x - ((pinch.mid.x - pinch.view.x) * s) / pinch.view.s,
        y: m.y - ((pinch.mid.y - pinch.view.y) * s) / pinch.view.s,
      };
      apply();
      return;
    }
    if (!stroke) return;
    const slid = Math.hypot(p.x - stroke.start.x, p.y - stroke.start.y);
    if (slid > 4) stroke.moved = true;
    if (slid > TAP_SLOP) stroke.slid = true;
    if (panning()) {
      view.x += p.x - stroke.screen.x;
      view.y += p.y - stroke.screen.y;
      stroke.screen = p;
      apply();
    } else if (tool === "lasso") {
      stroke.points.push(toMask(p));
      if (stroke.moved) drawGuide(stroke.points, true);
    } else if (stroke.painted) {
      brushTo(toMask(p));
    }
  }
  function up(e) {
    if (!pointers.delete(e.pointerId)) return;
    if (pinch) {
      if (!pointers.size) pinch = null;
      return;
    }
    if (stroke && tool === "lasso" && !panning()) {
      if (stroke.moved) {
        mask.fill(stroke.points);
        drawGuide(polygon, false);
      } else {
        tapCorner(stroke.points[0]);
      }
    }
    if (stroke && tool === "select" && !panning() && !stroke.slid) selectAt(stroke.points[0]);
    stroke = null;
  }
  function showCursor(p, kind) {
    const show = kind === "mouse" && (tool === "brush" || tool === "eraser") && !spaceDown;
    cursor.hidden = !show;
    if (!show) return;
    const d = Number($("size").value);
    cursor.style.width = cursor.style.height = `${d}px`;
    cursor.style.transform = `translate(${p.x - d / 2}px, ${p.y - d / 2}px)`;
  }

  // -- the controls ------------------------------------------------------------------------
  function choose(name) {
    if (name === "select" && !regions.ready) return;
    tool = name;
    for (const b of document.querySelectorAll("[data-tool]")) {
      b.setAttribute("aria-pressed", String(b.dataset.tool === name));
    }
    viewport.dataset.tool = name;
    if (name !== "lasso") {
      polygon = [];
      drawGuide(polygon, false);
    }
  }
  function wire() {
    viewport.addEventListener("pointerdown", down);
    viewport.addEventListener("pointermove", move);
    viewport.addEventListener("pointerup", up);
    viewport.addEventListener("pointercancel", up);
    viewport.addEventListener("pointerleave", () => (cursor.hidden = true));
    viewport.addEventListener("wheel", (e) => {
      e.preventDefault();
      const p = local(e);
      zoomAt(Math.exp(-e.deltaY * 0.0015), p.x, p.y);
    }, { passive: false });
    for (const b of document.querySelectorAll("[data-tool]")) {
      b.addEventListener("click", () => choose(b.dataset.tool));
    }
    $("undo").addEventListener("click", () => mask.undo());
    $("redo").addEventListener("click", () => mask.redo());
    $("clear").addEventListener("click", () => mask.clear());
    $("invert").addEventListener("click", () => mask.invert());
    $("opacity").addEventListener("input", () => {
      overlay.style.opacity = String(Number($("opacity").value) / 100);
    });
    const centre = () => {
      const r = viewport.getBoundingClientRect();
      return [r.width / 2, r.height / 2];
    };
    $("zoom-in").addEventListener("click", () => zoomAt(1.25, ...centre()));
    $("zoom-out").addEventListener("click", () => zoomAt(0.8, ...centre()));
    $("fit").addEventListener("click", fit);
    $("generate").addEventListener("click", generate);
    // phones resize the page when their address bar moves: keep the user's zoom then
    window.addEventListener("resize", () => fitted && fit());
    window.addEventListener("keydown", (e) => {
      if (e.target instanceof HTMLSelectElement) return;
      const key = e.key.toLowerCase();
      // Space on a focused button or slider is theirs (activate it), not a pan
      if (key === " " && e.target.closest && e.target.closest("button, input")) return;
      if ((e.ctrlKey || e.metaKey) && key === "z") e.shiftKey ? mask.redo() : mask.undo();
      else if ((e.ctrlKey || e.metaKey) && key === "y") mask.redo();
      else if (key === " ") spaceDown = true;
      else if (key === "b") choose("brush");
      else if (key === "e") choose("eraser");
      else if (key === "l") choose("lasso");
      else if (key === "s") choose("select");
      else if (key === "escape") { polygon = []; drawGuide(polygon, false); }
      else if (key === "[" || key === "]") {
        const size = $("size");
        size.value = String(Number(size.value) * (key === "]" ? 1.2 : 1 / 1.2));
      } else return;
      e.preventDefault();
    });
    window.addEventListener("keyup", (e) => {
      if (e.key === " ") spaceDown = false;
    });
  }

  // -- loading and sending -----------------------------------------------------------------
  function say(text, bad) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("bad", Boolean(bad));
  }
  function loaded(img) {
    return new Promise((resolve, reject) => {
      img.addEventListener("load", () => resolve(img), { once: true });
      img.addEventListener("error", () => reject(new Error(text.unusable)), { once: true });
    });
  }
  async function start() {
    wire();
    const answer = await fetch(`${base}/session`, { cache: "no-store" });
    const session = await answer.json();
    if (!answer.ok) throw new Error(session.error || text.unusable);
    const select = $("type");
    for (const t of session.room_types) select.add(new Option(t.label, t.value, false, t.value === session.room_type));
    $("channel").href = session.channel_url;
    const scale = Math.min(1, MAX_SIDE / Math.max(session.width, session.height));
    w = Math.max(1, Math.round(session.width * scale));
    h = Math.max(1, Math.round(session.height * scale));
    mask.resize(w, h);
    guide.width = w;
    guide.height = h;
    for (const el of [stage, photo, overlay, guide]) { el.style.width = `${w}px`; el.style.height = `${h}px`; }
    overlay.style.opacity = String(Number($("opacity").value) / 100);
    photo.src = `${base}/photo`;
    const drawn = new Image();
    drawn.src = `${base}/mask`;
    await Promise.all([loaded(photo), loaded(drawn)]);
    mask.load(drawn);
    $("loading").hidden = true;
    document.body.classList.add("ready");
    fit();
    buttons();
    $("generate").disabled = false;
    // regions come after the photo: until then (or if they never come) the other tools work
    regions.load(`${base}/regions`).then(() => {
      document.querySelector("[data-tool=select]").disabled = false;
      document.body.classList.add("regions");
    }, () => {});
  }
  async function generate() {
    if (busy) return;
    busy = true;
    $("generate").disabled = true;
    say(text.sending);
    try {
      const body = await mask.toPng();
      const type = encodeURIComponent($("type").value);
      const answer = await fetch(`${base}/generate?type=${type}`, {
        method: "POST",
        headers: { "Content-Type": "image/png" },
        body,
      });
      const result = await answer.json();
      if (!answer.ok) {
        say(result.error || text.refused, true);
        // a used or expired link stays refused; anything else may be fixed and sent again
        busy = answer.status === 410 || answer.status === 403;
        $("generate").disabled = busy;
        return;
      }
      say("");
      $("done-text").textContent = result.message;
      if (result.link) {
        $("channel").href = result.link;
        $("channel").textContent = text.openCard;
      }
      $("done").hidden = false;
      document.body.classList.add("sent");
    } catch (err) {
      say(text.unreachable, true);
      busy = false;
      $("generate").disabled = false;
    }
  }

  start().catch((err) => {
    $("loading").textContent = err.message;
    $("loading").classList.add("bad");
  });
}
