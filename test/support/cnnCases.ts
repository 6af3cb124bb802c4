// The op table's CNN rows (spread into OP_CASES, run by test/ops.test.ts): conv2d and conv1d
// over the option grid (stride, padding incl. uneven 'same', dilation, groups, kernel size, odd
// spatial sizes, batch and channel counts), max/avg pooling (ceil mode, dilation,
// countIncludePad, divisorOverride) and the adaptive pools. Finite differences run on the
// smaller `gradInputs`.
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { InputSpec } from './compare.js';
import type { OpCase } from './opCases.js';

const n = (...shape: number[]): InputSpec => ({ shape });

/** conv2d with or without bias: the bias is the third input when one is given. */
const conv = (options: dg.Conv2dOptions) => (x: Tensor, w: Tensor, b?: Tensor) => dg.conv2d(x, w, b, options);
const conv1d = (options: dg.Conv1dOptions) => (x: Tensor, w: Tensor, b?: Tensor) => dg.conv1d(x, w, b, options);

export const CNN_CASES: OpCase[] = [
  { name: 'conv 3x3 pad 1, batch 5, 3 -> 8 channels, 13x17, bias', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 3), n(8)],
    gradInputs: [n(2, 3, 5, 6), n(4, 3, 3, 3), n(4)], fn: conv({ padding: 1 }) },
  { name: 'conv 1x1 stride 2, 8 -> 3 channels', inputs: [n(1, 8, 13, 17), n(3, 8, 1, 1)],
    gradInputs: [n(1, 4, 5, 7), n(3, 4, 1, 1)], fn: conv({ stride: 2 }) },
  { name: 'conv 5x5 stride 3 pad 2, 1 -> 8 channels, bias', inputs: [n(5, 1, 13, 17), n(8, 1, 5, 5), n(8)],
    gradInputs: [n(2, 1, 7, 8), n(3, 1, 5, 5), n(3)], fn: conv({ stride: 3, padding: 2 }) },
  { name: 'conv 3x3 dilation 2 pad 2', inputs: [n(1, 3, 13, 17), n(8, 3, 3, 3)],
    gradInputs: [n(1, 2, 7, 6), n(3, 2, 3, 3)], fn: conv({ dilation: 2, padding: 2 }) },
  { name: 'conv 3x3 dilation 2 stride 2 no padding', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 3)],
    gradInputs: [n(2, 2, 9, 8), n(2, 2, 3, 3)], fn: conv({ dilation: 2, stride: 2 }) },
  { name: 'conv groups 2, 8 -> 6 channels, pad 1, bias', inputs: [n(5, 8, 13, 17), n(6, 4, 3, 3), n(6)],
    gradInputs: [n(1, 4, 5, 5), n(4, 2, 3, 3), n(4)], fn: conv({ groups: 2, padding: 1 }) },
  { name: 'conv depthwise 3x3 stride 2 pad 1, 8 channels, bias', inputs: [n(1, 8, 13, 17), n(8, 1, 3, 3), n(8)],
    gradInputs: [n(2, 8, 5, 6), n(8, 1, 3, 3), n(8)], fn: conv({ groups: 8, stride: 2, padding: 1 }) },
  { name: 'conv depthwise multiplier 2, 5x5 pad 2', inputs: [n(5, 3, 13, 17), n(6, 1, 5, 5)],
    gradInputs: [n(1, 3, 6, 5), n(6, 1, 5, 5)], fn: conv({ groups: 3, padding: 2 }) },
  { name: 'conv 3x5 kernel, stride [2, 1], padding [0, 2], dilation [1, 2]', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 5)],
    gradInputs: [n(1, 2, 6, 9), n(2, 2, 3, 5)], fn: conv({ stride: [2, 1], padding: [0, 2], dilation: [1, 2] }) },
  { name: 'conv 5x5 padding same', inputs: [n(1, 3, 13, 17), n(8, 3, 5, 5)],
    gradInputs: [n(1, 1, 5, 6), n(2, 1, 5, 5)], fn: conv({ padding: 'same' }) },
  { name: 'conv 3x3 stride 3 pad 2 dilation 2, 8 -> 8', inputs: [n(5, 8, 13, 17), n(8, 8, 3, 3)],
    gradInputs: [n(1, 2, 8, 7), n(2, 2, 3, 3)], fn: conv({ stride: 3, padding: 2, dilation: 2 }) },
  { name: 'conv 3x3 pad 1, 5 -> 19 channels (several channel tiles, none full)', inputs: [n(5, 5, 13, 17), n(19, 5, 3, 3), n(19)],
    gradInputs: [n(1, 2, 4, 5), n(19, 2, 3, 3), n(19)], fn: conv({ padding: 1 }) },
  { name: 'conv 5x5 pad 2, 19 -> 5 channels (several input-channel tiles)', inputs: [n(5, 19, 13, 17), n(5, 19, 5, 5)],
    gradInputs: [n(1, 19, 3, 4), n(2, 19, 5, 5)], fn: conv({ padding: 2 }) },
  { name: 'conv 3x3 pad 1, 8 -> 37 channels at 29x31 (tens of workgroups in every kernel)', inputs: [n(5, 8, 29, 31), n(37, 8, 3, 3), n(37)],
    gradInputs: [n(1, 2, 3, 4), n(3, 2, 3, 3), n(3)], fn: conv({ padding: 1 }) },
  { name: 'conv 1 -> 1 channel 1x1', inputs: [n(1, 1, 13, 17), n(1, 1, 1, 1), n(1)],
    gradInputs: [n(1, 1, 3, 5), n(1, 1, 1, 1), n(1)], fn: conv({}) },
  { name: 'conv unbatched [C, H, W] input', inputs: [n(3, 13, 17), n(8, 3, 3, 3), n(8)],
    gradInputs: [n(2, 5, 4), n(3, 2, 3, 3), n(3)], fn: conv({ padding: 1 }) },
  { name: 'conv then relu then conv (gradient flows through both kernels)', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 3), n(3, 8, 3, 3)],
    gradInputs: [n(1, 2, 6, 6), n(3, 2, 3, 3), n(2, 3, 3, 3)], fn: (x, w1, w2) => dg.conv2d(dg.conv2d(x, w1, null, { padding: 1 }).relu(), w2) },
  // padding 'same' that needs one more row/column after than before (PyTorch's uneven split)
  { name: 'conv 4x4 padding same (even kernel: 1 before, 2 after), bias', inputs: [n(2, 3, 13, 17), n(5, 3, 4, 4), n(5)],
    gradInputs: [n(1, 2, 5, 6), n(2, 2, 4, 4), n(2)], fn: conv({ padding: 'same' }) },
  { name: 'conv [2, 3] kernel dilation [3, 2] padding same (odd total on H, even on W)', inputs: [n(5, 3, 13, 17), n(8, 3, 2, 3)],
    gradInputs: [n(1, 2, 6, 7), n(2, 2, 2, 3)], fn: conv({ padding: 'same', dilation: [3, 2] }) },
  { name: 'conv 2x2 padding same, 1 -> 19 channels at 29x31', inputs: [n(5, 1, 29, 31), n(19, 1, 2, 2), n(19)],
    gradInputs: [n(1, 1, 4, 3), n(3, 1, 2, 2), n(3)], fn: conv({ padding: 'same' }) },
  // conv1d: conv2d's kernels over [N, C, 1, L] views
  { name: 'conv1d k3 stride 2 pad 1, 3 -> 8 channels, L 97, bias', inputs: [n(5, 3, 97), n(8, 3, 3), n(8)],
    gradInputs: [n(2, 2, 9), n(3, 2, 3), n(3)], fn: conv1d({ stride: 2, padding: 1 }) },
  { name: 'conv1d groups 2 dilation 3, 4 -> 6 channels', inputs: [n(3, 4, 31), n(6, 2, 3)],
    gradInputs: [n(1, 4, 11), n(2, 2, 3)], fn: conv1d({ groups: 2, dilation: 3 }) },
  { name: 'conv1d k4 padding same (1 before, 2 after), bias', inputs: [n(2, 5, 17), n(7, 5, 4), n(7)],
    gradInputs: [n(1, 2, 7), n(2, 2, 4), n(2)], fn: conv1d({ padding: 'same' }) },
  { name: 'conv1d k2 dilation 3 padding same, depthwise 8 channels', inputs: [n(2, 8, 13), n(8, 1, 2)],
    gradInputs: [n(1, 8, 7), n(8, 1, 2)], fn: conv1d({ padding: 'same', dilation: 3, groups: 8 }) },
  { name: 'conv1d 8 -> 37 channels over L 1031 (many workgroups)', inputs: [n(3, 8, 1031), n(37, 8, 5), n(37)],
    gradInputs: [n(1, 2, 8), n(3, 2, 5), n(3)], fn: conv1d({ padding: 2 }) },
  { name: 'conv1d length 1, k1, valid', inputs: [n(1, 1, 1), n(1, 1, 1), n(1)],
    gradInputs: [n(1, 1, 1), n(1, 1, 1), n(1)], fn: conv1d({ padding: 'valid' }) },
  { name: 'conv1d unbatched [C, L] input', inputs: [n(3, 13), n(4, 3, 3)], gradInputs: [n(2, 6), n(2, 2, 3)], fn: conv1d({ stride: [3] }) },
  // pooling: kernel 2/3, stride 1/2/3, padding
  ...([
    ['k2', { kernelSize: 2 }],
    ['k3 s1 p1', { kernelSize: 3, stride: 1, padding: 1 }],
    ['k3 s2 p1', { kernelSize: 3, stride: 2, padding: 1 }],
    ['k2 s3', { kernelSize: 2, stride: 3 }],
    ['k3 s3 p1', { kernelSize: 3, stride: 3, padding: 1 }],
    ['k [2, 3] s [1, 2] p [1, 0]', { kernelSize: [2, 3], stride: [1, 2], padding: [1, 0] }],
  ] as const).flatMap(([label, o]): OpCase[] => [
    { name: `maxPool2d ${label}`, inputs: [n(5, 3, 13, 17)], gradInputs: [n(2, 2, 5, 6)], fn: (x) => dg.maxPool2d(x, o) },
    { name: `avgPool2d ${label}`, inputs: [n(1, 8, 13, 17)], gradInputs: [n(2, 2, 5, 6)], fn: (x) => dg.avgPool2d(x, o) },
    { name: `avgPool2d ${label} countIncludePad false`, inputs: [n(5, 1, 13, 17)], gradInputs: [n(1, 3, 5, 7)],
      fn: (x) => dg.avgPool2d(x, { ...o, countIncludePad: false }) },
  ]),
  { name: 'maxPool2d unbatched [C, H, W]', inputs: [n(3, 13, 17)], gradInputs: [n(2, 5, 6)], fn: (x) => dg.maxPool2d(x, { kernelSize: 3, stride: 2 }) },
  // windows that tile the input (stride = kernel, no padding) take a backward kernel of their own
  { name: 'maxPool2d k3 tiled (13 % 3 and 17 % 3 rows and columns left over)', inputs: [n(5, 3, 13, 17)], gradInputs: [n(1, 2, 7, 8)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 3 }) },
  { name: 'maxPool2d k [2, 3] tiled over 29x31 (about 100 workgroups)', inputs: [n(5, 8, 29, 31)], gradInputs: [n(1, 2, 5, 7)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: [2, 3] }) },
  { name: 'maxPool2d k1 tiled (every element its own window)', inputs: [n(2, 3, 7, 5)], gradInputs: [n(1, 2, 3, 4)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 1 }) },
  // ceil mode: an extra partial window at the end of each axis ((size + 2 pad - kernel) % stride > 0)
  ...([
    ['k3 s2 ceil (7x8 instead of 6x7)', { kernelSize: 3, stride: 2, ceilMode: true }, [14, 16], [6, 8]],
    ['k2 ceil (partial last windows, not tiled)', { kernelSize: 2, ceilMode: true }, [13, 17], [5, 7]],
    ['k3 s2 p1 ceil', { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }, [14, 16], [6, 8]],
    ['k [3, 2] s [2, 3] p [1, 1] ceil', { kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true }, [14, 16], [6, 6]],
  ] as const).flatMap(([label, o, [h, w], [gh, gw]]): OpCase[] => [
    { name: `maxPool2d ${label}`, inputs: [n(5, 3, h, w)], gradInputs: [n(1, 2, gh, gw)], fn: (x) => dg.maxPool2d(x, o) },
    { name: `avgPool2d ${label}`, inputs: [n(2, 5, h, w)], gradInputs: [n(1, 2, gh, gw)], fn: (x) => dg.avgPool2d(x, o) },
    { name: `avgPool2d ${label} countIncludePad false`, inputs: [n(3, 2, h, w)], gradInputs: [n(1, 2, gh, gw)],
      fn: (x) => dg.avgPool2d(x, { ...o, countIncludePad: false }) },
  ]),
  { name: 'avgPool2d k3 s2 p1 ceil divisorOverride 5', inputs: [n(2, 3, 14, 16)], gradInputs: [n(1, 2, 6, 5)],
    fn: (x) => dg.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, divisorOverride: 5 }) },
  // dilated max pooling
  { name: 'maxPool2d k3 dilation 2 stride 1 pad 1', inputs: [n(5, 3, 13, 17)], gradInputs: [n(1, 2, 7, 6)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1, dilation: 2 }) },
  { name: 'maxPool2d k [2, 3] dilation [3, 2] stride [2, 1] ceil', inputs: [n(2, 3, 13, 17)], gradInputs: [n(1, 2, 8, 7)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: [2, 3], stride: [2, 1], dilation: [3, 2], ceilMode: true }) },
  { name: 'maxPool2d k2 dilation 3 (stride = kernel, yet not tiled) over 29x31', inputs: [n(5, 8, 29, 31)], gradInputs: [n(1, 1, 8, 7)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 2, dilation: 3 }) },
  { name: 'maxPool2d k3 s2 p1 dilation 2 ceil', inputs: [n(2, 3, 14, 16)], gradInputs: [n(1, 1, 8, 9)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true }) },
  // adaptive pools: bins that overlap (13 -> 5), outputs larger than inputs (5 -> 7), bins that
  // divide the input (the windowed kernels), a global pool and a null (kept) size
  ...([
    ['13x17 -> 5x7 (overlapping bins)', [5, 3, 13, 17], [1, 2, 7, 6], [5, 7]],
    ['5x3 -> 7x11 (more outputs than inputs)', [3, 4, 5, 3], [1, 2, 3, 2], [7, 11]],
    ['12x16 -> 3x4 (bins divide the input)', [2, 3, 12, 16], [1, 2, 6, 8], [3, 4]],
    ['29x31 -> 6x7 over many workgroups', [5, 8, 29, 31], [1, 1, 7, 9], [6, 7]],
    ['13x17 -> 1 (global)', [5, 3, 13, 17], [2, 2, 5, 7], 1],
    ['13x17 -> [4, null]', [2, 3, 13, 17], [1, 2, 7, 5], [4, null]],
    ['1x1 -> 3x2', [2, 3, 1, 1], [1, 2, 1, 1], [3, 2]],
  ] as const).flatMap(([label, shape, small, size]): OpCase[] => [
    { name: `adaptiveAvgPool2d ${label}`, inputs: [n(...shape)], gradInputs: [n(...small)], fn: (x) => dg.adaptiveAvgPool2d(x, size) },
    { name: `adaptiveMaxPool2d ${label}`, inputs: [n(...shape)], gradInputs: [n(...small)], fn: (x) => dg.adaptiveMaxPool2d(x, size) },
  ]),
  { name: 'adaptiveAvgPool2d unbatched [C, H, W]', inputs: [n(3, 13, 17)], gradInputs: [n(2, 5, 7)], fn: (x) => dg.adaptiveAvgPool2d(x, [3, 5]) },
];
