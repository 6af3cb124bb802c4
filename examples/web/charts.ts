// The page's two small charts, drawn on canvases (no chart library to ship).

/** Ten bars, one per class, the highest in a stronger colour. */
export function drawBars(canvas: HTMLCanvasElement, probs: ArrayLike<number> | null): void {
  const c = canvas.getContext('2d')!;
  const { width, height } = canvas;
  c.clearRect(0, 0, width, height);
  const slot = width / 10;
  const top = probs ? Array.from(probs).indexOf(Math.max(...Array.from(probs))) : -1;
  c.font = '12px system-ui';
  c.textAlign = 'center';
  for (let k = 0; k < 10; k++) {
    const p = probs ? probs[k]! : 0;
    const h = p * (height - 34);
    c.fillStyle = k === top ? '#2a6df4' : '#9bb7ee';
    c.fillRect(k * slot + 4, height - 18 - h, slot - 8, h);
    c.fillStyle = '#333';
    c.fillText(String(k), k * slot + slot / 2, height - 4);
    if (probs) c.fillText(p >= 0.995 ? '1' : p.toFixed(2).slice(1), k * slot + slot / 2, height - 22 - h);
  }
}

/** Loss (left scale) and accuracy (0..1, right scale) per step. */
export function drawCurve(canvas: HTMLCanvasElement, losses: readonly number[], accuracies: readonly number[], totalSteps: number): void {
  const c = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = 28;
  c.clearRect(0, 0, width, height);
  c.strokeStyle = '#ccc';
  c.strokeRect(pad, 8, width - 2 * pad, height - pad - 8);
  const maxLoss = Math.max(2.5, ...losses);
  const x = (i: number) => pad + ((width - 2 * pad) * i) / Math.max(1, totalSteps - 1);
  const line = (values: readonly number[], max: number, colour: string) => {
    c.strokeStyle = colour;
    c.beginPath();
    values.forEach((v, i) => (i === 0 ? c.moveTo(x(i), y(v / max)) : c.lineTo(x(i), y(v / max))));
    c.stroke();
  };
  const y = (f: number) => height - pad - f * (height - pad - 8);
  line(losses, maxLoss, '#d9480f');
  line(accuracies, 1, '#2b8a3e');
  c.font = '12px system-ui';
  c.fillStyle = '#d9480f';
  c.fillText(`loss (max ${maxLoss.toFixed(1)})`, pad + 4, height - 8);
  c.fillStyle = '#2b8a3e';
  c.fillText('batch accuracy (0–1)', width / 2, height - 8);
}
