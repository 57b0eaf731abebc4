/** Plain-Node tests of the webview's pure parts: strings, shape order, heat ramp. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fill } from '../../webview/i18n';
import { buildRamp, luminance, rampIndex, RAMP_SIZE } from '../../webview/heatColor';
import { formatShape, orderShapes } from '../../webview/shapeOrder';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { loadRecording } from './fixtures/recording';

describe('webview strings', () => {
  it('has the same keys and placeholders in English and Chinese', () => {
    assert.deepEqual(Object.keys(WEBVIEW_STRINGS_ZH_CN).sort(), Object.keys(WEBVIEW_STRINGS_EN).sort());
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, en] of Object.entries(WEBVIEW_STRINGS_EN)) {
      const zh = WEBVIEW_STRINGS_ZH_CN[key as keyof typeof WEBVIEW_STRINGS_EN];
      assert.ok(zh.trim().length > 0, `${key} is empty in zh-cn`);
      assert.deepEqual(placeholders(zh), placeholders(en), `placeholders of ${key}`);
    }
  });

  it('writes Chinese in the Chinese table', () => {
    const withHan = Object.values(WEBVIEW_STRINGS_ZH_CN).filter((s) => /\p{Script=Han}/u.test(s));
    assert.ok(withHan.length > Object.keys(WEBVIEW_STRINGS_ZH_CN).length * 0.9);
  });

  it('fills placeholders and leaves unknown ones', () => {
    assert.equal(fill('Epoch {epoch} / {epochs} {x}', { epoch: 3, epochs: 6 }), 'Epoch 3 / 6 {x}');
  });
});

describe('shape table order', () => {
  const shapes = loadRecording().init.run!.shapes;
  const names = (list: { name: string }[]): string[] => list.map((s) => s.name);

  it('puts attention_weights, context, logits first, then file order', () => {
    const first = ['attention_weights', 'context', 'logits'];
    assert.deepEqual(names(orderShapes(shapes)), [...first, ...names(shapes).filter((name) => !first.includes(name))]);
    const weights = shapes.find((s) => s.name === 'attention_weights')!;
    assert.equal(formatShape(weights), `[batch, target_len, source_len] = [${weights.shape.join(', ')}]`);
  });

  it('keeps file order when the attention tensors are missing (seq2seq)', () => {
    const withoutAttention = shapes.filter(
      (s) => !['attention_weights', 'context', 'attention_scores'].includes(s.name),
    );
    assert.deepEqual(names(orderShapes(withoutAttention)), [
      'logits',
      ...names(withoutAttention).filter((name) => name !== 'logits'),
    ]);
  });
});

describe('heat ramp', () => {
  const bases = [
    { r: 26, g: 133, b: 255 },
    { r: 55, g: 148, b: 255 },
    { r: 255, g: 255, b: 0 },
    { r: 137, g: 209, b: 133 },
    { r: 255, g: 255, b: 255 },
  ];
  for (const base of bases) {
    for (const dark of [false, true]) {
      it(`gets darker as the weight grows (base ${JSON.stringify(base)}, dark ${dark})`, () => {
        const ramp = buildRamp(base, dark);
        const lum = (i: number) => luminance({ r: ramp[i * 3], g: ramp[i * 3 + 1], b: ramp[i * 3 + 2] });
        for (let i = 1; i < RAMP_SIZE; i++) assert.ok(lum(i) <= lum(i - 1), `entry ${i}`);
        for (let w = 0.05; w <= 1; w += 0.05)
          assert.ok(lum(rampIndex(w)) < lum(rampIndex(w - 0.05)), `weight ${w.toFixed(2)}`);
        assert.ok(lum(0) - lum(RAMP_SIZE - 1) > 0.5, 'the ramp spans a wide range of lightness');
      });
    }
  }
});
