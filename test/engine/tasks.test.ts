import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../src/engine/random';
import { Vocab, SPECIAL_TOKENS, PAD_ID, BOS_ID, EOS_ID, UNK_ID } from '../../src/engine/tasks/vocab';
import {
  DATE_COUNT,
  DATE_FORMATS,
  DATE_FORMAT_IDS,
  dateAt,
  daysSinceEpoch,
  expandTwoDigitYear,
  formatDate,
  isValidDate,
  ordinal,
  toIsoDate,
  weekdayName,
  type CalendarDate,
} from '../../src/engine/tasks/dates';
import {
  MAX_SOURCE_WORDS,
  adjectiveNoun,
  adverbialSentence,
  comparative,
  existential,
  numeralNoun,
  phraseLexicon,
  possessive,
  ppModifier,
  relativeNoun,
} from '../../src/engine/tasks/phrases';
import {
  DEFAULT_TASK_SIZES,
  TASK_NAMES,
  drawUniqueExamples,
  generateTask,
  getTaskGrammar,
  isTaskName,
  joinTokens,
  taskCapacity,
  tokenize,
} from '../../src/engine/tasks';
import type { Example, TaskData } from '../../src/engine/tasks/types';

const SMALL = { trainSize: 400, validationSize: 50, testSize: 50 };

function key(example: Example, level: 'char' | 'word'): string {
  return joinTokens(example.source, level);
}

function parseIso(iso: string): CalendarDate {
  const [y, m, d] = iso.split('-').map(Number);
  return { y: y as number, m: m as number, d: d as number };
}

describe('random', () => {
  test('same seed gives the same stream, different seeds differ', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    const sb = Array.from({ length: 20 }, () => b.next());
    const sc = Array.from({ length: 20 }, () => c.next());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
    assert.ok(sa.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(
      Array.from({ length: 5 }, createRandom(2 ** 32 + 1).next),
      Array.from({ length: 5 }, createRandom(1).next),
    );
  });

  test('int, pick, shuffle and normal behave', () => {
    const random = createRandom(7);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 5000; i++) counts[random.int(5)]! += 1;
    assert.ok(
      counts.every((c) => c > 850 && c < 1150),
      `int(5) counts ${counts}`,
    );
    assert.throws(() => random.int(0), RangeError);
    assert.throws(() => random.pick([]), RangeError);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = random.shuffle([...items]);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual(
      [...shuffled].sort((x, y) => x - y),
      items,
    );
    const samples = Array.from({ length: 20000 }, () => random.normal());
    const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
    const variance = samples.reduce((s, x) => s + (x - mean) ** 2, 0) / samples.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
    assert.throws(() => createRandom(Number.NaN), RangeError);
  });
});

describe('vocab', () => {
  test('specials first, duplicates dropped, order kept, unknown → <unk>', () => {
    const vocab = new Vocab(['b', 'a', 'b', '<eos>', 'c']);
    assert.deepEqual(vocab.tokens, [...SPECIAL_TOKENS, 'b', 'a', 'c']);
    assert.equal(vocab.size, 7);
    assert.deepEqual(
      [PAD_ID, BOS_ID, EOS_ID, UNK_ID].map((id) => vocab.token(id)),
      [...SPECIAL_TOKENS],
    );
    assert.equal(vocab.id('a'), 5);
    assert.equal(vocab.id('zzz'), UNK_ID);
    assert.deepEqual(vocab.encode(['a', 'x', 'c']), [5, UNK_ID, 6]);
    assert.throws(() => vocab.token(7), RangeError);
  });

  test('decode stops at <eos> and drops <pad> and <bos>', () => {
    const vocab = new Vocab(['x', 'y']);
    assert.deepEqual(vocab.decode([BOS_ID, 4, PAD_ID, 5, UNK_ID, EOS_ID, 4, 4]), ['x', 'y', '<unk>']);
    assert.deepEqual(vocab.decode(vocab.encode(['y', 'x'])), ['y', 'x']);
  });

  test('toJSON / fromJSON round-trip exactly', () => {
    const vocab = new Vocab(['年', ' ', 'a', '<unk>']);
    const json = JSON.parse(JSON.stringify(vocab)) as string[];
    assert.deepEqual(json, [...SPECIAL_TOKENS, '年', ' ', 'a']);
    const back = Vocab.fromJSON(json);
    assert.deepEqual(back.tokens, vocab.tokens);
    assert.deepEqual(Vocab.fromJSON(back.toJSON()).tokens, vocab.tokens);
    assert.throws(() => Vocab.fromJSON(['a', 'b']), /must be <pad>/);
    assert.throws(() => Vocab.fromJSON([...SPECIAL_TOKENS, 'a', 'a']), /duplicates/);
    assert.throws(() => Vocab.fromJSON('nope'), TypeError);
  });
});

