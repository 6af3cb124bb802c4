// Text preprocessing: word tokenizer with a vocabulary cap and an OOV id, padding/truncation,
// and the SpamAssassin corpus with its fixed seeded split.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { padSequences, Tokenizer, words } from '../src/data/text.js';
import { spamAssassin } from '../src/data/spamAssassin.js';
import { throwsWith } from './support/compare.js';

const test = suite('data text');

test('words are lower-cased runs of letters, digits and apostrophes', () => {
  assert.equal(words("Don't PANIC: 42 Über-cool e-mails!"), ["don't", 'panic', '42', 'über', 'cool', 'e', 'mails']);
  assert.equal(words('Keep Case', false), ['Keep', 'Case']);
});

test('ids go by frequency (ties by first appearance) after padding 0 and OOV 1', () => {
  const t = new Tokenizer().fitOnTexts(['the cat sat', 'the cat ran', 'the end']);
  assert.equal([...t.wordIndex], [['<OOV>', 1], ['the', 2], ['cat', 3], ['sat', 4], ['ran', 5], ['end', 6]]);
  assert.equal(t.textsToSequences(['The cat flew']), [[2, 3, 1]]);
  assert.is(t.vocabSize, 7);
});

test('numWords caps the vocabulary: rarer words become the OOV id', () => {
  const t = new Tokenizer({ numWords: 4 }).fitOnTexts(['a a a b b c d']);
  assert.equal(t.textToSequence('a b c d e'), [2, 3, 1, 1, 1]);
  assert.is(t.vocabSize, 4);
  const dropping = new Tokenizer({ numWords: 3, oovToken: null }).fitOnTexts(['a a a b b c d']);
  assert.equal(dropping.textToSequence('a b c d e'), [1, 2]);
});

test('padSequences pads and truncates at either end', () => {
  const seqs = [[1, 2, 3, 4, 5], [6], []];
  assert.equal([...padSequences(seqs, { maxLen: 3 }).data], [3, 4, 5, 0, 0, 6, 0, 0, 0]);
  const post = padSequences(seqs, { maxLen: 3, padding: 'post', truncating: 'post', value: 9 });
  assert.equal(post.shape, [3, 3]);
  assert.equal([...post.data], [1, 2, 3, 6, 9, 9, 9, 9, 9]);
});

test('bad tokenizer and padding options are errors', () => {
  throwsWith(() => new Tokenizer({ numWords: 1 }), ['numWords must be an integer >= 2', 'got 1'], 'numWords');
  throwsWith(() => padSequences([[1]], { maxLen: 0 }), ['maxLen must be a positive integer, got 0'], 'maxLen');
  throwsWith(() => padSequences([[1]], { maxLen: 2, padding: 'middle' as 'pre' }), ["padding must be 'pre' or 'post', got 'middle'"], 'padding');
});

test('spamAssassin: a stratified 80/20 split of 4150 ham and 1896 spam, fixed by the seed', () => {
  const started = performance.now();
  const train = spamAssassin({ split: 'train' });
  console.log(`    spamAssassin loaded in ${(performance.now() - started).toFixed(0)} ms`);
  const testSet = spamAssassin({ split: 'test' });
  const count = (labels: Int32Array, v: number) => labels.filter((l) => l === v).length;
  assert.equal([count(testSet.labels, 0), count(testSet.labels, 1)], [830, 379]);
  assert.equal([count(train.labels, 0), count(train.labels, 1)], [4150 - 830, 1896 - 379]);
  assert.ok(testSet.groups.every((g, i) => g.startsWith('spam') === (testSet.labels[i] === 1)));
  const trainIds = new Set(train.ids);
  assert.ok(testSet.ids.every((id) => !trainIds.has(id)), 'train and test hold different messages');
  const again = spamAssassin({ split: 'test', headers: true });
  assert.equal(again.ids, testSet.ids, 'the same seed gives the same split');
  assert.ok(again.texts.every((t, i) => t.endsWith(testSet.texts[i]!) && t.length > testSet.texts[i]!.length), 'bodies are the full messages without headers');
  const other = spamAssassin({ split: 'test', seed: 1 });
  assert.not.equal(other.ids, testSet.ids, 'another seed gives another split');
});

test.run();
