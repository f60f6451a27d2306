// The mask being painted: the alpha channel of one canvas (tinted, shown over the photo), with
// its undo history kept as alpha-only snapshots (a quarter of the memory of full pixels).

const HISTORY = 25;

export class MaskLayer {
  constructor(canvas, tint) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.colour = `rgb(${tint.join(",")})`;
    this.tint = tint;
    this.undos = [];
    this.redos = [];
    this.onchange = () => {};
  }

  resize(w, h) {
    this.w = this.canvas.width = w;
    this.h = this.canvas.height = h;
  }

  alpha() {
    const data = this.ctx.getImageData(0, 0, this.w, this.h).data;
    const a = new Uint8Array(this.w * this.h);
    for (let i = 0; i < a.length; i++) a[i] = data[i * 4 + 3];
    return a;
  }

  paint(a) {
    const img = this.ctx.createImageData(this.w, this.h);
    const [r, g, b] = this.tint;
    for (let i = 0; i < a.length; i++) {
      img.data[i * 4] = r;
      img.data[i * 4 + 1] = g;
      img.data[i * 4 + 2] = b;
      img.data[i * 4 + 3] = a[i];
    }
    this.ctx.putImageData(img, 0, 0);
  }

  // -- history -------------------------------------------------------------------------------
  remember() {
    this.undos.push(this.alpha());
    if (this.undos.length > HISTORY) this.undos.shift();
    this.redos.length = 0;
    this.onchange();
  }
  undo() {
    this.#step(this.undos, this.redos);
  }
  redo() {
    this.#step(this.redos, this.undos);
  }
  forget() {
    // the last change was a mistake (a pinch began as a stroke): back, with no redo
    this.#step(this.undos, []);
  }
  #step(from, to) {
    if (!from.length) return;
    to.push(this.alpha());
    this.paint(from.pop());
    this.onchange();
  }

  // -- painting (points in mask pixels) ------------------------------------------------------
  line(from, to, width, erase) {
    const c = this.ctx;
    c.globalCompositeOperation = erase ? "destination-out" : "source-over";
    c.strokeStyle = this.colour;
    c.lineWidth = width;
    c.lineCap = c.lineJoin = "round";
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x + 0.01, to.y); // a zero-length line would draw no dot
    c.stroke();
    c.globalCompositeOperation = "source-over";
  }
  fill(points) {
    if (points.length < 3) return;
    this.remember();
    const c = this.ctx;
    c.fillStyle = this.colour;
    c.beginPath();
    points.forEach((p, i) => (i ? c.lineTo(p.x, p.y) : c.moveTo(p.x, p.y)));
    c.closePath();
    c.fill();
  }
  clear() {
    this.remember();
    this.ctx.clearRect(0, 0, this.w, this.h);
  }
  invert() {
    this.remember();
    this.ctx.globalCompositeOperation = "xor"; // opaque over nothing, nothing over opaque
    this.ctx.fillStyle = this.colour;
    this.ctx.fillRect(0, 0, this.w, this.h);
    this.ctx.globalCompositeOperation = "source-over";
  }

  // -- in and out: black-and-white PNGs ------------------------------------------------------
  load(image) {
    const tmp = document.createElement("canvas");
    tmp.width = this.w;
    tmp.height = this.h;
    const t = tmp.getContext("2d", { willReadFrequently: true });
    t.imageSmoothingEnabled = false;
    t.drawImage(image, 0, 0, this.w, this.h);
    const grey = t.getImageData(0, 0, this.w, this.h).data;
    const a = new Uint8Array(this.w * this.h);
    for (let i = 0; i < a.length; i++) a[i] = grey[i * 4] >= 128 ? 255 : 0;
    this.paint(a);
  }
  toPng() {
    const a = this.alpha();
    const out = document.createElement("canvas");
    out.width = this.w;
    out.height = this.h;
    const o = out.getContext("2d");
    const img = o.createImageData(this.w, this.h);
    for (let i = 0; i < a.length; i++) {
      const v = a[i] >= 128 ? 255 : 0;
      img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    o.putImageData(img, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }
}