describe('tokenize / joinTokens', () => {
  test('char level keeps every character', () => {
    assert.deepEqual(tokenize('May 3, 1998', 'char'), ['M', 'a', 'y', ' ', '3', ',', ' ', '1', '9', '9', '8']);
    assert.equal(joinTokens(tokenize(' 3.5.98 ', 'char'), 'char'), ' 3.5.98 ');
  });

  test('word level lower-cases, splits on whitespace and detaches the possessive', () => {
    assert.deepEqual(tokenize('  The Book  on\tthe TABLE\n', 'word'), ['the', 'book', 'on', 'the', 'table']);
    assert.deepEqual(tokenize("My friend's car", 'word'), ['my', 'friend', "'s", 'car']);
    assert.deepEqual(tokenize("my friend 's car", 'word'), ['my', 'friend', "'s", 'car']);
    assert.deepEqual(tokenize('桌子 上 的 书', 'word'), ['桌子', '上', '的', '书']);
    assert.equal(joinTokens(['桌子', '上', '的', '书'], 'word'), '桌子 上 的 书');
    assert.equal(joinTokens(['1', '9'], 'char'), '19');
  });

  test('task names', () => {
    assert.deepEqual([...TASK_NAMES], ['dates', 'phrases']);
    assert.ok(isTaskName('dates') && isTaskName('phrases'));
    assert.ok(!isTaskName('Dates') && !isTaskName('copy'));
  });
});

