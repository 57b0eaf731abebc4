/** Plain-Node tests of the webview's pure parts: strings, numbers, shape order, colour scales, map grouping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapKey, packMap } from '../../src/shared/run/attention';
import type { AttentionMap, ShapeEntry } from '../../src/shared/run/records';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import {
  buildDivergingRamp,
  buildRamp,
  divergingColour,
  luminance,
  rampIndex,
  RAMP_SIZE,
} from '../../webview/heatColor';
import { fill } from '../../webview/i18n';
import {
  decode,
  defaultMap,
  groupMaps,
  headsSharingKv,
  leakedMass,
  modesOf,
  rowSums,
  showsLeak,
} from '../../webview/mapData';
import { compact, comparePair, fixed, relation } from '../../webview/numbers';
import { formatShape, orderShapes } from '../../webview/shapeOrder';
import { encoderDecoderSnapshot, gqaSnapshot, rowSum, transformerProbe } from './fixtures/formatTwo';
import { THEMES } from './themes';

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

describe('numbers', () => {
  it('prints fixed decimals, a dash for NaN, no negative zero', () => {
    assert.equal(fixed(0.71944, 3), '0.719');
    assert.equal(fixed(Number.NaN), '–');
    assert.equal(fixed(-0.0001, 3), '0.000');
    assert.equal(fixed(Number.POSITIVE_INFINITY), '∞');
  });

  it('prints compact numbers', () => {
    assert.equal(compact(3e-7), '3e-7');
    assert.equal(compact(2.96e-7), '3e-7');
    assert.equal(compact(1e-5), '1e-5');
    assert.equal(compact(0.7194, 4), '0.7194');
    assert.equal(compact(0.0213, 2), '0.021');
    assert.equal(compact(0), '0');
    assert.equal(compact(1_500_000, 2), '1.5e6');
    assert.equal(compact(128, 6), '128');
    assert.equal(compact(Number.NaN), 'NaN');
  });

  it('prints a value and its threshold so that the printed pair agrees with the stored pair', () => {
    assert.deepEqual(comparePair(3e-7, 1e-5), { value: '3e-7', threshold: '1e-5' });
    assert.deepEqual(comparePair(1.04e-5, 1e-5), { value: '1.04e-5', threshold: '1e-5' });
    assert.deepEqual(comparePair(0.996e-5, 1e-5), { value: '9.96e-6', threshold: '1e-5' });
    // 1.151e-5 rounds to 1.2e-5, which would read as above 1.16e-5: more digits are printed.
    assert.deepEqual(comparePair(1.151e-5, 1.16e-5), { value: '1.15e-5', threshold: '1.16e-5' });
    for (const [value, threshold] of [
      [0.3, 0.3],
      [0.93, 0.9],
      [0.0213, 0],
      [0.899999, 0.9],
    ]) {
      const pair = comparePair(value, threshold);
      assert.equal(
        Math.sign(Number(pair.value) - Number(pair.threshold)),
        Math.sign(value - threshold),
        `${value} vs ${threshold}`,
      );
    }
  });

  it('shows the relation that holds, not the one required', () => {
    assert.equal(relation(3e-7, 1e-5, 'at-most'), '≤');
    assert.equal(relation(0.02, 0, 'at-most'), '>');
    assert.equal(relation(0.93, 0.9, 'at-least'), '≥');
    assert.equal(relation(0.5, 0.9, 'at-least'), '<');
    assert.equal(relation(Number.NaN, 1e-5, 'at-most'), '≰');
  });
});

describe('shape table order', () => {
  const entry = (name: string, dims: string[], shape: number[]): ShapeEntry => ({
    name,
    kind: 'activation',
    dims,
    shape,
    meaning: { en: name, 'zh-cn': name },
  });
  const shapes = [
    entry('source_ids', ['batch', 'source_len'], [64, 6]),
    entry('logits', ['batch', 'target_len', 'vocab'], [64, 5, 120]),
    entry('context', ['batch', 'target_len', 'hidden'], [64, 5, 32]),
    entry('attention_weights', ['batch', 'target_len', 'source_len'], [64, 5, 6]),
  ];

  it('puts attention_weights, context, logits first, then file order', () => {
    assert.deepEqual(
      orderShapes(shapes).map((s) => s.name),
      ['attention_weights', 'context', 'logits', 'source_ids'],
    );
    assert.equal(formatShape(shapes[3]), '[batch, target_len, source_len] = [64, 5, 6]');
  });
});

describe('colour scales', () => {
  const bases = [
    { r: 26, g: 133, b: 255 },
    { r: 55, g: 148, b: 255 },
    { r: 255, g: 255, b: 0 },
    { r: 137, g: 209, b: 133 },
    { r: 255, g: 255, b: 255 },
  ];
  const monotonic = (ramp: Uint8ClampedArray, what: string): void => {
    const lum = (i: number) => luminance({ r: ramp[i * 3], g: ramp[i * 3 + 1], b: ramp[i * 3 + 2] });
    for (let i = 1; i < RAMP_SIZE; i++) assert.ok(lum(i) <= lum(i - 1), `${what}: entry ${i}`);
    for (let w = 0.05; w <= 1; w += 0.05)
      assert.ok(lum(rampIndex(w)) < lum(rampIndex(w - 0.05)), `${what}: weight ${w.toFixed(2)}`);
    assert.ok(lum(0) - lum(RAMP_SIZE - 1) > 0.5, `${what}: the ramp spans a wide range of lightness`);
  };
  for (const base of bases) {
    for (const dark of [false, true]) {
      it(`gets darker as the weight grows (base ${JSON.stringify(base)}, dark ${dark})`, () => {
        monotonic(buildRamp(base, dark), JSON.stringify(base));
      });
    }
  }

  const hex = (value: string) => ({
    r: parseInt(value.slice(1, 3), 16),
    g: parseInt(value.slice(3, 5), 16),
    b: parseInt(value.slice(5, 7), 16),
  });
  for (const theme of THEMES) {
    it(`keeps the map and diverging scales monotonic in the ${theme.name} theme`, () => {
      const dark = theme.name !== 'light';
      monotonic(buildRamp(hex(theme.variables['--vscode-charts-blue']), dark), `${theme.name} map`);
      const diverging = buildDivergingRamp(
        hex(theme.variables['--vscode-charts-blue']),
        hex(theme.variables['--vscode-charts-red']),
        dark,
      );
      const out = new Uint8ClampedArray(3);
      const lum = (value: number) => {
        divergingColour(diverging, value, out, 0);
        return luminance({ r: out[0], g: out[1], b: out[2] });
      };
      for (let m = 0.05; m <= 1; m += 0.05) {
        assert.ok(lum(m) < lum(m - 0.05), `${theme.name}: +${m.toFixed(2)} is darker than +${(m - 0.05).toFixed(2)}`);
        assert.ok(
          lum(-m) < lum(-(m - 0.05)),
          `${theme.name}: −${m.toFixed(2)} is darker than −${(m - 0.05).toFixed(2)}`,
        );
      }
    });
  }
});

describe('map grouping', () => {
  const probe = transformerProbe(3, 0);
  const forward = probe.maps.filter((map) => map.mode === 'forward');

  it('groups a Transformer probe into encoder self, decoder masked self and cross, layers × heads', () => {
    assert.deepEqual(modesOf(probe.maps), ['forward', 'generated']);
    const groups = groupMaps(forward);
    assert.deepEqual(
      groups.map((g) => g.id),
      ['encoder/self', 'decoder/causal-self', 'decoder/cross'],
    );
    for (const group of groups) {
      assert.deepEqual(group.layers, [0, 1]);
      assert.deepEqual(group.heads, [0, 1, 2, 3]);
      assert.equal(group.maps.length, 8);
      assert.equal(group.sharing, null);
    }
    assert.equal(mapKey(defaultMap(forward)!), 'decoder/cross/0/0');
  });

  it('reads grouped-query attention: which query heads share a key/value head', () => {
    const maps = gqaSnapshot(1).probes[0].maps;
    const groups = groupMaps(maps);
    assert.deepEqual(groups[0].sharing, { queries: 4, kvHeads: 2 });
    const head3 = maps.find((m) => m.layer === 1 && m.head === 3)!;
    assert.deepEqual(headsSharingKv(maps, head3), [2, 3]);
  });

  it('decodes once, sums rows, and reports a damaged map as null', () => {
    const map = encoderDecoderSnapshot(2).probes[0].maps[0];
    const data = decode(map)!;
    assert.equal(decode(map), data, 'decoded once');
    const sums = rowSums(data);
    for (let r = 0; r < data.rows; r++) {
      assert.equal(sums[r], rowSum(map, r));
      assert.ok(Math.abs(sums[r] - 1) < 1e-6);
    }
    const damaged: AttentionMap = { ...map, weights: { ...map.weights, data: '!'.repeat(map.weights.data.length) } };
    assert.equal(decode(damaged), null);
  });
});

describe('leaked mass of a masked self-attention map', () => {
  const tokens = ['<bos>', 'a', 'b'];
  const map = (weights: number[], mask: number[] | null, rowTokens = tokens): AttentionMap =>
    packMap({
      kind: 'causal-self',
      stack: 'decoder',
      layer: 0,
      head: 0,
      mode: 'forward',
      rowTokens,
      columnTokens: tokens,
      weights: Float64Array.from(weights),
      mask: mask ? Uint8Array.from(mask) : null,
    });

  it('is the mean over rows of the weight above the diagonal, and its largest row (hand-computed)', () => {
    // Rows leak 0.3 + 0.2 = 0.5, 0.25, 0 (the last row has nothing after it): mean 0.75 / 3, largest 0.5.
    const leak = leakedMass(decode(map([0.5, 0.3, 0.2, 0.15, 0.6, 0.25, 0.125, 0.375, 0.5], null))!);
    assert.ok(Math.abs(leak.mean - 0.25) < 1e-7, `mean ${leak.mean}`);
    assert.ok(Math.abs(leak.max - 0.5) < 1e-7, `max ${leak.max}`);
  });

  it('counts the cells the mask forbids: a weak mask leaks through them', () => {
    const causal = [1, 0, 0, 1, 1, 0, 1, 1, 1];
    const leak = leakedMass(decode(map([0.96, 0.02, 0.02, 0.49, 0.49, 0.02, 0.25, 0.25, 0.5], causal))!);
    assert.ok(Math.abs(leak.mean - 0.06 / 3) < 1e-7, `mean ${leak.mean}`);
    assert.ok(Math.abs(leak.max - 0.04) < 1e-7, `max ${leak.max}`);
  });

  it('is exactly 0 on a causal map, in the teacher-forced pass and while generating', () => {
    for (const probe of [transformerProbe(3, 0), transformerProbe(4, 1)]) {
      const causal = probe.maps.filter((m) => m.kind === 'causal-self');
      assert.ok(causal.some((m) => m.mode === 'forward') && causal.some((m) => m.mode === 'generated'));
      for (const m of causal) assert.deepEqual(leakedMass(decode(m)!), { mean: 0, max: 0 });
    }
    // Rows of a shorter generation (2 steps over 3 keys): the cells after each step are 0.
    assert.deepEqual(leakedMass(decode(map([1, 0, 0, 0.5, 0.5, 0], [1, 0, 0, 1, 1, 0], ['a', 'b']))!), {
      mean: 0,
      max: 0,
    });
  });

  it('is reported for masked self-attention maps only', () => {
    const kinds = transformerProbe(3, 0)
      .maps.filter((m) => showsLeak(m))
      .map((m) => `${m.stack}/${m.kind}`);
    assert.ok(kinds.length > 0);
    assert.deepEqual([...new Set(kinds)], ['decoder/causal-self']);
  });
});
