// The drawing pad: white strokes on black (MNIST's polarity) from pointer events, which cover
// mouse, pen and touch alike (the canvas' touch-action: none keeps touch from scrolling).
export class Pad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;

  constructor(readonly canvas: HTMLCanvasElement, private readonly onChange: () => void) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.blank();
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.at(e);
      this.stroke(this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.last) this.stroke(this.at(e));
    });
    for (const end of ['pointerup', 'pointercancel'] as const) canvas.addEventListener(end, () => { this.last = null; });
  }

  clear(): void {
    this.blank();
    this.onChange();
  }

  private blank(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Ink per pixel in [0, 1] (the red channel: strokes are white). */
  ink(): Float32Array {
    const { data, width, height } = this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = data[i * 4]! / 255;
    return out;
  }

  private at(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * this.canvas.width) / r.width, y: ((e.clientY - r.top) * this.canvas.height) / r.height };
  }

  private stroke(to: { x: number; y: number }): void {
    const from = this.last ?? to;
    const c = this.ctx;
    // A pen about as thick, relative to the pad, as MNIST's strokes are to their 20-pixel box.
    c.strokeStyle = '#fff';
    c.lineWidth = this.canvas.width / 12;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    this.last = to;
    this.onChange();
  }
}