describe('dates', () => {
  const may3: CalendarDate = { y: 1998, m: 5, d: 3 };

  test('every format writes 3 May 1998 as documented', () => {
    assert.ok(DATE_FORMATS.length >= 12);
    const expected: Record<string, string> = {
      compact: '19980503',
      'us-slash': '05/03/1998',
      'us-slash-short': '5/3/98',
      'eu-dot': '03.05.1998',
      'eu-dot-short': '3.5.98',
      'ymd-dot': '1998.05.03',
      'day-month-year': '3 May 1998',
      'day-mon-yy-upper': '3 MAY 98',
      'day-mon-year-dash': '03-May-1998',
      'month-day-year': 'May 3, 1998',
      'month-ordinal-lower': 'may 3rd 1998',
      'ordinal-of-month': 'the 3rd of May 1998',
      'weekday-mon-short': 'Sun 3 May 1998',
      'weekday-long': 'Sunday, May 3, 1998',
    };
    assert.deepEqual(Object.fromEntries(DATE_FORMAT_IDS.map((id) => [id, formatDate(may3, id)])), expected);
    for (const format of DATE_FORMATS) assert.equal(formatDate(may3, format.id), format.example);
  });

  test('other dates: two-digit years, ordinals, long and short forms', () => {
    assert.equal(formatDate({ y: 2004, m: 2, d: 29 }, 'weekday-long'), 'Sunday, February 29, 2004');
    assert.equal(formatDate({ y: 2004, m: 2, d: 29 }, 'us-slash-short'), '2/29/04');
    assert.equal(formatDate({ y: 1950, m: 12, d: 1 }, 'eu-dot-short'), '1.12.50');
    assert.equal(formatDate({ y: 2049, m: 9, d: 22 }, 'day-mon-yy-upper'), '22 SEP 49');
    assert.equal(formatDate({ y: 2011, m: 11, d: 11 }, 'month-ordinal-lower'), 'november 11th 2011');
    assert.equal(formatDate({ y: 1977, m: 12, d: 23 }, 'ordinal-of-month'), 'the 23rd of December 1977');
    assert.equal(formatDate({ y: 1977, m: 9, d: 28 }, 'weekday-long'), 'Wednesday, September 28, 1977');
    assert.equal(formatDate({ y: 2001, m: 9, d: 11 }, 'weekday-mon-short'), 'Tue 11 Sep 2001');
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].map(ordinal), [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '31st',
    ]);
    assert.equal(expandTwoDigitYear(49), 2049);
    assert.equal(expandTwoDigitYear(50), 1950);
    assert.equal(expandTwoDigitYear(0), 2000);
    assert.equal(expandTwoDigitYear(99), 1999);
    assert.throws(() => formatDate({ y: 2001, m: 2, d: 29 }, 'compact'), RangeError);
  });

  test('weekdays of known dates, and of every date against Date', () => {
    assert.equal(weekdayName({ y: 2000, m: 1, d: 1 }), 'Saturday');
    assert.equal(weekdayName({ y: 1969, m: 7, d: 20 }), 'Sunday');
    assert.equal(weekdayName({ y: 2001, m: 9, d: 11 }), 'Tuesday');
    assert.equal(weekdayName(may3), 'Sunday');
    const names = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    for (let i = 0; i < DATE_COUNT; i += 1) {
      const date = dateAt(i);
      const js = new Date(Date.UTC(date.y, date.m - 1, date.d));
      assert.equal(weekdayName(date), names[js.getUTCDay()]);
      assert.equal(toIsoDate(date), js.toISOString().slice(0, 10));
    }
  });

  test('the range is 1950-01-01 .. 2049-12-31, every day once, leap years right', () => {
    assert.equal(DATE_COUNT, 36525);
    assert.deepEqual(dateAt(0), { y: 1950, m: 1, d: 1 });
    assert.deepEqual(dateAt(DATE_COUNT - 1), { y: 2049, m: 12, d: 31 });
    assert.throws(() => dateAt(DATE_COUNT), RangeError);
    const leapDays: number[] = [];
    for (let i = 0; i < DATE_COUNT; i++) {
      const date = dateAt(i);
      assert.ok(isValidDate(date));
      assert.equal(daysSinceEpoch(date) - daysSinceEpoch(dateAt(0)), i);
      if (date.m === 2 && date.d === 29) leapDays.push(date.y);
    }
    assert.equal(leapDays.length, 25);
    assert.ok(leapDays.includes(2000));
    assert.ok(leapDays.every((y) => y % 4 === 0));
    assert.ok(isValidDate({ y: 2000, m: 2, d: 29 }));
    assert.ok(!isValidDate({ y: 2001, m: 2, d: 29 }));
    assert.ok(!isValidDate({ y: 1900, m: 1, d: 1 }));
    assert.ok(!isValidDate({ y: 2050, m: 1, d: 1 }));
    assert.ok(!isValidDate({ y: 2021, m: 4, d: 31 }));
  });

  test('no two (date, format) pairs write the same string', () => {
    const seen = new Set<string>();
    for (let i = 0; i < DATE_COUNT; i++) {
      const date = dateAt(i);
      for (const id of DATE_FORMAT_IDS) seen.add(formatDate(date, id));
    }
    assert.equal(seen.size, DATE_COUNT * DATE_FORMAT_IDS.length);
    assert.equal(taskCapacity('dates'), DATE_COUNT * DATE_FORMAT_IDS.length);
  });

  test('generated examples are real dates written in one of the formats', () => {
    const data = generateTask('dates', { seed: 3, ...SMALL });
    assert.equal(data.level, 'char');
    const all = [...data.train, ...data.validation, ...data.test];
    const formatsSeen = new Set<string>();
    for (const example of all) {
      const iso = example.target.join('');
      assert.match(iso, /^\d{4}-\d{2}-\d{2}$/);
      const date = parseIso(iso);
      assert.ok(isValidDate(date), iso);
      const source = example.source.join('');
      const format = DATE_FORMAT_IDS.find((id) => formatDate(date, id) === source);
      assert.ok(format, `"${source}" is not ${iso} in any format`);
      formatsSeen.add(format);
      assert.ok(example.source.every((ch) => ch.length === 1));
    }
    assert.equal(formatsSeen.size, DATE_FORMAT_IDS.length);
    const lengths = all.map((e) => e.source.length);
    assert.ok(
      Math.min(...lengths) <= 7 && Math.max(...lengths) >= 25,
      `lengths ${Math.min(...lengths)}..${Math.max(...lengths)}`,
    );
    assert.ok(Math.max(...lengths) <= 30);
  });

  test('2001-02-29 is never generated, 2000-02-29 can be', () => {
    const grammar = getTaskGrammar('dates');
    const targets = new Set<string>();
    for (let i = 0; i < DATE_COUNT; i++) {
      const date = dateAt(i);
      if (date.m !== 2 || date.d < 28) continue;
      for (const family of grammar.families) targets.add(family.at(i).target.join(''));
    }
    assert.equal(targets.size, 100 + 25);
    assert.ok(targets.has('2000-02-29'));
    assert.ok(!targets.has('2001-02-29'));
    assert.ok(!targets.has('2100-02-29'));
  });

  // Generation speed is measured by `npm run bench`, not asserted here.
  test('default sizes give 12000 distinct examples', () => {
    const data = generateTask('dates', { seed: 11, trainSize: 10000, validationSize: 1000, testSize: 1000 });
    assert.equal(data.train.length + data.validation.length + data.test.length, 12000);
    const sources = new Set([...data.train, ...data.validation, ...data.test].map((e) => e.source.join('')));
    assert.equal(sources.size, 12000);
  });
});

