// The bad-input table: for every public function and class of dawngrad, at least one wrong call
// and the error it must give. Each message must start with the public name the user called
// (the op, for Tensor methods) and say which argument was wrong and what was expected.
// test/badInput.test.ts runs every row on both backends and, after each, checks that the engine
// still computes correctly, that nothing leaked, and (where a row says so) that the object the
// call refused is unchanged; it also fails when an export has no row here.
import * as dg from '../../src/index.js';

/** What a row gets to build its fixtures; everything registered with `own` is freed after it. */
export interface Ctx {
  own<T extends dg.Tensor | dg.nn.AnyModule>(x: T): T;
  /** An owned float32 tensor of ones. */
  ones(shape: number[]): dg.Tensor;
  /** An owned tensor from nested data (float32 unless told). */
  t(data: dg.NestedArray, dtype?: 'float32' | 'int32'): dg.Tensor;
  /** An owned nn.Linear(2, 2). */
  linear(): dg.nn.Linear;
  /** A disposed tensor of shape [2, 3]. */
  disposed(): dg.Tensor;
  /** A fresh temporary folder. */
  dir: string;
  /** Values a row's `after` check compares against, set by its `call`. */
  saved: Record<string, unknown>;
}

export interface BadCase {
  /** The export this row covers, as a path on `dg`: 'zeros', 'nn.Linear', 'optim.SGD'. */
  name: string;
  /** What is wrong with the call, for the failure message. */
  what: string;
  call: (c: Ctx) => unknown;
  message: RegExp;
  /** Checks that the refused call left its object as it was (state dicts, optimizers). */
  after?: (c: Ctx) => void | Promise<void>;
}

const row = (name: string, what: string, call: (c: Ctx) => unknown, message: RegExp, after?: BadCase['after']): BadCase =>
  ({ name, what, call, message, after });

/** A nested array that contains itself. */
function cyclic(): dg.NestedArray {
  const a: dg.NestedArray[] = [];
  a.push(a);
  return a;
}

