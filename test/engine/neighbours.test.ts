/**
 * The neighbour tasks (src/engine/tasks/neighbours.ts): targets computed by hand on the ring,
 * determinism under the seed, distinct inputs, splits that do not move when the training size
 * changes, vocabularies, and refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  generateNeighbourTask,
  isNeighbourTask,
  neighbourOutputs,
  neighbourTarget,
  type NeighbourTaskOptions,
} from '../../src/engine/tasks/neighbours';

const options: NeighbourTaskOptions = {
  seed: 7,
  trainSize: 300,
  validationSize: 40,
  testSize: 20,
  minLength: 5,
  maxLength: 5,
};

describe('neighbour tasks', () => {
  it('difference is right − left and sum is left + right, the first and last digits being neighbours', () => {
    const source = '3 1 4 1 5'.split(' ');
    // out_0 = x_1 − x_4 = 1 − 5; out_1 = x_2 − x_0 = 4 − 3; out_2 = 1 − 1; out_3 = 5 − 4; out_4 = x_0 − x_3 = 3 − 1.
    assert.deepEqual(neighbourTarget('difference', source), ['-4', '1', '0', '1', '2']);
    // out_0 = x_4 + x_1 = 5 + 1; out_1 = 3 + 4; out_2 = 1 + 1; out_3 = 4 + 5; out_4 = x_3 + x_0 = 1 + 3.
    assert.deepEqual(neighbourTarget('sum', source), ['6', '7', '2', '9', '4']);
    assert.deepEqual(neighbourTarget('difference', ['9', '0', '0']), ['0', '-9', '9']);
    assert.deepEqual(neighbourTarget('sum', ['9', '0', '9']), ['9', '18', '9']);
  });

  it('outputs: −9…9 for difference, 0…18 for sum; the vocabularies hold them all', () => {
    assert.deepEqual(neighbourOutputs('difference'), [
      ...['-9', '-8', '-7', '-6', '-5', '-4', '-3', '-2', '-1'],
      ...['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    ]);
    assert.equal(neighbourOutputs('sum').length, 19);
    assert.equal(neighbourOutputs('sum')[18], '18');
    for (const name of ['difference', 'sum'] as const) {
      const data = generateNeighbourTask(name, options);
      assert.equal(data.level, 'word');
      assert.deepEqual(data.sourceVocab.tokens.slice(4), '0123456789'.split(''));
      assert.deepEqual(data.targetVocab.tokens.slice(4), neighbourOutputs(name));
      for (const example of [...data.train, ...data.validation, ...data.test]) {
        assert.deepEqual(example.target, neighbourTarget(name, example.source));
        assert.ok(!data.targetVocab.encode(example.target).includes(3), 'every target token is in the vocabulary');
      }
    }
    assert.ok(isNeighbourTask('difference') && isNeighbourTask('sum') && !isNeighbourTask('copy'));
  });

  it('is deterministic under the seed, with distinct inputs, the sizes asked for and three probes', () => {
    const a = generateNeighbourTask('difference', options);
    const b = generateNeighbourTask('difference', options);
    assert.deepEqual(a, b);
    assert.notDeepEqual(generateNeighbourTask('difference', { ...options, seed: 8 }).train, a.train);
    assert.deepEqual([a.train.length, a.validation.length, a.test.length], [300, 40, 20]);
    const all = [...a.train, ...a.validation, ...a.test].map((example) => example.source.join(' '));
    assert.equal(new Set(all).size, all.length, 'no input appears twice');
    assert.ok(all.every((text) => text.split(' ').length === 5));
    assert.deepEqual(a.probes, a.validation.slice(0, 3));
    const varied = generateNeighbourTask('sum', { ...options, minLength: 3, maxLength: 6 });
    const lengths = new Set(varied.train.map((example) => example.source.length));
    assert.deepEqual([...lengths].sort(), [3, 4, 5, 6]);
  });

  it('a larger training set leaves the validation and test sets unchanged', () => {
    const small = generateNeighbourTask('difference', options);
    const large = generateNeighbourTask('difference', { ...options, trainSize: 600 });
    assert.deepEqual(large.test, small.test);
    assert.deepEqual(large.validation, small.validation);
    assert.deepEqual(large.train.slice(0, 300), small.train);
  });

  it('refuses lengths below 3 and more examples than the lengths allow', () => {
    assert.throws(() => generateNeighbourTask('difference', { ...options, minLength: 2 }), /3 ≤ min ≤ max/);
    assert.throws(() => generateNeighbourTask('difference', { ...options, minLength: 6, maxLength: 5 }), /3 ≤ min/);
    assert.throws(
      () => generateNeighbourTask('sum', { ...options, minLength: 3, maxLength: 3, trainSize: 600 }),
      /not available/,
    );
  });
});