describe('phrases', () => {
  const grammar = getTaskGrammar('phrases');

  /** Every example of the grammar: source → target. */
  const everything = (() => {
    const map = new Map<string, string>();
    const duplicates: string[] = [];
    const sourceTokens = new Set<string>();
    const targetTokens = new Set<string>();
    let minLength = Infinity;
    let maxLength = 0;
    for (const family of grammar.families) {
      for (let i = 0; i < family.count; i++) {
        const example = family.at(i);
        const source = example.source.join(' ');
        if (map.has(source)) duplicates.push(source);
        map.set(source, example.target.join(' '));
        for (const t of example.source) sourceTokens.add(t);
        for (const t of example.target) targetTokens.add(t);
        minLength = Math.min(minLength, example.source.length);
        maxLength = Math.max(maxLength, example.source.length);
      }
    }
    return { map, duplicates, sourceTokens, targetTokens, minLength, maxLength };
  })();

  test('the lexicon has at least 80 English words of every kind', () => {
    const lexicon = phraseLexicon();
    const englishWords = new Set(lexicon.flatMap((entry) => entry.en.split(' ')));
    assert.ok(englishWords.size >= 80, `${englishWords.size} words`);
    const byKind = (kind: string) => new Set(lexicon.filter((e) => e.kind === kind).map((e) => e.en)).size;
    assert.ok(byKind('noun') >= 40);
    assert.ok(byKind('verb') >= 20);
    assert.ok(byKind('adjective') >= 15);
    assert.ok(byKind('preposition') >= 6);
    assert.equal(byKind('number'), 10);
    assert.ok(englishWords.has('the') || grammar.sourceTokens.includes('the'));
  });

  test('hand-written translations', () => {
    const cases: [Example, string, string][] = [
      [ppModifier('book', 'on', 'table'), 'the book on the table', '桌子 上 的 书'],
      [ppModifier('birds', 'in', 'tree'), 'the birds in the tree', '树 上 的 鸟'],
      [ppModifier('car', 'in front of', 'house'), 'the car in front of the house', '房子 前面 的 车'],
      [relativeNoun('cat', 'eats fish'), 'the cat that eats fish', '吃 鱼 的 猫'],
      [
        relativeNoun('man', 'reads books', 'in the library'),
        'the man who reads books in the library',
        '在 图书馆 看 书 的 男人',
      ],
      [relativeNoun('woman', 'sells flowers'), 'the woman who sells flowers', '卖 花 的 女人'],
      [possessive('my friend', 'car'), "my friend 's car", '我 朋友 的 车'],
      [possessive('my', 'car'), 'my car', '我 的 车'],
      [possessive('the teacher', 'books'), "the teacher 's books", '老师 的 书'],
      [
        adverbialSentence({ subject: 'i', verbPhrase: 'read books', place: 'in the library' }),
        'i read books in the library',
        '我 在 图书馆 看 书',
      ],
      [
        adverbialSentence({
          subject: 'my mother',
          verbPhrase: 'cooks dinner',
          place: 'in the kitchen',
          time: 'every evening',
        }),
        'my mother cooks dinner in the kitchen every evening',
        '我 妈妈 每天 晚上 在 厨房 做 晚饭',
      ],
      [
        adverbialSentence({ subject: 'he', modifier: 'does not', verbPhrase: 'drink coffee', time: 'in the evening' }),
        'he does not drink coffee in the evening',
        '他 晚上 不 喝 咖啡',
      ],
      [
        adverbialSentence({ subject: 'they', modifier: 'often', verbPhrase: 'play football', place: 'in the park' }),
        'they often play football in the park',
        '他们 经常 在 公园 踢 足球',
      ],
      [numeralNoun(2, 'cats'), 'two cats', '两 只 猫'],
      [numeralNoun(3, 'books'), 'three books', '三 本 书'],
      [numeralNoun(1, 'car', 'red'), 'one red car', '一 辆 红色 的 车'],
      [numeralNoun(5, 'horses'), 'five horses', '五 匹 马'],
      [numeralNoun(4, 'trees', 'big'), 'four big trees', '四 棵 大 树'],
      [adjectiveNoun('a', 'old', 'car'), 'an old car', '一 辆 旧 车'],
      [adjectiveNoun('the', 'white', 'cat'), 'the white cat', '白色 的 猫'],
      [existential('cat', 'under', 'table'), 'there is a cat under the table', '桌子 下面 有 一 只 猫'],
      [existential('apple', 'in', 'box'), 'there is an apple in the box', '箱子 里 有 一 个 苹果'],
      [comparative('the dog', 'bigger', 'the cat'), 'the dog is bigger than the cat', '狗 比 猫 大'],
      [comparative('i', 'taller', 'him'), 'i am taller than him', '我 比 他 高'],
      [
        comparative('my car', 'more expensive', 'his bike'),
        'my car is more expensive than his bike',
        '我 的 车 比 他 的 自行车 贵',
      ],
    ];
    for (const [example, source, target] of cases) {
      assert.equal(example.source.join(' '), source);
      assert.equal(example.target.join(' '), target);
      assert.equal(everything.map.get(source), target, `the grammar itself makes "${source}" → "${target}"`);
    }
    for (const [source, target] of [
      ['the red car', '红色 的 车'],
      ['the flowers are very beautiful', '花 非常 漂亮'],
      ['my father is tall', '我 爸爸 很 高'],
      ['the book is on the table', '书 在 桌子 上'],
      ['there are many students in the library', '图书馆 里 有 很多 学生'],
      ['the man who sells flowers drinks tea in the restaurant', '卖 花 的 男人 在 饭馆 喝 茶'],
      ['i like cats', '我 喜欢 猫'],
      ['she does not like coffee', '她 不 喜欢 咖啡'],
      ['the birds sing in the tree in the morning', '鸟 早上 在 树 上 唱 歌'],
    ]) {
      assert.equal(everything.map.get(source as string), target, source);
    }
    assert.throws(() => ppModifier('car', 'on', 'table'), /no relation/);
    assert.throws(() => relativeNoun('cat', 'drives cars'), /no activity/);
  });

  test('every source is made once, tokens match the inventory, lengths are 2..14', () => {
    assert.deepEqual(everything.duplicates.slice(0, 5), []);
    const count = grammar.families.reduce((sum, f) => sum + f.count, 0);
    assert.equal(everything.map.size, count);
    assert.equal(taskCapacity('phrases'), count);
    assert.deepEqual([...everything.sourceTokens].sort(), [...grammar.sourceTokens]);
    assert.deepEqual([...everything.targetTokens].sort(), [...grammar.targetTokens]);
    assert.equal(everything.minLength, 2);
    assert.equal(everything.maxLength, MAX_SOURCE_WORDS);
    assert.equal(MAX_SOURCE_WORDS, 14);
  });

  test('English articles and Chinese numerals are right everywhere', () => {
    const classifiers = new Set([
      '个',
      '只',
      '本',
      '辆',
      '张',
      '把',
      '支',
      '部',
      '封',
      '条',
      '匹',
      '朵',
      '棵',
      '座',
      '所',
      '家',
      '面',
      '扇',
    ]);
    const numerals = new Set(['一', '两', '三', '四', '五', '六', '七', '八', '九', '十']);
    for (const [source, target] of everything.map) {
      const en = source.split(' ');
      en.forEach((word, i) => {
        const next = en[i + 1] ?? '';
        if (word === 'a') assert.ok(!/^[aeiou]/.test(next), source);
        if (word === 'an') assert.ok(/^[aeiou]/.test(next), source);
      });
      const zh = target.split(' ');
      assert.ok(!zh.includes('二'), target);
      zh.forEach((word, i) => {
        if (numerals.has(word)) assert.ok(classifiers.has(zh[i + 1] ?? ''), `${source} → ${target}`);
      });
      assert.ok(!/ 的 的 /.test(` ${target} `), target);
    }
  });

  /** Whether two content words keep opposite orders in English and Chinese (by the lexicon). */
  const translations = new Map<string, string[]>();
  for (const entry of phraseLexicon()) {
    if (!['noun', 'verb', 'adjective', 'time', 'pronoun', 'number'].includes(entry.kind)) continue;
    const head = entry.en.split(' ').at(-1) as string;
    translations.set(head, [...(translations.get(head) ?? []), entry.zh.split(' ').at(-1) as string]);
  }
  /**
   * True when some later English word is translated entirely before an earlier one. A word that
   * occurs n times in the English is matched, in order, with n occurrences of its translation.
   */
  function crosses(example: Example): boolean {
    const spans: [number, number][] = [];
    example.source.forEach((word, i) => {
      const occurrences = example.source.filter((w) => w === word).length;
      const nth = example.source.slice(0, i).filter((w) => w === word).length;
      const candidates = new Set(translations.get(word) ?? []);
      const positions = example.target.flatMap((zh, p) => (candidates.has(zh) ? [p] : []));
      if (positions.length === 0) return;
      if (occurrences === 1) spans.push([Math.min(...positions), Math.max(...positions)]);
      else if (positions.length === occurrences) spans.push([positions[nth] as number, positions[nth] as number]);
    });
    return spans.some(([first], i) => spans.slice(i + 1).some(([, last]) => last < first));
  }

  test('crossing constructions cross, monotonic ones do not', () => {
    assert.ok(crosses(ppModifier('book', 'on', 'table')));
    assert.ok(!crosses(possessive('my friend', 'car')));
    const random = createRandom(5);
    for (const family of grammar.families) {
      for (let k = 0; k < 300; k++) {
        const example = family.at(random.int(family.count));
        const text = `${family.id}: ${example.source.join(' ')} → ${example.target.join(' ')}`;
        assert.equal(crosses(example), family.alignment === 'crossing', text);
      }
    }
  });

  test('a generated data set mixes constructions, mostly crossing ones', () => {
    const drawn = drawUniqueExamples(grammar, 7200, createRandom(1));
    const byFamily = new Map<string, number>();
    for (const d of drawn) byFamily.set(d.family.id, (byFamily.get(d.family.id) ?? 0) + 1);
    assert.equal(byFamily.size, grammar.families.length);
    const crossing = drawn.filter((d) => d.family.alignment === 'crossing').length;
    assert.ok(crossing / drawn.length > 0.55, `crossing share ${crossing / drawn.length}`);
    const lengths = drawn.map((d) => d.example.source.length);
    assert.equal(Math.min(...lengths), 2);
    assert.ok(Math.max(...lengths) >= 13);
  });
});