const UNARY = ['neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'reciprocal', 'sin', 'cos', 'sign', 'relu', 'sigmoid', 'tanh', 'silu', 'hardswish', 'mish', 'logSigmoid', 'log1p', 'expm1'] as const;
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;

export const BAD_INPUT_CASES: BadCase[] = [
  // ---- shapes and sizes: refused before anything is allocated, by the function called ------
  row('zeros', 'a NaN dimension', () => dg.zeros([2, NaN]), /^zeros: invalid shape \[2, NaN\].*non-negative integers/),
  row('ones', 'a fractional dimension', () => dg.ones([1.5]), /^ones: invalid shape \[1\.5\]/),
  row('full', 'an astronomically large shape', () => dg.full([1e6, 1e6], 0), /^full: shape \[1000000, 1000000\] has 1000000000000 elements, more than the 2147483647/),
  row('full', 'a string fill value', () => dg.full([2], '1' as unknown as number), /^full: the fill value must be a number, got '1'/),
  row('zeros', 'a shape that is not an array', () => dg.zeros(3 as unknown as number[]), /^zeros: shape must be an array.*got 3/),
  row('zeros', 'an unknown option', () => dg.zeros([2], { dtyp: 'int32' } as dg.CreateOptions), /^zeros: unknown option 'dtyp'/),
  row('randn', 'a negative dimension', () => dg.randn([-1]), /^randn: invalid shape \[-1\]/),
  row('rand', 'low above high', () => dg.rand([2], { low: 1, high: 0 }), /^rand: low and high must be finite numbers with low <= high, got low 1 and high 0/),
  row('rand', 'a NaN dimension', () => dg.rand([NaN]), /^rand: invalid shape \[NaN\]/),
  row('arange', 'a NaN end', () => dg.arange(0, NaN), /^arange: end must be a finite number, got NaN/),
  row('arange', 'an astronomically long range', () => dg.arange(0, 1e12), /^arange: .* has 1000000000000 elements, more than/),
  row('arange', 'a zero step', () => dg.arange(0, 5, 0), /^arange: step must be non-zero/),
  row('eye', 'a NaN size', () => dg.eye(NaN), /^eye: n must be a non-negative integer, got NaN/),
  row('eye', 'an astronomically large size', () => dg.eye(1e6), /^eye: shape \[1000000, 1000000\] has 1000000000000 elements/),
  row('tensor', 'a nested array that contains itself', () => dg.tensor(cyclic()), /^tensor: the nested array contains itself at depth 1/),
  row('tensor', 'a ragged nested array', () => dg.tensor([[1, 2], [3]]), /^tensor: ragged nested array: expected 2 elements at depth 1/),
  row('tensor', 'a string', () => dg.tensor('12' as unknown as number), /^tensor: expected a number, a nested array of numbers or a typed array, got '12'/),
  row('tensor', 'a DataView', () => dg.tensor(new DataView(new ArrayBuffer(8)) as unknown as Float32Array), /^tensor: expected a number typed array .* got DataView/),
  row('tensor', 'a shape that does not fit the values', () => dg.tensor(new Float32Array(5), [2, 3]), /^tensor: 5 values cannot have shape \[2, 3\]/),
  row('zerosLike', 'a number for the tensor', () => dg.zerosLike(3 as unknown as dg.Tensor), /^zerosLike: expected a Tensor as input, got 3/),
  row('onesLike', 'a disposed tensor', (c) => dg.onesLike(c.disposed()), /^onesLike: the input tensor of shape \[2, 3\] was used after dispose\(\)/),

  // ---- every op names itself, also for a wrong operand type or a disposed tensor -----------
  ...UNARY.map((op) => row(op, 'a string for the tensor', () => (dg[op] as (x: unknown) => dg.Tensor)('x'), new RegExp(`^${op}: expected a Tensor as input, got 'x'`))),
  ...BINARY.map((op) => row(op, "a string operand (x.op('2'))", (c) => (c.ones([2])[op] as (y: unknown) => dg.Tensor)('2'), new RegExp(`^${op}: expected a Tensor or a number, got '2'`))),
  row('add', 'a disposed tensor', (c) => c.disposed().add(1), /^add: the input tensor of shape \[2, 3\] was used after dispose\(\)/),
  row('mul', 'a disposed operand', (c) => c.ones([2, 3]).mul(c.disposed()), /^mul: the other tensor of shape \[2, 3\] was used after dispose\(\)/),
  row('exp', 'a disposed tensor (method)', (c) => c.disposed().exp(), /^exp: the input tensor of shape \[2, 3\] was used after dispose\(\)/),
  row('where', 'a string condition', () => dg.where('x' as unknown as dg.Tensor, 1, 0), /^where: expected a Tensor as condition, got 'x'/),
  row('clamp', 'a NaN bound', (c) => dg.clamp(c.ones([2]), NaN), /^clamp: min must be a number or undefined, got NaN/),
  row('softplus', 'beta 0', (c) => dg.softplus(c.ones([2]), { beta: 0 }), /^softplus: beta must be a finite non-zero number, got 0/),
  row('elu', 'a NaN alpha', (c) => dg.elu(c.ones([2]), NaN), /^elu: alpha must be a finite number, got NaN/),
  row('cast', 'an unknown dtype', (c) => dg.cast(c.ones([2]), 'float16' as 'float32'), /^cast: unknown dtype 'float16'/),
  row('gelu', 'an unknown approximation', (c) => dg.gelu(c.ones([2]), { approximate: 'fast' as 'tanh' }), /^gelu: approximate must be 'none' or 'tanh', got 'fast'/),
  row('leakyRelu', 'a NaN slope', (c) => dg.leakyRelu(c.ones([2]), NaN), /^leakyRelu: negativeSlope must be a finite number, got NaN/),
  row('sum', 'an axis beyond the rank', (c) => dg.sum(c.ones([2, 3]), 2), /^sum: axis 2 is out of range for a tensor of rank 2/),
  row('mean', 'a fractional axis', (c) => dg.mean(c.ones([2, 3]), 0.5), /^mean: axis 0\.5 is out of range/),
  row('max', 'a disposed tensor', (c) => dg.max(c.disposed()), /^max: the input tensor .* after dispose\(\)/),
  row('min', 'an empty dimension', (c) => dg.min(c.ones([2, 0]), 1), /^min: cannot reduce over an empty dimension of shape \[2, 0\]/),
  row('argmax', 'an axis beyond the rank', (c) => dg.argmax(c.ones([2]), 1), /^argmax: axis 1 is out of range/),
  row('argmin', 'a disposed tensor', (c) => dg.argmin(c.disposed()), /^argmin: the input tensor .* after dispose\(\)/),
  row('softmax', 'an axis beyond the rank', (c) => dg.softmax(c.ones([2, 3]), -3), /^softmax: axis -3 is out of range/),
  row('logSoftmax', 'an int32 tensor', (c) => dg.logSoftmax(c.t([1, 2], 'int32')), /^logSoftmax: expected a float32 tensor, got int32/),
  row('reshape', 'a NaN dimension', (c) => dg.reshape(c.ones([2, 3]), [NaN, 6]), /^reshape: invalid shape \[NaN, 6\]/),
  row('reshape', 'a shape that is not an array', (c) => dg.reshape(c.ones([2, 3]), 6 as unknown as number[]), /^reshape: shape must be an array of integers, got 6/),
  row('flatten', 'an endDim beyond the rank', (c) => dg.flatten(c.ones([2, 3]), 0, 5), /^flatten: axis 5 is out of range/),
  row('unsqueeze', 'a dim beyond the rank', (c) => dg.unsqueeze(c.ones([2]), 3), /^unsqueeze: axis 3 is out of range/),
  row('squeeze', 'a disposed tensor', (c) => dg.squeeze(c.disposed()), /^squeeze: the input tensor .* after dispose\(\)/),
  row('permute', 'a repeated dimension', (c) => dg.permute(c.ones([2, 3]), [0, 0]), /^permute: \[0, 0\] is not a permutation/),
  row('transpose', 'a dim beyond the rank', (c) => dg.transpose(c.ones([2, 3]), 0, 2), /^transpose: axis 2 is out of range/),
  row('expand', 'an incompatible shape', (c) => dg.expand(c.ones([2, 3]), [4, 3, 2]), /^expand: shapes \[2, 3\] and \[4, 3, 2\] cannot be broadcast/),
  row('narrow', 'a length past the end', (c) => dg.narrow(c.ones([4, 5]), 1, 3, 3), /^narrow: start 3 and length 3 are out of range for dimension 1 of size 5/),
  row('cat', 'an empty list', () => dg.cat([]), /^cat: expected a non-empty list of tensors/),
  row('cat', 'a number in the list', (c) => dg.cat([c.ones([2]), 3 as unknown as dg.Tensor]), /^cat: expected a Tensor as tensors\[1\], got 3/),
  row('stack', 'different shapes', (c) => dg.stack([c.ones([2]), c.ones([3])]), /^stack: all tensors must have the same shape, got \[2\], \[3\]/),
  row('clone', 'a disposed tensor', (c) => dg.clone(c.disposed()), /^clone: the input tensor .* after dispose\(\)/),
  row('toBackend', 'an unknown backend', (c) => dg.toBackend(c.ones([2]), 'tpu' as 'cpu'), /^toBackend: unknown backend 'tpu'/),
  row('matmul', 'inner dimensions that differ', (c) => dg.matmul(c.ones([2, 3]), c.ones([4, 5])), /^matmul: inner dimensions do not match: \[2, 3\] @ \[4, 5\]/),
  row('matmul', 'a string operand', (c) => dg.matmul(c.ones([2, 2]), 'x' as unknown as dg.Tensor), /^matmul: expected a Tensor as input, got 'x'/),

  // ---- autograd misuse ----------------------------------------------------------------------
  row('Tensor', 'backward() a second time through a released graph', (c) => {
    const w = c.own(dg.ones([2], { requiresGrad: true }));
    const loss = c.own(w.mul(3).sum());
    loss.backward();
    c.saved.grad = w.grad;
    loss.backward();
  }, /^backward: trying to backward through the graph a second time/, (c) => {
    const w = c.saved.grad as dg.Tensor;
    if (w.isDisposed) throw new Error('the first gradient was replaced');
  }),
  row('Tensor', 'backward() through an intermediate that was disposed', (c) => {
    const w = c.own(dg.ones([2], { requiresGrad: true }));
    const h = w.mul(3);
    const loss = c.own(h.sum());
    h.dispose();
    c.saved.w = w;
    loss.backward();
  }, /^backward: an intermediate result of shape \[2\] \(made by mul\) was disposed before backward\(\)/, (c) => {
    if ((c.saved.w as dg.Tensor).grad !== null) throw new Error('a refused backward() still wrote a gradient');
  }),
  row('Tensor', 'backward(grad) with an int32 gradient', (c) => {
    const y = c.own(c.own(dg.ones([2], { requiresGrad: true })).mul(2));
    y.backward(c.t([1, 1], 'int32'));
  }, /^backward: the gradient must be float32 like the tensor, got int32 of shape \[2\]/),
  row('Tensor', 'backward(grad) with a gradient of the wrong shape', (c) => {
    const y = c.own(c.own(dg.ones([2, 3], { requiresGrad: true })).mul(2));
    y.backward(c.ones([3]));
  }, /^backward: gradient of shape \[3\] does not match the tensor's shape \[2, 3\]/),
  row('Tensor', 'data() of a disposed tensor', (c) => c.disposed().data(), /^data: the tensor of shape \[2, 3\] was used after dispose\(\)/),
  row('Tensor', 'item() of several elements', (c) => c.ones([2, 2]).item(), /^item: expected a tensor with one element, got shape \[2, 2\]/),
  row('Tensor', 'requiresGrad on int32', (c) => c.t([1], 'int32').requiresGrad_(), /^requiresGrad: only float32 tensors can require gradients, got int32/),

  // ---- engine functions ---------------------------------------------------------------------
  row('init', 'an unknown backend', () => dg.init({ backend: 'tpu' as 'cpu' }), /^init: unknown backend 'tpu'/),
  row('init', 'a negative pool limit', () => dg.init({ poolLimitBytes: -1 }), /^init: poolLimitBytes must be a finite number >= 0, got -1/),
  row('noGrad', 'no function', () => dg.noGrad(3 as unknown as () => void), /^noGrad: expected a function/),
  row('setGradEnabled', 'a string', () => dg.setGradEnabled('no' as unknown as boolean), /^setGradEnabled: expected true or false, got no/),
  row('keep', 'a number', () => dg.keep(3 as unknown as dg.Tensor), /^keep: expected a Tensor, got number/),
  row('tidy', 'no function', () => dg.tidy(3 as unknown as () => void), /^tidy: expected a function/),
  row('tidy', 'an async function', () => dg.tidy(async () => 1), /^tidy: the function must be synchronous/),
  row('debug', 'a non-boolean checkNumerics', () => dg.debug({ checkNumerics: 'yes' as unknown as boolean }), /^debug: checkNumerics must be true or false, got yes/),
  row('manualSeed', 'a NaN seed', () => dg.manualSeed(NaN), /^manualSeed: seed must be an integer, got NaN/),
  row('setRngState', 'two words instead of four', () => dg.setRngState([1, 2] as never), /^setRngState: expected 4 unsigned 32-bit integers/),
  row('profile', 'no function', () => dg.profile(3 as unknown as () => Promise<void>), /^profile: expected a function/),
  // ---- convolution, pooling, losses, recurrent ops ------------------------------------------
  row('conv2d', 'a weight of the wrong rank', (c) => dg.conv2d(c.ones([1, 1, 4, 4]), c.ones([1, 1, 3])), /^conv2d: expected weight \[outC, inC \/ groups, kH, kW\], got \[1, 1, 3\]/),
  row('conv2d', 'stride 0', (c) => dg.conv2d(c.ones([1, 1, 4, 4]), c.ones([1, 1, 3, 3]), null, { stride: 0 }), /^conv2d: stride must be an integer >= 1/),
  row('conv1d', 'a weight of rank 4', (c) => dg.conv1d(c.ones([1, 1, 8]), c.ones([1, 1, 3, 3])), /^conv1d: expected weight/),
  row('adaptiveAvgPool2d', 'output size 0', (c) => dg.adaptiveAvgPool2d(c.ones([1, 1, 4, 4]), 0), /^adaptiveAvgPool2d: outputSize must be a positive integer/),
  row('adaptiveMaxPool2d', 'a NaN output size', (c) => dg.adaptiveMaxPool2d(c.ones([1, 1, 4, 4]), NaN), /^adaptiveMaxPool2d: outputSize must be a positive integer/),
  row('batchNorm', 'a NaN momentum', (c) => dg.batchNorm(c.ones([2, 3]), null, null, null, null, { training: true, momentum: NaN }), /^batchNorm: momentum must be a number in \[0, 1\] or null, got NaN/),
  row('layerNorm', 'normalizedShape 0', (c) => dg.layerNorm(c.ones([2, 3]), 0), /^layerNorm: normalizedShape must be a positive integer/),
  row('batchNorm', 'a disposed input', (c) => dg.batchNorm(c.disposed(), null, null, null, null, { training: true }), /^batchNorm: the input tensor of shape \[2, 3\] was used after dispose\(\)/),
  row('batchNorm', 'an array for the weight', (c) => dg.batchNorm(c.ones([2, 3]), null, null, [1, 1, 1] as never, null, { training: true }), /^batchNorm: expected a Tensor as weight, got/),
  row('layerNorm', 'a number for the input', () => dg.layerNorm(3 as never, 3), /^layerNorm: expected a Tensor as input, got 3/),
  row('maxPool2d', 'kernel size 0', (c) => dg.maxPool2d(c.ones([1, 1, 4, 4]), { kernelSize: 0 }), /^maxPool2d: kernelSize must be an integer >= 1 .* got 0/),
  row('avgPool2d', 'a NaN kernel size', (c) => dg.avgPool2d(c.ones([1, 1, 4, 4]), { kernelSize: NaN }), /^avgPool2d: kernelSize must be an integer >= 1 .* got null|^avgPool2d: kernelSize must be an integer >= 1/),
  row('crossEntropy', 'float labels', (c) => dg.crossEntropy(c.ones([2, 3]), c.ones([2])), /^crossEntropy: expected int32 class labels, got float32 of shape \[2\]/),
  row('crossEntropy', 'labels that are not a tensor', (c) => dg.crossEntropy(c.ones([2, 3]), [0, 1] as unknown as dg.Tensor), /^crossEntropy: expected a Tensor as labels, got \[0, 1\]/),
  row('crossEntropy', 'a class weight of the wrong length', (c) => dg.crossEntropy(c.ones([2, 3]), c.t([0, 1], 'int32'), { weight: c.ones([2]) }),
    /^crossEntropy: weight must be a float32 tensor of shape \[3\] \(one per class of scores \[2, 3\]\), got float32 \[2\]/),
  row('nllLoss', 'labels of the wrong shape', (c) => dg.nllLoss(c.ones([2, 3]), c.t([0, 1, 2], 'int32')), /^nllLoss: expected labels of shape \[2\] for scores \[2, 3\], got \[3\]/),
  row('binaryCrossEntropyWithLogits', 'targets of another shape', (c) => dg.binaryCrossEntropyWithLogits(c.ones([2]), c.ones([3])), /^binaryCrossEntropyWithLogits: .*\[2\] and .*\[3\] must have the same shape/),
  row('mseLoss', 'an unknown reduction', (c) => dg.mseLoss(c.ones([2]), c.ones([2]), { reduction: 'avg' as 'mean' }), /^mseLoss: unknown reduction 'avg'/),
  row('embedding', 'float indices', (c) => dg.embedding(c.ones([2]), c.ones([4, 3])), /^embedding: expected int32 indices, got float32 of shape \[2\]/),
  row('lstmCell', 'a hidden state of the wrong shape', (c) => dg.lstmCell(c.ones([1, 2]), c.ones([1, 3]), c.ones([1, 2]), c.ones([8, 2]), c.ones([8, 2])), /^lstmCell: expected h /),
  row('lstm', 'no weights', (c) => dg.lstm(c.ones([3, 1, 2]), []), /^lstm: expected weights for numLayers \* 1 layer-directions, got 0/),
  row('lstmLayer', 'a disposed input', (c) => dg.lstmLayer(c.disposed(), c.ones([1, 2]), c.ones([1, 2]), c.ones([8, 2])), /^lstmLayer: the input tensor .* after dispose\(\)/),
  row('gruCell', 'an int32 input', (c) => dg.gruCell(c.t([[1, 2]], 'int32'), c.ones([1, 2]), c.ones([6, 2]), c.ones([6, 2])), /^gruCell: expected a float32 tensor, got int32/),
  row('gru', 'weights that are not a list', (c) => dg.gru(c.ones([3, 1, 2]), 5 as unknown as dg.GruWeights[]), /^gru: weights must be a list/),
  row('gruLayer', 'a string input', (c) => dg.gruLayer('x' as unknown as dg.Tensor, c.ones([1, 2]), c.ones([6, 2])), /^gruLayer: expected a Tensor as input, got 'x'/),

  // ---- layers: sizes and options refused where the layer is built ---------------------------
  row('nn.Linear', 'a string for the input', (c) => c.linear().forward('x' as never), /^Linear: expected a Tensor as input, got 'x'/),
  ...(['Flatten', 'Dropout', 'Softmax', 'GELU', 'LeakyReLU', 'ELU', 'Softplus'] as const).map((layer) =>
    row(`nn.${layer}`, 'a string for the input', () => new dg.nn[layer]().forward('x' as never), new RegExp(`^${layer}: expected a Tensor as input, got 'x'`))),
  row('nn.Linear', 'a NaN size', () => new dg.nn.Linear(NaN, 2), /^Linear: inFeatures must be a positive integer .* got NaN/),
  row('nn.Linear', 'an astronomically large weight', () => new dg.nn.Linear(1e6, 1e6), /^Linear: the weight \[1000000, 1000000\] would have 1000000000000 elements/),
  row('nn.Conv2d', 'kernel size 0', () => new dg.nn.Conv2d(1, 1, 0), /^Conv2d: kernelSize must be an integer >= 1 .* got 0/),
  row('nn.Conv2d', 'a NaN stride', () => new dg.nn.Conv2d(1, 1, 3, { stride: NaN }), /^Conv2d: stride must be an integer >= 1/),
  row('nn.Conv1d', 'kernel size 0', () => new dg.nn.Conv1d(1, 1, 0), /^Conv1d: kernelSize must be an integer >= 1 .* got 0/),
  row('nn.Conv1d', 'a stride of 0', () => new dg.nn.Conv1d(1, 1, 3, { stride: 0 }), /^Conv1d: stride must be an integer >= 1/),
  row('nn.AdaptiveAvgPool2d', 'output size 0', () => new dg.nn.AdaptiveAvgPool2d(0), /^AdaptiveAvgPool2d: outputSize must be a positive integer/),
  row('nn.AdaptiveMaxPool2d', 'a pair with a 0', () => new dg.nn.AdaptiveMaxPool2d([1, 0]), /^AdaptiveMaxPool2d: outputSize must be a positive integer/),
  row('nn.GlobalAveragePooling2D', 'a string keepDims', () => new dg.nn.GlobalAveragePooling2D({ keepDims: 'yes' as never }), /^GlobalAveragePooling2D: keepDims must be true or false, got yes/),
  row('nn.GlobalMaxPooling2D', 'a disposed input', (c) => new dg.nn.GlobalMaxPooling2D().forward(c.disposed()), /^adaptiveMaxPool2d: the input tensor .* after dispose\(\)/),
  row('nn.BatchNorm1d', 'zero features', () => new dg.nn.BatchNorm1d(0), /^BatchNorm1d: numFeatures must be a positive integer .* got 0/),
  row('nn.BatchNorm2d', 'a NaN eps', () => new dg.nn.BatchNorm2d(2, { eps: NaN }), /^BatchNorm2d: eps must be a finite number >= 0, got NaN/),
  row('nn.BatchNorm2d', 'a momentum above 1', () => new dg.nn.BatchNorm2d(2, { momentum: 2 }), /^BatchNorm2d: momentum must be a number in \[0, 1\] or null, got 2/),
  row('nn.LayerNorm', 'an empty shape', () => new dg.nn.LayerNorm([]), /^LayerNorm: normalizedShape must be a positive integer or a non-empty list/),
  row('nn.LayerNorm', 'a string for the input', (c) => c.own(new dg.nn.LayerNorm(3)).forward('x' as never), /^LayerNorm: expected a Tensor as input, got 'x'/),
  row('nn.BatchNorm2d', 'a disposed input', (c) => c.own(new dg.nn.BatchNorm2d(3)).forward(c.disposed()), /^BatchNorm2d: the input tensor of shape \[2, 3\] was used after dispose\(\)/),
  row('nn.LayerNorm', 'an astronomically large shape', () => new dg.nn.LayerNorm([1e6, 1e6]), /^LayerNorm: the weight \[1000000, 1000000\] would have 1000000000000 elements/),
  row('nn.ELU', 'a NaN alpha', () => new dg.nn.ELU(NaN), /^ELU: alpha must be a finite number, got NaN/),
  row('nn.Softplus', 'beta 0', () => new dg.nn.Softplus(0), /^Softplus: beta must be a finite non-zero number, got 0/),
  row('nn.MaxPool2d', 'kernel size 0', () => new dg.nn.MaxPool2d(0), /^MaxPool2d: kernelSize must be an integer >= 1 .* got 0/),
  row('nn.AvgPool2d', 'a NaN kernel size', () => new dg.nn.AvgPool2d(NaN), /^AvgPool2d: kernelSize must be an integer >= 1/),
  row('nn.Dropout', 'p above 1', () => new dg.nn.Dropout(2), /^Dropout: p must be in \[0, 1\], got 2/),
  row('nn.Embedding', 'zero rows', () => new dg.nn.Embedding(0, 2), /^Embedding: numEmbeddings must be a positive integer .* got 0/),
  row('nn.LSTM', 'an astronomical number of layers', () => new dg.nn.LSTM(2, 2, { numLayers: 1e9 }), /^LSTM: the weights \[.*\] would have \d+ elements, more than/),
  row('nn.GRU', 'a fractional hidden size', () => new dg.nn.GRU(2, 1.5), /^GRU: hiddenSize must be a positive integer .* got 1\.5/),
  row('nn.GRUCell', 'a negative input size', () => new dg.nn.GRUCell(-1, 2), /^GRUCell: inputSize must be a positive integer .* got -1/),
  row('nn.Flatten', 'a NaN startDim', () => new dg.nn.Flatten(NaN), /^Flatten: startDim must be an integer, got NaN/),
  row('nn.GELU', 'an unknown approximation', () => new dg.nn.GELU('fast' as 'tanh'), /^GELU: approximate must be 'none' or 'tanh', got 'fast'/),
  row('nn.LeakyReLU', 'a NaN slope', () => new dg.nn.LeakyReLU(NaN), /^LeakyReLU: negativeSlope must be a finite number, got NaN/),
  row('nn.Softmax', 'a fractional axis', () => new dg.nn.Softmax(0.5), /^Softmax: axis must be an integer, got 0\.5/),
  row('nn.ReLU', 'a disposed input', (c) => new dg.nn.ReLU().forward(c.disposed()), /^ReLU: the input tensor .* after dispose\(\)/),
  ...(['ReLU', 'Sigmoid', 'Tanh', 'SiLU', 'Hardswish', 'Mish', 'LogSigmoid'] as const).map((layer) =>
    row(`nn.${layer}`, 'a string for the input', () => new dg.nn[layer]().forward('x' as never), new RegExp(`^${layer}: expected a Tensor as input, got 'x'`))),
  row('nn.AllSteps', 'a tensor instead of an LSTM result', (c) => new dg.nn.AllSteps().forward(c.ones([2]) as never), /^AllSteps: expected a recurrent layer's \[out, \[hN, cN\]\] or \[out, hN\]/),
  row('nn.LastStep', 'a number', () => new dg.nn.LastStep().forward(3 as never), /^LastStep: expected a recurrent layer's/),
  row('nn.Sequential', 'a layer that is not a module', () => new dg.nn.Sequential(3 as unknown as dg.nn.Linear), /^Sequential: layer 0 is not an nn.Module/),
  row('nn.Module', 'loadStateDict with one tensor of the wrong shape', (c) => {
    const m = c.linear();
    c.saved.weight = [...m.weight.shape];
    return dg.tidy(() => m.loadStateDict({ weight: dg.full([2, 2], 7), bias: dg.ones([3]) }));
  }, /^loadStateDict: 'bias' expects float32 of shape \[2\], got float32 of shape \[3\]/),
  row('nn.Module', 'a refused loadStateDict changes nothing', (c) => {
    const m = c.linear();
    c.own(m);
    c.saved.model = m;
    return dg.tidy(() => m.loadStateDict({ weight: dg.full([2, 2], 7), bias: 'x' as unknown as dg.Tensor }));
  }, /^loadStateDict: 'bias' should be a Tensor of shape \[2\], got 'x'/, async (c) => {
    const w = await (c.saved.model as dg.nn.Linear).weight.data();
    if ([...w].some((v) => v === 7)) throw new Error('the weight was overwritten by a refused loadStateDict');
  }),
  row('nn.buildLayer', 'an unknown type with a huge name', () => dg.nn.buildLayer({ type: 'x'.repeat(1e6), config: {} }), /^buildLayer: unknown layer type 'x{10,80}\.\.\.'/),
  row('nn.buildLayer', 'no spec', () => dg.nn.buildLayer(null as unknown as dg.nn.LayerSpec), /^buildLayer: expected a spec \{ type, config \}, got null/),
  row('nn.inputSignature', 'not a module', () => dg.nn.inputSignature(3 as never), /^inputSignature: expected an nn.Module, got number/),
  row('nn.setInputSignature', 'a shape without its batch dimension', (c) => dg.nn.setInputSignature(c.linear(), { dtype: 'float32', shape: [2] }),
    /^setInputSignature: an input signature is \{ dtype: 'float32' \| 'int32', shape: \[-1, \.\.\.\] \}.*got dtype float32 and shape \[2\]/),
  row('nn.setInputSignature', 'an unknown dtype', (c) => dg.nn.setInputSignature(c.linear(), { dtype: 'float64' as never, shape: [-1, 2] }), /^setInputSignature: .*got dtype float64/),
  row('nn.registerLayer', 'an empty name', () => dg.nn.registerLayer('', dg.nn.Linear, () => new dg.nn.Linear(1, 1)), /^registerLayer: name must be a non-empty string/),
  row('nn.registerLayer', 'a class that is not a module', () => dg.nn.registerLayer('NotALayer', Map as never, () => new dg.nn.ReLU() as never), /^registerLayer: 'NotALayer' needs an nn.Module subclass/),
  row('nn.init.fanIn', 'a rank-1 shape', () => dg.nn.init.fanIn([3]), /^fanIn: needs a weight of rank >= 2, got shape \[3\]/),
  row('nn.init.uniform', 'a NaN bound', () => dg.nn.init.uniform([2], NaN), /^uniform: bound must be a finite number, got NaN/),
  row('nn.init.kaimingUniform', 'a rank-1 shape', () => dg.nn.init.kaimingUniform([3]), /^kaimingUniform: needs a weight of rank >= 2/),
  row('nn.init.biasUniform', 'a NaN size', () => dg.nn.init.biasUniform(NaN, [2, 2]), /^biasUniform: size must be a positive integer .* got NaN/),
  row('nn.init.normal', 'an infinite std', () => dg.nn.init.normal([2], 0, Infinity), /^normal: std must be a finite number, got Infinity/),

  // ---- optimizers and schedulers: every numeric option checked when given -------------------
  row('optim.SGD', 'an infinite lr', (c) => new dg.optim.SGD(c.linear().parameters(), { lr: Infinity }), /^SGD: invalid lr Infinity \(expected a finite number >= 0\)/),
  row('optim.SGD', 'an unknown option', (c) => new dg.optim.SGD(c.linear().parameters(), { learningRate: 0.1 } as never), /^SGD: unknown option 'learningRate'/),
  row('optim.Adam', 'a NaN lr', (c) => new dg.optim.Adam(c.linear().parameters(), { lr: NaN }), /^Adam: invalid lr NaN/),
  row('optim.AdamW', 'beta2 of 1', (c) => new dg.optim.AdamW(c.linear().parameters(), { betas: [0.9, 1] }), /^AdamW: invalid beta2 1 \(expected in \[0, 1\)\)/),
  row('optim.RMSprop', 'an infinite alpha', (c) => new dg.optim.RMSprop(c.linear().parameters(), { alpha: Infinity }), /^RMSprop: invalid alpha Infinity/),
  row('optim.Optimizer', 'params that are not iterable', () => new dg.optim.SGD(5 as unknown as dg.Tensor[]), /^SGD: params must be an iterable of tensors/),
  row('optim.Optimizer', 'a refused loadStateDict changes nothing (lr -5)', (c) => {
    const opt = new dg.optim.SGD(c.linear().parameters(), { lr: 0.1 });
    c.saved.opt = opt;
    const sd = opt.stateDict();
    opt.loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0], lr: -5 }] });
  }, /^SGD: invalid lr -5/, (c) => {
    const lr = (c.saved.opt as dg.optim.SGD).lr;
    if (lr !== 0.1) throw new Error(`the refused state left lr = ${lr}`);
  }),
  row('optim.LRScheduler', 'no optimizer', () => new dg.optim.StepLR(null as never, { stepSize: 1 }), /^StepLR: expected an optim.Optimizer to schedule, got null/),
  row('optim.LRScheduler', 'a refused loadStateDict changes nothing', (c) => {
    const s = new dg.optim.StepLR(new dg.optim.SGD(c.linear().parameters(), { lr: 0.1 }), { stepSize: 2 });
    c.saved.s = s;
    s.loadStateDict({ lastEpoch: 3, baseLrs: [NaN] });
  }, /^StepLR.loadStateDict: baseLrs must be 1 non-negative numbers/, (c) => {
    const s = c.saved.s as dg.optim.StepLR;
    if (s.lastEpoch !== 0 || s.baseLrs[0] !== 0.1) throw new Error(`the refused state left lastEpoch ${s.lastEpoch}, baseLrs ${s.baseLrs.join(', ')}`);
  }),
  row('optim.StepLR', 'a NaN gamma', (c) => new dg.optim.StepLR(new dg.optim.SGD(c.linear().parameters()), { stepSize: 2, gamma: NaN }), /^StepLR: gamma must be a finite number > 0, got NaN/),
  row('optim.ExponentialLR', 'a NaN gamma', (c) => new dg.optim.ExponentialLR(new dg.optim.SGD(c.linear().parameters()), { gamma: NaN }), /^ExponentialLR: gamma must be a positive number, got NaN/),
  row('optim.CosineAnnealingLR', 'a NaN etaMin', (c) => new dg.optim.CosineAnnealingLR(new dg.optim.SGD(c.linear().parameters()), { tMax: 5, etaMin: NaN }), /^CosineAnnealingLR: etaMin must be a finite number >= 0, got NaN/),
  row('optim.ReduceLROnPlateau', 'a negative patience', (c) => new dg.optim.ReduceLROnPlateau(new dg.optim.SGD(c.linear().parameters()), { patience: -1 }), /^ReduceLROnPlateau: patience must be an integer >= 0, got -1/),
  row('optim.clipGradNorm', 'a NaN maxNorm', (c) => dg.optim.clipGradNorm(c.linear().parameters(), NaN), /^clipGradNorm: maxNorm must be a positive number, got NaN/),

  // ---- training -----------------------------------------------------------------------------
  row('train.compile', 'an unknown optimizer', (c) => c.linear().compile({ optimizer: 'adagrad', loss: 'mse' }), /^compile: unknown optimizer 'adagrad'/),
  row('train.compile', 'not a module', () => dg.train.compile(3 as never, { optimizer: 'adam', loss: 'mse' }), /^compile: expected an nn.Module, got number/),
  row('train.fit', 'batch size 0', (c) => {
    const m = c.linear();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m.fit(c.ones([4, 2]), c.ones([4, 2]), { batchSize: 0, verbose: 0 });
  }, /^fit: batchSize must be a positive integer, got 0/),
  row('train.fit', 'NaN epochs', (c) => {
    const m = c.linear();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m.fit(c.ones([4, 2]), c.ones([4, 2]), { epochs: NaN, verbose: 0 });
  }, /^fit: epochs must be a non-negative integer, got NaN/),
  row('train.fit', 'an unknown option', (c) => {
    const m = c.linear();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m.fit(c.ones([4, 2]), c.ones([4, 2]), { batch_size: 2, verbose: 0 } as never);
  }, /^fit: unknown option 'batch_size' \(supported: epochs, batchSize/),
  row('train.evaluate', 'a NaN batch size', (c) => {
    const m = c.linear();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m.evaluate(c.ones([4, 2]), c.ones([4, 2]), { batchSize: NaN });
  }, /^evaluate: batchSize must be a positive integer, got NaN/),
  row('train.predict', 'batch size 0', (c) => c.linear().predict(c.ones([4, 2]), { batchSize: 0 }), /^predict: batchSize must be a positive integer, got 0/),
  row('train.History', 'negative epochs', () => new dg.train.History({ epochs: -1, steps: 1, batchSize: 1 }), /^History: params.epochs must be an integer >= 0, got -1/),
  row('train.EarlyStopping', 'a NaN minDelta', () => new dg.train.EarlyStopping({ minDelta: NaN }), /^EarlyStopping: minDelta must be a finite number, got NaN/),
  row('train.LRSchedulerCallback', 'no scheduler', () => new dg.train.LRSchedulerCallback({} as never), /^LRSchedulerCallback: expected an optim scheduler/),
  row('train.TerminateOnNaN', 'checkEvery 0', () => new dg.train.TerminateOnNaN({ checkEvery: 0 }), /^TerminateOnNaN: checkEvery must be a positive integer number of batches, got 0/),
  row('train.ModelCheckpoint', 'no filepath', () => new dg.train.ModelCheckpoint({} as never), /^ModelCheckpoint: options.filepath is required/),
  row('train.resolveLoss', 'an unknown loss', () => dg.train.resolveLoss('hinge', 'logits'), /^resolveLoss: unknown loss 'hinge'/),
  row('train.outputKind', 'not a module', () => dg.train.outputKind(null as never), /^outputKind: expected an nn.Module, got null/),

  // ---- data ---------------------------------------------------------------------------------
  row('data.DataLoader', 'batch size 0', () => new dg.data.DataLoader(new dg.data.TensorDataset({ shape: [2], data: new Float32Array(2) }), { batchSize: 0 }), /^DataLoader: batchSize must be a positive integer, got 0/),
  row('data.DataLoader', 'no dataset', () => new dg.data.DataLoader(null as never), /^DataLoader: expected a Dataset/),
  row('data.TensorDataset', 'no columns', () => new dg.data.TensorDataset(), /^TensorDataset: expected at least one column/),
  row('data.ImageDataGenerator', 'a NaN zoom range', () => new dg.data.ImageDataGenerator({ zoomRange: NaN }), /^ImageDataGenerator: zoomRange must give 0 < lo <= hi/),
  row('data.Tokenizer', 'numWords 0', () => new dg.data.Tokenizer({ numWords: 0 }), /^Tokenizer: numWords must be an integer >= 2/),
  row('data.padSequences', 'a negative maxLen', () => dg.data.padSequences([[1]], { maxLen: -1 }), /^padSequences: maxLen must be a positive integer, got -1/),
  row('data.words', 'a number', () => dg.data.words(3 as unknown as string), /^words: expected a string, got number/),
  row('data.parseIdx', 'bytes that are not IDX', () => dg.data.parseIdx(new Uint8Array([1, 2, 3, 4, 5]), 'parseIdx'), /^parseIdx: not an IDX file/),
  row('data.mnist', 'an unknown split', () => dg.data.mnist({ split: 'validation' as 'train' }), /^mnist: split must be 'train' or 'test', got 'validation'/),
  row('data.mnistArrays', 'an unknown split', () => dg.data.mnistArrays({ split: 'dev' as 'train' }), /^mnist: split must be 'train' or 'test', got 'dev'/),
  row('data.spamAssassin', 'a test fraction above 1', () => dg.data.spamAssassin({ testFraction: 2 }), /^spamAssassin: testFraction must be in \[0, 1\], got 2/),

  // ---- metrics ------------------------------------------------------------------------------
  row('metrics.accuracy', 'targets of another length', (c) => dg.metrics.accuracy(c.ones([3, 2]), c.t([0, 1], 'int32')), /^accuracy: predictions and targets differ in length \(3 vs 2\)/),
  row('metrics.binaryAccuracy', 'a NaN threshold', (c) => dg.metrics.binaryAccuracy(c.ones([2]), c.ones([2]), { threshold: NaN }), /^binaryAccuracy: threshold must be a finite number, got NaN/),
  row('metrics.confusionMatrix', 'class ids without numClasses', (c) => dg.metrics.confusionMatrix(c.t([0, 1], 'int32'), c.t([0, 1], 'int32')), /^confusionMatrix: predicted class ids need options.numClasses/),
  row('metrics.precision', 'a disposed prediction', (c) => dg.metrics.precision(c.disposed(), c.t([0, 1], 'int32')), /^precision: the predictions tensor .* after dispose\(\)/),
  row('metrics.recall', 'predictions that are not a tensor', (c) => dg.metrics.recall([1, 0] as never, c.t([0, 1], 'int32')), /^recall: expected a Tensor as predictions, got \[1, 0\]/),
  row('metrics.f1', 'an unknown average', (c) => dg.metrics.f1(c.ones([2, 2]), c.t([0, 1], 'int32'), { average: 'micro' as 'macro' }), /^f1: average must be 'macro' or 'none', got 'micro'/),
  row('metrics.accuracyMetric', 'a NaN threshold', () => dg.metrics.accuracyMetric({ threshold: NaN }), /^accuracyMetric: threshold must be a finite number, got NaN/),
  row('metrics.scoreMetric', 'an unknown score', () => dg.metrics.scoreMetric('auc' as 'f1'), /^scoreMetric: which must be 'precision', 'recall' or 'f1', got auc/),
  row('metrics.metricByName', 'an unknown name', () => dg.metrics.metricByName('auc'), /^metricByName: unknown metric 'auc'/),

  // ---- files: refused before anything large is built; messages quote only a short excerpt ---
  row('save', 'not a module', () => dg.save(3 as never), /^save: expected an nn.Module to save, got number/),
  row('save', 'an inputShape with a zero size', (c) => dg.save(c.linear(), undefined, { inputShape: [0] }), /^save: an input signature .*got dtype float32 and shape \[-1, 0\]/),
  row('load', 'bytes that are not safetensors', () => dg.load(new Uint8Array(16)), /^load: the given bytes: header length 0 is too small/),
  row('load', 'an architecture far larger than the weights', () => dg.load(fileWith({ type: 'Linear', config: { inFeatures: 40000, outFeatures: 40000, bias: false } }, { weight: [2, 2] })),
    /^load: cannot rebuild the architecture in 'the given bytes': .*more than the 4 values of weights the file holds/),
  row('load', 'an architecture nested 100,000 levels deep', () => dg.load(fileWith(deepSpec(100_000), { weight: [1] })), /^load: the architecture in 'the given bytes' is nested more than 256 levels deep/),
  row('load', 'an architecture with a megabyte-long layer type', () => dg.load(fileWith({ type: 'L'.repeat(2_000_000), config: {} }, { weight: [1] })), /^load: cannot rebuild the architecture .*unknown layer type 'L+\.\.\.'/),
  row('load', 'weights that do not fit the architecture', () => dg.load(fileWith({ type: 'Linear', config: { inFeatures: 2, outFeatures: 2, bias: false } }, { weight: [2, 3] })), /^load: 'weight' expects float32 of shape \[2, 2\], got float32 of shape \[2, 3\] \(loading 'the given bytes'\)/),
  row('loadStateDict', 'a file with a missing key, model unchanged', async (c) => {
    const m = c.linear();
    c.saved.before = [...await m.weight.data()];
    c.saved.model = m;
    return dg.loadStateDict(m, fileWith(null, { weight: [2, 2] }));
  }, /^loadStateDict: keys do not match Linear's state dict; missing: bias/, async (c) => {
    const now = [...await (c.saved.model as dg.nn.Linear).weight.data()];
    if (now.some((v, i) => v !== (c.saved.before as number[])[i])) throw new Error('the weights changed');
  }),
  row('loadStateDict', 'not a module', () => dg.loadStateDict(null as never, new Uint8Array(0)), /^loadStateDict: expected an nn.Module to load into, got null/),
  row('io.decodeSafetensors', 'a truncated file', () => dg.io.decodeSafetensors(new Uint8Array(4), 'decodeSafetensors'), /^decodeSafetensors: truncated: 4 bytes/),
  row('io.encodeSafetensors', 'data that does not fit the shape', () => dg.io.encodeSafetensors({ a: { shape: [2], data: new Float32Array(3) } }), /^encodeSafetensors: tensor 'a' has 3 values but shape \[2\] needs 2/),
  row('io.encodeTensors', 'an unknown float type', (c) => dg.io.encodeTensors({ a: c.ones([2]) }, { floatDtype: 'F8' as 'F16' }), /^encodeSafetensors: floatDtype must be 'F32', 'F16' or 'BF16', got 'F8'/),
  row('io.saveSafetensors', 'an unknown float type', (c) => dg.io.saveSafetensors(`${c.dir}/a.safetensors`, { a: c.ones([2]) }, { floatDtype: 'F8' as 'F16' }), /^encodeSafetensors: floatDtype must be/),
  row('io.writeSafetensorsFile', 'a reserved tensor name', (c) => dg.io.writeSafetensorsFile(`${c.dir}/a.safetensors`, { __metadata__: { shape: [1], data: new Float32Array(1) } }), /^encodeSafetensors: '__metadata__' cannot name a tensor/),
  row('io.readSafetensorsFile', 'a file that does not exist', (c) => dg.io.readSafetensorsFile(`${c.dir}/none.safetensors`), /^readSafetensorsFile: safetensors file '.*none\.safetensors' cannot be opened: ENOENT/),
  row('io.loadSafetensors', 'a file that is too short', async (c) => {
    await dg.io.writeFileAtomic(`${c.dir}/short.safetensors`, new Uint8Array(3));
    return dg.io.loadSafetensors(`${c.dir}/short.safetensors`);
  }, /^loadSafetensors: safetensors file '.*short\.safetensors': truncated: 3 bytes/),
  row('io.toTensors', 'an unknown backend', () => dg.io.toTensors({ tensors: new Map(), metadata: {} }, 'tpu' as 'cpu'), /^toTensors: unknown backend 'tpu'/),
  row('io.openSafetensorsFile', 'a chunk size below one element', (c) => dg.io.openSafetensorsFile(`${c.dir}/a.safetensors`, { chunkBytes: 3 }), /^openSafetensorsFile: chunkBytes must be an integer >= 8, got 3/),
  row('io.removeStaleTemporaries', 'no folder', () => dg.io.removeStaleTemporaries(3 as never), /^removeStaleTemporaries: expected a folder path, got number/),
  row('io.writeFileAtomic', 'no path', () => dg.io.writeFileAtomic(3 as never, new Uint8Array(1)), /^writeFileAtomic: expected a non-empty path and a Uint8Array, got number/),
];

/** A safetensors file of zeros of the given shapes, with `arch` (a spec, or its JSON text) as its saved architecture (none if null). */
function fileWith(arch: unknown, shapes: Record<string, number[]>): Uint8Array {
  const tensors = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, { shape: s, data: new Float32Array(s.reduce((a, b) => a * b, 1)) }]));
  return dg.io.encodeSafetensors(tensors, arch === null ? {} : { [dg.io.ARCHITECTURE_KEY]: typeof arch === 'string' ? arch : JSON.stringify(arch) });
}

/** The JSON text of Sequentials inside Sequentials, `depth` deep (too deep for JSON.stringify). */
function deepSpec(depth: number): string {
  return `${'{"type":"Sequential","config":{"layers":['.repeat(depth)}{"type":"ReLU","config":{}}${']}}'.repeat(depth)}`;
}
