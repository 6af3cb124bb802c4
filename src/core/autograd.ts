// Reverse-mode differentiation: a topological sort of the graph, then each node's local
// backward rule in reverse order. The graph is released as it is walked.
import { debugState } from './debug.js';
import { keep, noGrad } from './engine.js';
import { fmt } from './shape.js';
import { releaseNode, Tensor } from './tensor.js';
import { tidy } from './tidy.js';
import { add } from './ops/elementwise.js';
import { onesLike } from './ops/creation.js';

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep graphs (long LSTM sequences) would overflow the call stack.
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, done] = stack.pop()!;
    if (done) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    // Checked before any gradient is computed, so a refused backward changes no .grad.
    if (!t.node && t.lostNode) throw lostGraph(root, t);
    stack.push([t, true]);
    for (const inp of t.node?.inputs ?? []) if (inp.requiresGrad && !visited.has(inp)) stack.push([inp, false]);
  }
  return order;
}

function lostGraph(root: Tensor, t: Tensor): Error {
  const { op, by } = t.lostNode!;
  const what = t === root ? 'this tensor' : `an intermediate result of shape ${fmt(t.shape)} (made by ${op})`;
  if (by === 'backward') {
    return new Error(`backward: trying to backward through the graph a second time: ${what} was already ` +
      'differentiated and its graph released; compute the forward pass again for another backward()');
  }
  return new Error(`backward: ${what} was disposed before backward(), so the gradients that flow through it are lost; ` +
    'keep intermediates alive until backward() (call backward inside the tidy that made them)');
}

export function backward(root: Tensor, grad?: Tensor): void {
  if (!(root instanceof Tensor)) throw new Error(`backward: expected a Tensor, got ${typeof root}`);
  if (root.isDisposed) throw new Error(`backward: the tensor of shape ${fmt(root.shape)} was used after dispose()`);
  if (grad === null) grad = undefined;
  if (grad !== undefined) {
    if (!(grad instanceof Tensor)) throw new Error(`backward: the gradient must be a Tensor, got ${typeof grad}`);
    if (grad.isDisposed) throw new Error(`backward: the gradient of shape ${fmt(grad.shape)} was used after dispose()`);
    if (grad.dtype !== root.dtype) throw new Error(`backward: the gradient must be ${root.dtype} like the tensor, got ${grad.dtype} of shape ${fmt(grad.shape)}`);
    if (grad.backend !== root.backend) throw new Error(`backward: the gradient lives on ${grad.backend.name} but the tensor on ${root.backend.name}; move it with dg.toBackend`);
  }
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor of shape ${fmt(root.shape)} does not require grad (no input had requiresGrad, or it was made under noGrad)`);
  }
  if (grad === undefined && root.size !== 1) {
    throw new Error(`backward: expected a scalar (one-element) loss, got shape ${fmt(root.shape)}; pass a gradient of that shape to backward(grad)`);
  }
  if (grad !== undefined && (grad.rank !== root.rank || grad.shape.some((d, i) => d !== root.shape[i]))) {
    throw new Error(`backward: gradient of shape ${fmt(grad.shape)} does not match the tensor's shape ${fmt(root.shape)}`);
  }
  noGrad(() => {
    const order = topoOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, keep(grad ? grad.alias() : onesLike(root)));
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      grads.delete(t);
      if (!g) continue;
      const node = t.node;
      if (!node) {
        // A leaf: its gradient accumulates into .grad, which it owns from here on.
        if (t.grad) {
          const sum = keep(add(t.grad, g));
          t.grad.dispose();
          g.dispose();
          t.grad = sum;
        } else {
          t.grad = g;
        }
        continue;
      }
      // Intermediates made by the rule are freed here; only the input gradients survive.
      debugState.backwardOf = node.op;
      let inputGrads: (Tensor | null)[];
      try {
        inputGrads = tidy(() => node.backward(g));
      } finally {
        debugState.backwardOf = null;
      }
      const seen = new Set<Tensor>();
      node.inputs.forEach((inp, k) => {
        let gi = inputGrads[k];
        if (!gi || !inp.requiresGrad) {
          if (gi && gi !== g && !seen.has(gi)) gi.dispose();
          return;
        }
        // A rule may hand back g itself or one tensor for two inputs: give each owner its own handle.
        if (gi === g || seen.has(gi)) gi = gi.alias();
        seen.add(gi);
        keep(gi);
        const prev = grads.get(inp);
        if (prev) {
          grads.set(inp, keep(add(prev, gi)));
          prev.dispose();
          gi.dispose();
        } else {
          grads.set(inp, gi);
        }
      });
      g.dispose();
      releaseNode(t, 'backward');
    }
  });
}
