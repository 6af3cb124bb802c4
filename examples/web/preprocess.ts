// A drawing to the 28x28 input an MNIST model expects, the way the MNIST digits were made
// (LeCun et al.): the ink's bounding box is scaled, keeping its aspect ratio, to fit a 20x20
// box with anti-aliasing (box-filter averaging here), then placed in a 28x28 field so that its
// centre of mass sits at the centre. A model trained on MNIST has only seen digits framed like
// that; a raw canvas downscale (off-centre, thin strokes, varying size) is misread far more.

export const SIDE = 28;
const BOX = 20;

/**
 * ink: intensities in [0, 1], row-major width x height (0 = background). Returns 784 values
 * in [0, 1], or null when nothing is drawn.
 */
export function toMnist(ink: Float32Array, width: number, height: number): Float32Array | null {
  if (ink.length !== width * height) throw new Error(`toMnist: expected ${width}x${height} = ${width * height} values, got ${ink.length}`);
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return null;
  const w = right - left + 1, h = bottom - top + 1;
  const scale = BOX / Math.max(w, h);
  const outW = Math.max(1, Math.round(w * scale)), outH = Math.max(1, Math.round(h * scale));
  // Each output pixel averages the source pixels its footprint covers (exact box filter).
  const small = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = top + (oy * h) / outH, y1 = top + ((oy + 1) * h) / outH;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = left + (ox * w) / outW, x1 = left + ((ox + 1) * w) / outW;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const cy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const cx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += cx * cy * ink[y * width + x]!;
        }
      }
      small[oy * outW + ox] = sum / ((x1 - x0) * (y1 - y0));
    }
  }
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = small[y * outW + x]!;
      mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    }
  }
  // Integer shifts, as MNIST's own centring; clamped so the digit stays inside the field.
  const dx = Math.min(SIDE - outW, Math.max(0, Math.round(SIDE / 2 - mx / mass)));
  const dy = Math.min(SIDE - outH, Math.max(0, Math.round(SIDE / 2 - my / mass)));
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) out[(y + dy) * SIDE + x + dx] = Math.min(1, small[y * outW + x]!);
  }
  return out;
}
