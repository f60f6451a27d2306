// "Select area": the photo's regions (the lawn, a patio, a path), computed by the server and
// sent as a small grey PNG whose pixel values are region numbers. A tap gives the whole region
// under the finger as a mask at the painting's size, its edges smoothed from the map's
// coarser pixels (scaled with interpolation, then cut at half) instead of a staircase.

export class Regions {
  constructor() {
    this.labels = null; // Uint8Array, one region number per map pixel
    this.w = this.h = 0;
  }

  get ready() {
    return this.labels !== null;
  }

  async load(url) {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = this.w = img.naturalWidth;
    c.height = this.h = img.naturalHeight;
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, 0, 0);
    const grey = ctx.getImageData(0, 0, this.w, this.h).data;
    const labels = new Uint8Array(this.w * this.h);
    for (let i = 0; i < labels.length; i++) labels[i] = grey[i * 4];
    this.labels = labels;
  }

  // The region under point p (in painting pixels, the painting being w x h): 255 inside.
  at(p, w, h) {
    const x = Math.min(this.w - 1, Math.max(0, Math.floor((p.x * this.w) / w)));
    const y = Math.min(this.h - 1, Math.max(0, Math.floor((p.y * this.h) / h)));
    const id = this.labels[y * this.w + x];
    const small = document.createElement("canvas");
    small.width = this.w;
    small.height = this.h;
    const s = small.getContext("2d");
    const img = s.createImageData(this.w, this.h);
    for (let i = 0; i < this.labels.length; i++) if (this.labels[i] === id) img.data[i * 4 + 3] = 255;
    s.putImageData(img, 0, 0);
    const big = document.createElement("canvas");
    big.width = w;
    big.height = h;
    const b = big.getContext("2d", { willReadFrequently: true });
    b.imageSmoothingEnabled = true;
    b.imageSmoothingQuality = "high";
    b.drawImage(small, 0, 0, w, h);
    const alpha = b.getImageData(0, 0, w, h).data;
    const area = new Uint8Array(w * h);
    for (let i = 0; i < area.length; i++) area[i] = alpha[i * 4 + 3] >= 128 ? 255 : 0;
    return area;
  }
}

// Tapping a region toggles it: a region already (nearly) all in the mask comes out, any other
// is added whole (a region the suggestion half covered is completed, not removed).
export const SELECTED = 0.9;

export function toggle(current, area) {
  let inside = 0, covered = 0;
  for (let i = 0; i < area.length; i++) {
    if (!area[i]) continue;
    inside++;
    if (current[i] >= 128) covered++;
  }
  const value = inside && covered / inside >= SELECTED ? 0 : 255;
  for (let i = 0; i < area.length; i++) if (area[i]) current[i] = value;
  return current;
}
