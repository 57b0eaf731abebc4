/**
 * Every named tensor and weight of every trainable chapter knows the line of its chapter's code
 * that creates it (the shape table links to it): the line exists, mentions the name (or the prefix
 * a building block extends), and creates a tensor or declares a parameter. Chapters added later
 * are covered by the same loop.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { disposeBatch } from '../../src/engine/train/batches';
import { describeShapes } from '../../src/engine/train/shapes';
import { CREATES, STATEMENT_LINES, candidates, namePattern } from '../../src/engine/train/sources';
import { smallRun, trainableChapters, useBackend } from './helpers';

const root = path.resolve(__dirname, '..', '..');

describe('shape table: every tensor and weight links to the line that creates it', () => {
  before(() => useBackend('cpu'));

  for (const chapter of trainableChapters()) {
    it(chapter.info.id, () => {
      const { hyper, data } = smallRun(chapter);
      const parameters = new Parameters(createRandom(1));
      const model = chapter.createModel(parameters, hyper, data);
      const batch = data.firstBatch(2);
      const entries = tf.tidy(() =>
        describeShapes(chapter.info, model.forward(batch, { training: false, seed: 0 }).named, parameters),
      );
      disposeBatch(batch);
      parameters.dispose();
      assert.ok(entries.length > 0);
      for (const entry of entries) {
        assert.ok(entry.source, `${entry.name} has no source line`);
        assert.match(entry.source.file, new RegExp(`^src/engine/chapters/${chapter.info.id}/[\\w.-]+\\.ts$`));
        const lines = fs.readFileSync(path.join(root, entry.source.file), 'utf8').split('\n');
        const line = lines[entry.source.line - 1];
        assert.ok(line !== undefined, `${entry.name}: ${entry.source.file}:${entry.source.line} does not exist`);
        // The statement that starts there (a call the formatter wrapped spans a few lines).
        const statement = lines.slice(entry.source.line - 1, entry.source.line + STATEMENT_LINES).join('\n');
        const mentioned = candidates(entry.name).some((prefix) => namePattern(prefix).test(statement));
        assert.ok(
          mentioned,
          `${entry.name}: line ${entry.source.line} of ${entry.source.file} does not mention it: ${line.trim()}`,
        );
        assert.match(line, CREATES, `${entry.name}: line ${entry.source.line} creates nothing: ${line.trim()}`);
      }
    });
  }
});
