// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_), computed on the device:
// the norm is returned as a tensor so clipping never waits for the GPU.
import { keep, noGrad } from '../core/engine.js';
import { clamp, sqrt, sum } from '../core/ops/index.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';

/**
 * Scales every gradient by min(1, maxNorm / (norm + 1e-6)) where norm is the 2-norm of all
 * gradients together. Returns that norm (a 0-d tensor; read it only if you need it).
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be a positive number, got ${maxNorm}`);
  const withGrad = [...params].filter((p) => p.grad !== null);
  if (withGrad.length === 0) throw new Error('clipGradNorm: no parameter has a gradient (call backward() first)');
  return noGrad(() => {
    const norm = tidy(() => {
      let total: Tensor | null = null;
      for (const p of withGrad) {
        const s = sum(p.grad!.square());
        total = total ? total.add(s) : s;
      }
      return sqrt(total!);
    });
    const scale = tidy(() => clamp(norm.add(1e-6).reciprocal().mul(maxNorm), undefined, 1));
    for (const p of withGrad) {
      const scaled = keep(p.grad!.mul(scale));
      p.grad!.dispose();
      p.grad = scaled;
    }
    scale.dispose();
    return norm;
  });
}