describe('generateTask', () => {
  function joined(data: TaskData, split: 'train' | 'validation' | 'test'): string[] {
    return data[split].map((e) => key(e, data.level));
  }

  for (const name of TASK_NAMES) {
    test(`${name}: same seed → identical data, different seed → different data`, () => {
      const a = generateTask(name, { seed: 1, ...SMALL });
      const b = generateTask(name, { seed: 1, ...SMALL });
      const c = generateTask(name, { seed: 2, ...SMALL });
      assert.deepEqual(a, b);
      assert.notDeepEqual(a.train, c.train);
      assert.notDeepEqual(a.test, c.test);
      assert.deepEqual(a.sourceVocab.tokens, c.sourceVocab.tokens);
      assert.deepEqual(a.targetVocab.tokens, c.targetVocab.tokens);
    });

    test(`${name}: sizes, no shared or repeated source across splits`, () => {
      const data = generateTask(name, { seed: 9, ...SMALL });
      assert.equal(data.train.length, SMALL.trainSize);
      assert.equal(data.validation.length, SMALL.validationSize);
      assert.equal(data.test.length, SMALL.testSize);
      const train = joined(data, 'train');
      const validation = joined(data, 'validation');
      const test = joined(data, 'test');
      const all = [...train, ...validation, ...test];
      assert.equal(new Set(all).size, all.length);
      assert.ok(!validation.some((s) => train.includes(s)));
      assert.ok(!test.some((s) => train.includes(s) || validation.includes(s)));
    });

    test(`${name}: test and validation do not move when trainSize changes`, () => {
      const small = generateTask(name, { seed: 4, trainSize: 100, validationSize: 40, testSize: 30 });
      const large = generateTask(name, { seed: 4, trainSize: 300, validationSize: 40, testSize: 30 });
      assert.deepEqual(small.test, large.test);
      assert.deepEqual(small.validation, large.validation);
      assert.deepEqual(small.train, large.train.slice(0, 100));
      assert.deepEqual(small.probes, large.probes);
    });

    test(`${name}: vocabularies are sorted, cover every token, and do not depend on seed or sizes`, () => {
      const data = generateTask(name, { seed: 6, ...SMALL });
      const tiny = generateTask(name, { seed: 99, trainSize: 5, validationSize: 3, testSize: 0 });
      assert.deepEqual(data.sourceVocab.tokens, tiny.sourceVocab.tokens);
      assert.deepEqual(data.targetVocab.tokens, tiny.targetVocab.tokens);
      const grammar = getTaskGrammar(name);
      assert.deepEqual(data.sourceVocab.tokens.slice(4), [...grammar.sourceTokens]);
      assert.deepEqual(data.targetVocab.tokens.slice(4), [...grammar.targetTokens]);
      assert.deepEqual(data.sourceVocab.tokens.slice(4), [...data.sourceVocab.tokens.slice(4)].sort());
      for (const example of [...data.train, ...data.validation, ...data.test]) {
        assert.ok(!data.sourceVocab.encode(example.source).includes(UNK_ID));
        assert.ok(!data.targetVocab.encode(example.target).includes(UNK_ID));
        assert.ok(!example.source.some((t) => (SPECIAL_TOKENS as readonly string[]).includes(t)));
      }
      assert.deepEqual(Vocab.fromJSON(data.sourceVocab.toJSON()).tokens, data.sourceVocab.tokens);
    });

    test(`${name}: probes are the shortest, a median and the longest validation example`, () => {
      const data = generateTask(name, { seed: 8, ...SMALL });
      assert.equal(data.probes.length, 3);
      for (const probe of data.probes) assert.ok(data.validation.includes(probe));
      const lengths = data.validation.map((e) => e.source.length).sort((x, y) => x - y);
      const [short, medium, long] = data.probes.map((p) => p.source.length) as [number, number, number];
      assert.equal(short, lengths[0]);
      assert.equal(long, lengths[lengths.length - 1]);
      assert.equal(medium, lengths[Math.floor((lengths.length - 1) / 2)]);
      assert.ok(short < medium && medium < long);
    });

    test(`${name}: asking for more examples than the grammar has is a clear error`, () => {
      const capacity = taskCapacity(name);
      assert.throws(
        () => generateTask(name, { seed: 1, trainSize: capacity, validationSize: 3, testSize: 0 }),
        (error: Error) =>
          error.message.includes(`"${name}"`) && error.message.includes(`only ${capacity} unique examples`),
      );
    });
  }

  test('bad options are rejected', () => {
    assert.throws(() => generateTask('phrases', { seed: 1.5, ...SMALL }), /seed must be an integer/);
    assert.throws(
      () => generateTask('dates', { seed: 1, trainSize: 10, validationSize: 2, testSize: 5 }),
      /validationSize/,
    );
    assert.throws(() => generateTask('dates', { seed: 1, trainSize: 0, validationSize: 5, testSize: 5 }), /trainSize/);
    assert.throws(() => generateTask('dates', { seed: 1, trainSize: 10, validationSize: 5, testSize: -1 }), /testSize/);
    assert.throws(() => generateTask('copy' as 'dates', { seed: 1, ...SMALL }), /Unknown task "copy"/);
  });

  test('default sizes fit every grammar', () => {
    for (const name of TASK_NAMES) {
      const sizes = DEFAULT_TASK_SIZES[name];
      assert.ok(sizes.trainSize + sizes.validationSize + sizes.testSize <= taskCapacity(name) / 10);
    }
    assert.deepEqual(DEFAULT_TASK_SIZES.dates, { trainSize: 10000, validationSize: 1000, testSize: 1000 });
  });
});
