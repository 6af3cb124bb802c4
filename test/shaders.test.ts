// The shader loader's template steps (src/backend/webgpu/shaders.ts): op codes and flag bits
// written from the arrays in src/backend/webgpu/shaderConstants.ts, line numbers kept. No device needed: the compiled
// result is exercised by every op test, and a mismatch fails dg.init's compile of all shaders.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS } from '../src/backend/backend.js';
import { shaderText } from '../src/backend/webgpu/shaderLibrary.js';
import { flagBit, OPTIM_FLAGS } from '../src/backend/webgpu/shaderConstants.js';
import { listShaders, opConstant, shaderSource, withConstants } from '../src/backend/webgpu/shaders.js';
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

t('each optimizer flag becomes FLAG_<NAME> with the bit the dispatcher packs', () => {
  const src = shaderSource('optim');
  for (const flag of OPTIM_FLAGS) assert.ok(src.includes(`const FLAG_${flag.toUpperCase()}: u32 = ${flagBit(flag)}u;`), `FLAG_${flag.toUpperCase()}`);
  assert.equal(OPTIM_FLAGS.map(flagBit), [1, 2, 4, 8]);
});

t('the op switches name their cases; no shader keeps a bare numbered case or an unexpanded line', () => {
  for (const name of listShaders()) {
    const src = shaderSource(name);
    assert.not.match(src, /^\/\/#/m, `shaders/${name}.wgsl: template line left`);
    assert.not.match(src, /case \d+u\b/, `shaders/${name}.wgsl: bare numbered case`);
  }
});

t('the template keeps every line where it was, so compile errors name the file\'s own lines', () => {
  for (const name of listShaders()) {
    assert.is(shaderSource(name).split('\n').length, shaderText(name).split('\n').length, `shaders/${name}.wgsl`);
  }
});

t('a template line naming no array, an unknown one, or an unknown step is refused with the file', () => {
  throwsWith(() => withConstants('x', 'a\n//#op-codes\nb'), ["shaders/x.wgsl: '//#op-codes' names no array", 'UNARY_OPS'], 'empty');
  throwsWith(() => withConstants('x', '//#op-codes UNARY_OPS LOSS_OPS'), ["'LOSS_OPS'", 'none of UNARY_OPS, BINARY_OPS'], 'unknown array');
  throwsWith(() => withConstants('x', '//#flags UNARY_OPS'), ["'//#flags' names 'UNARY_OPS'", 'OPTIM_FLAGS'], 'array of the other step');
  throwsWith(() => withConstants('x', '//#op-code UNARY_OPS'), ["unknown template line '//#op-code UNARY_OPS'", '//#op-codes or //#flags'], 'unknown step');
});

t.run();
