// The shader loader's template steps (src/backend/webgpu/shaders.ts): op codes written from
// the arrays in src/backend/backend.ts, line numbers kept. No device needed: the compiled
// result is exercised by every op test, and a mismatch fails dg.init's compile of all shaders.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS } from '../src/backend/backend.js';
import { shaderText } from '../src/backend/webgpu/shaderLibrary.js';
import { listShaders, opConstant, shaderSource, withOpCodes } from '../src/backend/webgpu/shaders.js';
import { throwsWith } from './support/compare.js';

const t = suite('shader loader: op codes');

const FAMILIES: [string, (readonly string[])[]][] = [
  ['unary', [UNARY_OPS]],
  ['binary', [BINARY_OPS, COMPARE_OPS]],
  ['reduce', [REDUCE_OPS]],
];

t('each op of an array becomes OP_<NAME> with its position, the number the dispatcher passes', () => {
  for (const [shader, arrays] of FAMILIES) {
    const src = shaderSource(shader);
    for (const ops of arrays) {
      ops.forEach((op, i) => assert.ok(src.includes(`const ${opConstant(op)}: u32 = ${i}u;`), `shaders/${shader}.wgsl: ${opConstant(op)} = ${i}`));
    }
  }
  assert.is(opConstant('leakyRelu'), 'OP_LEAKY_RELU');
  assert.is(opConstant('geluTanh'), 'OP_GELU_TANH');
  assert.is(opConstant('argmax'), 'OP_ARGMAX');
});

t('the op switches name their cases; no shader keeps a bare numbered case or an unexpanded line', () => {
  for (const name of listShaders()) {
    const src = shaderSource(name);
    assert.not.match(src, /^\/\/#op-codes/m, `shaders/${name}.wgsl: template line left`);
    assert.not.match(src, /case \d+u\b/, `shaders/${name}.wgsl: bare numbered case`);
  }
});

t('the template keeps every line where it was, so compile errors name the file\'s own lines', () => {
  for (const name of listShaders()) {
    assert.is(shaderSource(name).split('\n').length, shaderText(name).split('\n').length, `shaders/${name}.wgsl`);
  }
});

t('an op-codes line naming no array, or an unknown one, is refused with the file', () => {
  throwsWith(() => withOpCodes('x', 'a\n//#op-codes\nb'), ["shaders/x.wgsl: '//#op-codes' names no op array", 'UNARY_OPS'], 'empty');
  throwsWith(() => withOpCodes('x', '//#op-codes UNARY_OPS LOSS_OPS'), ["'LOSS_OPS'", 'none of UNARY_OPS, BINARY_OPS'], 'unknown');
});

t.run();
