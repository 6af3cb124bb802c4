// Scalar definitions of every elementwise op, in float64. The CPU reference kernels apply these
// in plain loops; they are the single statement of what each op means.
import type { BinaryOp, CompareOp, UnaryOp } from '../backend.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2 = 1 / Math.SQRT2;

/** erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit); Math has no erf. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** log(1 + e^x) without overflow for large x or underflow of the 1 for very negative x. */
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export function unaryForward(op: UnaryOp, x: number, param: number): number {
  switch (op) {
    case 'neg': return -x;
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sqrt': return Math.sqrt(x);
    case 'abs': return Math.abs(x);
    // x <= 0, not x > 0: NaN fails both, and PyTorch's relu keeps it.
    case 'relu': return x <= 0 ? 0 : x;
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'gelu': return 0.5 * x * (1 + erf(x * INV_SQRT_2));
    case 'geluTanh': return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    case 'leakyRelu': return x > 0 ? x : x * param;
    case 'sin': return Math.sin(x);
    case 'cos': return Math.cos(x);
    case 'reciprocal': return 1 / x;
    case 'square': return x * x;
    case 'sign': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'silu': return x * sigmoid(x);
    // param: PyTorch's threshold, above which softplus is x itself.
    case 'softplus': return x > param ? x : softplus(x);
    case 'elu': return x > 0 ? x : param * Math.expm1(x);
    case 'hardswish': return x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6;
    case 'mish': return x * Math.tanh(softplus(x));
    case 'logSigmoid': return -softplus(-x);
    case 'log1p': return Math.log1p(x);
    case 'expm1': return Math.expm1(x);
  }
}

/** d f(x) / dx. At kinks (relu, abs at 0) the subgradient 0 is used, as PyTorch does. */
export function unaryDerivative(op: UnaryOp, x: number, param: number): number {
  switch (op) {
    case 'neg': return -1;
    case 'exp': return Math.exp(x);
    case 'log': return 1 / x;
    case 'sqrt': return 0.5 / Math.sqrt(x);
    case 'abs': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'relu': return x > 0 ? 1 : 0;
    case 'sigmoid': { const s = sigmoid(x); return s * (1 - s); }
    case 'tanh': { const t = Math.tanh(x); return 1 - t * t; }
    case 'gelu': return 0.5 * (1 + erf(x * INV_SQRT_2)) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    case 'geluTanh': {
      const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
      const t = Math.tanh(u);
      const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
    }
    case 'leakyRelu': return x > 0 ? 1 : param;
    case 'sin': return Math.cos(x);
    case 'cos': return -Math.sin(x);
    case 'reciprocal': return -1 / (x * x);
    case 'square': return 2 * x;
    case 'sign': return 0;
    case 'silu': { const s = sigmoid(x); return s * (1 + x * (1 - s)); }
    case 'softplus': return x > param ? 1 : sigmoid(x);
    case 'elu': return x > 0 ? 1 : param * Math.exp(x);
    // PyTorch's hardswish_backward, including its one-sided values at -3 and 3.
    case 'hardswish': return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
    case 'mish': { const t = Math.tanh(softplus(x)); return t + x * sigmoid(x) * (1 - t * t); }
    case 'logSigmoid': return sigmoid(-x);
    case 'log1p': return 1 / (1 + x);
    case 'expm1': return Math.exp(x);
  }
}

export function binaryScalar(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'pow': return Math.pow(a, b);
    case 'maximum': return Math.max(a, b);
    case 'minimum': return Math.min(a, b);
  }
}

export function compareScalar(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
  }
}
