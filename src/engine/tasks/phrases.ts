/**
 * The phrases task: a small English → Simplified Chinese phrase grammar, word level.
 * English is lower case, split on spaces (the possessive is its own token: `my friend 's car`);
 * Chinese is written as space-separated words (`桌子 上 的 书`).
 *
 * The grammar is small on purpose: every construction below is translated by a fixed rule that
 * gives natural Chinese, and the word tables only pair words that make sense together (which
 * things can lie on a table, who drives a taxi, where one swims). Constructions:
 *
 *   monotonic (word order kept)
 *     adjective-noun   the red car            → 红色 的 车
 *     numeral          three big dogs         → 三 只 大 狗            (measure words 本/只/个/辆/…)
 *     possessive       my friend 's car       → 我 朋友 的 车
 *     locative         the book is on the table → 书 在 桌子 上
 *     svo              he does not eat fish   → 他 不 吃 鱼
 *     predicate        the flowers are very beautiful → 花 非常 漂亮
 *   crossing (some alignments cross)
 *     pp-modifier      the book on the table  → 桌子 上 的 书
 *     relative-clause  the cat that eats fish → 吃 鱼 的 猫
 *     existential      there is a cat under the table → 桌子 下面 有 一 只 猫
 *     adverbial        i read books in the library every day → 我 每天 在 图书馆 看 书
 *     relative-subject the man who sells flowers drinks tea in the restaurant → 卖 花 的 男人 在 饭馆 喝 茶
 *     comparative      the dog is bigger than the cat → 狗 比 猫 大
 *
 * Each construction is an ExampleFamily: an exactly counted, indexable product of word choices,
 * so sampling never has to enumerate it and its size is known.
 */
import type { Example, ExampleFamily, TaskGrammar } from './types';

// ---------------------------------------------------------------------------------------------
// Indexed sets: a finite set with a count and random access, composed without materialising.

interface Indexed<T> {
  readonly count: number;
  at(index: number): T;
}

function fromList<T>(items: readonly T[]): Indexed<T> {
  return { count: items.length, at: (index) => items[index] as T };
}

/** Concatenation; empty parts are skipped. */
function join<T>(parts: readonly Indexed<T>[]): Indexed<T> {
  const used = parts.filter((part) => part.count > 0);
  const starts: number[] = [];
  let count = 0;
  for (const part of used) {
    starts.push(count);
    count += part.count;
  }
  return {
    count,
    at(index) {
      let low = 0;
      let high = used.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if ((starts[mid] as number) <= index) low = mid;
        else high = mid - 1;
      }
      return (used[low] as Indexed<T>).at(index - (starts[low] as number));
    },
  };
}

/** One part per item, concatenated: the dependent product Σ_item f(item). */
function bind<A, B>(items: readonly A[], f: (item: A) => Indexed<B>): Indexed<B> {
  return join(items.map(f));
}

/** Cartesian product a × b, combined by f. */
function cross<A, B, C>(a: Indexed<A>, b: Indexed<B>, f: (x: A, y: B) => C): Indexed<C> {
  return {
    count: a.count * b.count,
    at: (index) => f(a.at(Math.floor(index / b.count)), b.at(index % b.count)),
  };
}

function mapIndexed<A, B>(a: Indexed<A>, f: (x: A) => B): Indexed<B> {
  return { count: a.count, at: (index) => f(a.at(index)) };
}

// ---------------------------------------------------------------------------------------------
// Lexicon

/** A piece of a sentence in both languages. */
interface Piece {
  en: readonly string[];
  zh: readonly string[];
}

const NONE: Piece = { en: [], zh: [] };

function words(text: string): string[] {
  return text === '' ? [] : text.split(' ');
}

interface Noun {
  en: string;
  plural: string;
  zh: string;
  /** Measure word used with numerals: 一 本 书, 两 只 猫. */
  classifier: string;
}

function noun(en: string, plural: string, zh: string, classifier: string): Noun {
  return { en, plural, zh, classifier };
}

const NOUNS = {
  // people
  teacher: noun('teacher', 'teachers', '老师', '个'),
  student: noun('student', 'students', '学生', '个'),
  child: noun('child', 'children', '孩子', '个'),
  friend: noun('friend', 'friends', '朋友', '个'),
  doctor: noun('doctor', 'doctors', '医生', '个'),
  man: noun('man', 'men', '男人', '个'),
  woman: noun('woman', 'women', '女人', '个'),
  boy: noun('boy', 'boys', '男孩', '个'),
  girl: noun('girl', 'girls', '女孩', '个'),
  mother: noun('mother', 'mothers', '妈妈', '个'),
  father: noun('father', 'fathers', '爸爸', '个'),
  // animals
  cat: noun('cat', 'cats', '猫', '只'),
  dog: noun('dog', 'dogs', '狗', '只'),
  bird: noun('bird', 'birds', '鸟', '只'),
  rabbit: noun('rabbit', 'rabbits', '兔子', '只'),
  horse: noun('horse', 'horses', '马', '匹'),
  fish: noun('fish', 'fish', '鱼', '条'),
  // things
  book: noun('book', 'books', '书', '本'),
  pen: noun('pen', 'pens', '笔', '支'),
  cup: noun('cup', 'cups', '杯子', '个'),
  key: noun('key', 'keys', '钥匙', '把'),
  phone: noun('phone', 'phones', '手机', '部'),
  bag: noun('bag', 'bags', '包', '个'),
  ball: noun('ball', 'balls', '球', '个'),
  photo: noun('photo', 'photos', '照片', '张'),
  letter: noun('letter', 'letters', '信', '封'),
  box: noun('box', 'boxes', '箱子', '个'),
  umbrella: noun('umbrella', 'umbrellas', '伞', '把'),
  clock: noun('clock', 'clocks', '钟', '个'),
  apple: noun('apple', 'apples', '苹果', '个'),
  egg: noun('egg', 'eggs', '鸡蛋', '个'),
  car: noun('car', 'cars', '车', '辆'),
  bike: noun('bike', 'bikes', '自行车', '辆'),
  bus: noun('bus', 'buses', '公共汽车', '辆'),
  taxi: noun('taxi', 'taxis', '出租车', '辆'),
  flower: noun('flower', 'flowers', '花', '朵'),
  tree: noun('tree', 'trees', '树', '棵'),
  table: noun('table', 'tables', '桌子', '张'),
  chair: noun('chair', 'chairs', '椅子', '把'),
  bed: noun('bed', 'beds', '床', '张'),
  // buildings and places
  house: noun('house', 'houses', '房子', '座'),
  school: noun('school', 'schools', '学校', '所'),
  store: noun('store', 'stores', '商店', '家'),
  hospital: noun('hospital', 'hospitals', '医院', '家'),
  library: noun('library', 'libraries', '图书馆', '个'),
  restaurant: noun('restaurant', 'restaurants', '饭馆', '家'),
  park: noun('park', 'parks', '公园', '个'),
  garden: noun('garden', 'gardens', '花园', '个'),
  kitchen: noun('kitchen', 'kitchens', '厨房', '个'),
  room: noun('room', 'rooms', '房间', '个'),
  river: noun('river', 'rivers', '河', '条'),
  wall: noun('wall', 'walls', '墙', '面'),
  window: noun('window', 'windows', '窗户', '扇'),
  door: noun('door', 'doors', '门', '扇'),
} as const satisfies Record<string, Noun>;

type NounId = keyof typeof NOUNS;

/** People one can speak of as `my …` (but not `my man`): `my teacher is young` → 我 的 老师 很 年轻. */
const OWNABLE_PEOPLE: readonly NounId[] = ['teacher', 'student', 'child', 'doctor'];
/** Nouns that can be counted with a numeral in this grammar (kin terms are left out). */
const COUNTABLE: readonly NounId[] = (Object.keys(NOUNS) as NounId[]).filter(
  (id) => id !== 'mother' && id !== 'father',
);
/** Things and animals a person can own: `my cat`, `the teacher 's book`. */
const POSSESSABLE: readonly NounId[] = [
  'cat',
  'dog',
  'bird',
  'rabbit',
  'horse',
  'book',
  'pen',
  'cup',
  'key',
  'phone',
  'bag',
  'ball',
  'photo',
  'letter',
  'box',
  'umbrella',
  'clock',
  'car',
  'bike',
  'house',
];

const NUMBERS: readonly { en: string; zh: string; value: number }[] = [
  { en: 'one', zh: '一', value: 1 },
  { en: 'two', zh: '两', value: 2 }, // 两, not 二, before a measure word
  { en: 'three', zh: '三', value: 3 },
  { en: 'four', zh: '四', value: 4 },
  { en: 'five', zh: '五', value: 5 },
  { en: 'six', zh: '六', value: 6 },
  { en: 'seven', zh: '七', value: 7 },
  { en: 'eight', zh: '八', value: 8 },
  { en: 'nine', zh: '九', value: 9 },
  { en: 'ten', zh: '十', value: 10 },
];
const PLURAL_NUMBERS = NUMBERS.filter((n) => n.value > 1);

interface Adjective {
  en: string;
  /** Attributive form, including 的 where Chinese needs it. */
  zh: readonly string[];
  /** Stands directly before the noun without 的 (大 狗, 新 书): allowed next to another modifier. */
  bare: boolean;
  nouns: readonly NounId[];
}

const ADJECTIVES: readonly Adjective[] = [
  {
    en: 'big',
    zh: ['大'],
    bare: true,
    nouns: [
      'cat',
      'dog',
      'bird',
      'fish',
      'rabbit',
      'horse',
      'box',
      'bag',
      'ball',
      'cup',
      'apple',
      'umbrella',
      'tree',
      'house',
      'table',
      'bed',
      'park',
      'garden',
      'room',
      'river',
    ],
  },
  {
    en: 'small',
    zh: ['小'],
    bare: true,
    nouns: [
      'cat',
      'dog',
      'bird',
      'fish',
      'rabbit',
      'box',
      'bag',
      'ball',
      'cup',
      'apple',
      'tree',
      'house',
      'table',
      'bed',
      'park',
      'garden',
      'room',
      'river',
    ],
  },
  {
    en: 'new',
    zh: ['新'],
    bare: true,
    nouns: ['book', 'phone', 'car', 'bike', 'bag', 'house', 'pen', 'umbrella', 'table', 'bed', 'school', 'clock'],
  },
  {
    en: 'old',
    zh: ['旧'],
    bare: true,
    nouns: ['book', 'phone', 'car', 'bike', 'bag', 'house', 'table', 'chair', 'umbrella', 'bed', 'photo'],
  },
  { en: 'good', zh: ['好'], bare: true, nouns: ['friend', 'teacher', 'student', 'doctor', 'book'] },
  {
    en: 'red',
    zh: ['红色', '的'],
    bare: false,
    nouns: ['car', 'bike', 'apple', 'ball', 'bag', 'flower', 'umbrella', 'cup', 'box', 'pen'],
  },
  {
    en: 'white',
    zh: ['白色', '的'],
    bare: false,
    nouns: ['cat', 'dog', 'rabbit', 'horse', 'bird', 'car', 'cup', 'flower', 'bag'],
  },
  {
    en: 'black',
    zh: ['黑色', '的'],
    bare: false,
    nouns: ['cat', 'dog', 'horse', 'car', 'bag', 'bike', 'umbrella', 'pen', 'phone'],
  },
  {
    en: 'blue',
    zh: ['蓝色', '的'],
    bare: false,
    nouns: ['car', 'bike', 'bag', 'cup', 'ball', 'pen', 'umbrella', 'box', 'bird'],
  },
  { en: 'yellow', zh: ['黄色', '的'], bare: false, nouns: ['flower', 'ball', 'taxi', 'bird', 'bag'] },
  { en: 'green', zh: ['绿色', '的'], bare: false, nouns: ['apple', 'bag', 'ball', 'cup', 'box'] },
  {
    en: 'beautiful',
    zh: ['漂亮', '的'],
    bare: false,
    nouns: ['flower', 'bird', 'house', 'photo', 'garden', 'girl', 'woman'],
  },
  { en: 'young', zh: ['年轻', '的'], bare: false, nouns: ['teacher', 'doctor', 'man', 'woman'] },
  { en: 'happy', zh: ['快乐', '的'], bare: false, nouns: ['child', 'boy', 'girl'] },
  { en: 'clever', zh: ['聪明', '的'], bare: false, nouns: ['student', 'child', 'boy', 'girl', 'dog'] },
];

/** Adjective choices for a noun, `none` first. With `bareOnly`, only those that need no 的. */
function adjectiveOptions(id: NounId, bareOnly: boolean): Piece[] {
  const options: Piece[] = [NONE];
  for (const adjective of ADJECTIVES) {
    if ((bareOnly && !adjective.bare) || !adjective.nouns.includes(id)) continue;
    options.push({ en: [adjective.en], zh: adjective.zh });
  }
  return options;
}

/** `a` or `an` before this word. */
function indefiniteArticle(nextWord: string): string {
  return /^[aeiou]/.test(nextWord) ? 'an' : 'a';
}

/** Possessive pronouns: my … their. Kin terms follow the singular ones without 的 (我 朋友). */
const POSSESSIVE_PRONOUNS: readonly { en: string; zh: string; singular: boolean }[] = [
  { en: 'my', zh: '我', singular: true },
  { en: 'your', zh: '你', singular: true },
  { en: 'his', zh: '他', singular: true },
  { en: 'her', zh: '她', singular: true },
  { en: 'our', zh: '我们', singular: false },
  { en: 'their', zh: '他们', singular: false },
];
const KIN: readonly NounId[] = ['friend', 'mother', 'father'];

/** `my friend` → 我 朋友 (close relations take no 的 after a pronoun). */
const KIN_PHRASES: readonly Piece[] = POSSESSIVE_PRONOUNS.filter((p) => p.singular).flatMap((pronoun) =>
  KIN.map((id) => ({ en: [pronoun.en, NOUNS[id].en], zh: [pronoun.zh, NOUNS[id].zh] })),
);

/** Owners before a possessed noun, each ending in 的 in Chinese: my → 我 的, my friend 's → 我 朋友 的, the teacher 's → 老师 的. */
const OWNERS: readonly Piece[] = [
  ...POSSESSIVE_PRONOUNS.map((p) => ({ en: [p.en], zh: [p.zh, '的'] })),
  ...KIN_PHRASES.map((kin) => ({ en: [...kin.en, "'s"], zh: [...kin.zh, '的'] })),
  ...(['teacher', 'doctor', 'boy', 'girl', 'student'] as const).map((id) => ({
    en: ['the', NOUNS[id].en, "'s"],
    zh: [NOUNS[id].zh, '的'],
  })),
];
const PRONOUN_OWNERS = OWNERS.slice(0, POSSESSIVE_PRONOUNS.length);

// Spatial relations -----------------------------------------------------------------------------

interface Preposition {
  en: readonly string[];
  /** Localizer after the landmark: 桌子 上, 箱子 里. */
  zh: string;
}

const PREPOSITIONS = {
  on: { en: ['on'], zh: '上' },
  in: { en: ['in'], zh: '里' },
  inTree: { en: ['in'], zh: '上' }, // a bird "in the tree" sits 树 上
  under: { en: ['under'], zh: '下面' },
  nextTo: { en: ['next', 'to'], zh: '旁边' },
  behind: { en: ['behind'], zh: '后面' },
  inFrontOf: { en: ['in', 'front', 'of'], zh: '前面' },
  near: { en: ['near'], zh: '附近' },
} as const satisfies Record<string, Preposition>;

interface Relation {
  preposition: Preposition;
  landmark: Noun;
  /** What can be found there. */
  things: readonly NounId[];
}

function relations(
  landmark: NounId,
  byPreposition: Partial<Record<keyof typeof PREPOSITIONS, readonly NounId[]>>,
): Relation[] {
  return (Object.entries(byPreposition) as [keyof typeof PREPOSITIONS, readonly NounId[]][]).map(
    ([preposition, things]) => ({
      preposition: PREPOSITIONS[preposition],
      landmark: NOUNS[landmark],
      things,
    }),
  );
}

const RELATIONS: readonly Relation[] = [
  ...relations('table', {
    on: ['book', 'pen', 'cup', 'key', 'phone', 'bag', 'photo', 'letter', 'box', 'apple', 'egg', 'cat', 'clock'],
    under: ['cat', 'dog', 'ball', 'bag', 'box'],
    nextTo: ['chair', 'dog'],
  }),
  ...relations('bed', {
    on: ['book', 'phone', 'cat', 'dog', 'bag', 'letter'],
    under: ['cat', 'dog', 'ball', 'box'],
    nextTo: ['table', 'chair'],
  }),
  ...relations('chair', { on: ['bag', 'book', 'cat', 'phone'], under: ['ball', 'cat', 'dog', 'bag'] }),
  ...relations('box', { in: ['book', 'ball', 'key', 'pen', 'phone', 'apple', 'egg', 'photo', 'letter', 'cat'] }),
  ...relations('bag', { in: ['book', 'key', 'pen', 'phone', 'apple', 'letter', 'photo', 'umbrella'] }),
  ...relations('wall', { on: ['photo', 'clock'] }),
  ...relations('tree', {
    inTree: ['bird', 'cat'],
    under: ['dog', 'cat', 'bike', 'car', 'rabbit', 'ball', 'child'],
    nextTo: ['car', 'bike', 'house'],
    behind: ['car', 'bike', 'rabbit', 'house'],
  }),
  ...relations('house', {
    behind: ['tree', 'car', 'bike', 'dog'],
    inFrontOf: ['tree', 'car', 'bike', 'dog', 'flower'],
    nextTo: ['tree', 'car', 'school', 'store'],
  }),
  ...relations('window', { nextTo: ['cat', 'table', 'chair', 'bed'] }),
  ...relations('door', { behind: ['bike', 'bag', 'umbrella', 'box'], nextTo: ['umbrella', 'bike', 'chair'] }),
  ...relations('river', { in: ['fish'], near: ['house', 'school', 'tree'] }),
  ...relations('garden', { in: ['flower', 'tree', 'bird', 'dog', 'cat', 'rabbit', 'child'] }),
  ...relations('park', {
    in: ['tree', 'flower', 'bird', 'dog', 'child', 'boy', 'girl'],
    near: ['school', 'house', 'store', 'hospital', 'library', 'restaurant'],
  }),
  ...relations('library', { in: ['book', 'student'] }),
  ...relations('kitchen', { in: ['apple', 'egg', 'cup', 'cat', 'table', 'chair'] }),
  ...relations('room', { in: ['bed', 'table', 'chair', 'cat', 'child'] }),
  ...relations('hospital', { in: ['doctor'], near: ['school', 'store', 'house', 'restaurant'] }),
  ...relations('school', {
    near: ['house', 'store', 'park', 'hospital', 'library', 'restaurant'],
    behind: ['park', 'house'],
    nextTo: ['store', 'library', 'hospital', 'park'],
  }),
  ...relations('store', { nextTo: ['restaurant', 'school'] }),
];

/** Every (relation, thing) pair: the thing located relative to the landmark. */
const LOCATED: readonly { relation: Relation; thing: NounId }[] = RELATIONS.flatMap((relation) =>
  relation.things.map((thing) => ({ relation, thing })),
);

/** `on the table` → 桌子 上 (English after the noun, Chinese before it). */
function relationPiece(relation: Relation): Piece {
  return {
    en: [...relation.preposition.en, 'the', relation.landmark.en],
    zh: [relation.landmark.zh, relation.preposition.zh],
  };
}

/** Noun forms for `the …`: singular, and the plural when it is spelled differently. */
function definiteForms(n: Noun): { word: string; plural: boolean }[] {
  return n.plural === n.en
    ? [{ word: n.en, plural: false }]
    : [
        { word: n.en, plural: false },
        { word: n.plural, plural: true },
      ];
}

// Verbs, activities, places and times -----------------------------------------------------------

type Agreement = 'base' | 'third';

/** English present tense, third person singular: reads, watches, studies, has. */
function thirdPerson(verb: string): string {
  if (verb === 'have') return 'has';
  if (verb === 'do') return 'does';
  if (/(s|sh|ch|x|z|o)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

function verbForm(verb: string, agreement: Agreement): string {
  return agreement === 'third' ? thirdPerson(verb) : verb;
}

type Who = 'person' | 'adult' | 'child' | 'cat' | 'dog' | 'bird' | 'rabbit';

const PLACES = {
  library: { en: words('in the library'), zh: words('在 图书馆') },
  park: { en: words('in the park'), zh: words('在 公园') },
  school: { en: words('at school'), zh: words('在 学校') },
  home: { en: words('at home'), zh: words('在 家') },
  office: { en: words('in the office'), zh: words('在 办公室') },
  kitchen: { en: words('in the kitchen'), zh: words('在 厨房') },
  garden: { en: words('in the garden'), zh: words('在 花园 里') },
  hospital: { en: words('at the hospital'), zh: words('在 医院') },
  store: { en: words('at the store'), zh: words('在 商店') },
  restaurant: { en: words('in the restaurant'), zh: words('在 饭馆') },
  river: { en: words('in the river'), zh: words('在 河 里') },
  pool: { en: words('in the pool'), zh: words('在 游泳池') },
  bed: { en: words('on the bed'), zh: words('在 床 上') },
  underTree: { en: words('under the tree'), zh: words('在 树 下面') },
  inTree: { en: words('in the tree'), zh: words('在 树 上') },
} as const satisfies Record<string, Piece>;

type PlaceId = keyof typeof PLACES;

interface Activity {
  verb: string;
  zhVerb: readonly string[];
  object: readonly string[];
  zhObject: readonly string[];
  who: readonly Who[];
  /** Where it is done; empty for verbs like `like` that take no place or time adverbial. */
  places: readonly PlaceId[];
}

function activity(en: string, zh: string, who: readonly Who[], places: readonly PlaceId[]): Activity {
  const [verb, ...object] = words(en);
  const [zhVerb, ...zhObject] = words(zh);
  if (verb === undefined || zhVerb === undefined) throw new Error(`phrases: empty activity ${en}`);
  // an intransitive English verb keeps its whole Chinese translation (sing → 唱 歌)
  return object.length === 0
    ? { verb, zhVerb: words(zh), object: [], zhObject: [], who, places }
    : { verb, zhVerb: [zhVerb], object, zhObject, who, places };
}

const ACTIVITIES: readonly Activity[] = [
  activity('read books', '看 书', ['person'], ['library', 'park', 'home', 'bed']),
  activity('read the newspaper', '看 报纸', ['adult'], ['home', 'office', 'park']),
  activity('write letters', '写 信', ['person'], ['home', 'office']),
  activity('drink coffee', '喝 咖啡', ['adult'], ['office', 'kitchen', 'home']),
  activity('drink tea', '喝 茶', ['adult'], ['home', 'office', 'restaurant']),
  activity('drink milk', '喝 牛奶', ['person', 'cat'], ['kitchen', 'home']),
  activity('eat apples', '吃 苹果', ['person'], ['home', 'school', 'park']),
  activity('eat noodles', '吃 面条', ['person'], ['restaurant', 'home', 'school']),
  activity('eat rice', '吃 米饭', ['person'], ['home', 'restaurant', 'school']),
  activity('eat bread', '吃 面包', ['person'], ['kitchen', 'home', 'park']),
  activity('eat fish', '吃 鱼', ['person', 'cat'], ['kitchen', 'home']),
  activity('eat carrots', '吃 胡萝卜', ['person', 'rabbit'], ['garden', 'home']),
  activity('buy flowers', '买 花', ['adult'], ['store']),
  activity('buy bread', '买 面包', ['adult'], ['store']),
  activity('sell flowers', '卖 花', ['adult'], ['park', 'store']),
  activity('wash the dishes', '洗 碗', ['person'], ['kitchen']),
  activity('wash clothes', '洗 衣服', ['adult'], ['home']),
  activity('play football', '踢 足球', ['person'], ['park', 'school']),
  activity('play basketball', '打 篮球', ['person'], ['park', 'school']),
  activity('play the piano', '弹 钢琴', ['person'], ['home', 'school']),
  activity('play the guitar', '弹 吉他', ['person'], ['home', 'park']),
  activity('watch tv', '看 电视', ['person'], ['home']),
  activity('watch movies', '看 电影', ['person'], ['home']),
  activity('sing songs', '唱 歌', ['person'], ['school', 'park', 'home']),
  activity('sing', '唱 歌', ['bird'], ['inTree', 'garden']),
  activity('draw pictures', '画 画', ['person'], ['school', 'home', 'park']),
  activity('study english', '学习 英语', ['person'], ['school', 'library', 'home']),
  activity('study math', '学习 数学', ['person'], ['school', 'library', 'home']),
  activity('teach english', '教 英语', ['adult'], ['school']),
  activity('teach math', '教 数学', ['adult'], ['school']),
  activity('cook dinner', '做 晚饭', ['adult'], ['kitchen', 'home']),
  activity('sleep', '睡觉', ['person', 'cat', 'dog'], ['home', 'bed', 'underTree']),
  activity('swim', '游泳', ['person', 'dog'], ['river', 'pool']),
  activity('run', '跑步', ['person'], ['park']),
  activity('work', '工作', ['adult'], ['office', 'hospital', 'school', 'store']),
  activity('play', '玩', ['child', 'cat', 'dog'], ['garden', 'park', 'home']),
  activity('chase cats', '追 猫', ['dog'], ['garden', 'park']),
  activity('chase birds', '追 鸟', ['cat', 'dog'], ['garden', 'park']),
  activity('like cats', '喜欢 猫', ['person'], []),
  activity('like dogs', '喜欢 狗', ['person'], []),
  activity('like flowers', '喜欢 花', ['person'], []),
  activity('like music', '喜欢 音乐', ['person'], []),
  activity('like apples', '喜欢 苹果', ['person'], []),
  activity('like coffee', '喜欢 咖啡', ['adult'], []),
  activity('like fish', '喜欢 鱼', ['person', 'cat'], []),
];

/** Habitual time adverbials; `every …` ones do not combine with a frequency adverb or negation. */
const TIMES: readonly (Piece & { every: boolean })[] = [
  { en: words('every day'), zh: words('每天'), every: true },
  { en: words('every morning'), zh: words('每天 早上'), every: true },
  { en: words('every evening'), zh: words('每天 晚上'), every: true },
  { en: words('in the morning'), zh: words('早上'), every: false },
  { en: words('in the afternoon'), zh: words('下午'), every: false },
  { en: words('in the evening'), zh: words('晚上'), every: false },
  { en: words('on sundays'), zh: words('星期天'), every: false },
  { en: words('on weekends'), zh: words('周末'), every: false },
];

const FREQUENCY_ADVERBS: readonly Piece[] = [
  { en: ['often'], zh: ['经常'] },
  { en: ['usually'], zh: ['通常'] },
  { en: ['always'], zh: ['总是'] },
  { en: ['sometimes'], zh: ['有时候'] },
];

interface Subject extends Piece {
  agreement: Agreement;
  who: readonly Who[];
}

const SUBJECTS: readonly Subject[] = [
  { en: ['i'], zh: ['我'], agreement: 'base', who: ['person', 'adult'] },
  { en: ['you'], zh: ['你'], agreement: 'base', who: ['person', 'adult'] },
  { en: ['he'], zh: ['他'], agreement: 'third', who: ['person', 'adult'] },
  { en: ['she'], zh: ['她'], agreement: 'third', who: ['person', 'adult'] },
  { en: ['we'], zh: ['我们'], agreement: 'base', who: ['person', 'adult'] },
  { en: ['they'], zh: ['他们'], agreement: 'base', who: ['person', 'adult'] },
  ...KIN_PHRASES.filter((kin) => kin.en[0] === 'my').map((kin) => ({
    ...kin,
    agreement: 'third' as const,
    who: ['person', 'adult'] as Who[],
  })),
  { en: words('the teacher'), zh: ['老师'], agreement: 'third', who: ['person', 'adult'] },
  { en: words('the doctor'), zh: ['医生'], agreement: 'third', who: ['person', 'adult'] },
  { en: words('the students'), zh: ['学生'], agreement: 'base', who: ['person', 'adult'] },
  { en: words('the children'), zh: ['孩子'], agreement: 'base', who: ['person', 'child'] },
  { en: words('the cat'), zh: ['猫'], agreement: 'third', who: ['cat'] },
  { en: words('the dog'), zh: ['狗'], agreement: 'third', who: ['dog'] },
  { en: words('the birds'), zh: ['鸟'], agreement: 'base', who: ['bird'] },
  { en: words('the rabbit'), zh: ['兔子'], agreement: 'third', who: ['rabbit'] },
];

function canDo(who: readonly Who[], act: Activity): boolean {
  return act.who.some((w) => who.includes(w));
}

/** `reads books` / `read books` (English) and 看 书 (Chinese), without adverbials. */
function verbPhrase(act: Activity, agreement: Agreement): Piece {
  return { en: [verbForm(act.verb, agreement), ...act.object], zh: [...act.zhVerb, ...act.zhObject] };
}

interface Modifier {
  /** English words before the verb; `negated` switches the verb to its base form. */
  en: readonly string[];
  zh: readonly string[];
  negated: boolean;
}

const PLAIN: Modifier = { en: [], zh: [], negated: false };

/**
 * Plain, frequency adverbs (`often` → 经常) and negation (`does not` → 不). With an `every …` time
 * only plain; a stative verb (`like`) takes no frequency adverb.
 */
function modifiers(agreement: Agreement, withTimeEvery: boolean, stative = false): Modifier[] {
  if (withTimeEvery) return [PLAIN];
  return [
    PLAIN,
    ...(stative ? [] : FREQUENCY_ADVERBS.map((adverb) => ({ ...adverb, negated: false }))),
    { en: [agreement === 'third' ? 'does' : 'do', 'not'], zh: ['不'], negated: true },
  ];
}

function isStative(act: Activity): boolean {
  return act.verb === 'like';
}

/**
 * Subject + (frequency | negation) + verb phrase + place + time, in Chinese
 * subject + time + (frequency | 不) + 在 place + verb phrase.
 */
function clause(
  subject: Piece,
  agreement: Agreement,
  modifier: Modifier,
  act: Activity,
  place: Piece,
  time: Piece,
): Example {
  const vp = verbPhrase(act, modifier.negated ? 'base' : agreement);
  return {
    source: [...subject.en, ...modifier.en, ...vp.en, ...place.en, ...time.en],
    target: [...subject.zh, ...time.zh, ...modifier.zh, ...place.zh, ...vp.zh],
  };
}

// Predicates, comparisons -----------------------------------------------------------------------

const PREDICATE_ADJECTIVES: readonly { en: string; zh: string; nouns: readonly NounId[] }[] = [
  { en: 'big', zh: '大', nouns: ['cat', 'dog', 'horse', 'house', 'box', 'bag', 'park', 'garden', 'room', 'bed'] },
  {
    en: 'small',
    zh: '小',
    nouns: ['cat', 'dog', 'bird', 'rabbit', 'house', 'box', 'bag', 'room', 'garden', 'apple', 'cup'],
  },
  { en: 'new', zh: '新', nouns: ['car', 'bike', 'phone', 'house', 'book', 'bag', 'school'] },
  { en: 'old', zh: '旧', nouns: ['car', 'bike', 'phone', 'house', 'book', 'bag', 'table', 'chair'] },
  { en: 'beautiful', zh: '漂亮', nouns: ['flower', 'bird', 'garden', 'house', 'photo', 'park', 'girl'] },
  { en: 'young', zh: '年轻', nouns: ['teacher', 'doctor', 'man', 'woman', 'mother', 'father', 'friend'] },
  { en: 'happy', zh: '高兴', nouns: ['child', 'boy', 'girl', 'teacher', 'student', 'mother', 'father', 'friend'] },
  { en: 'clever', zh: '聪明', nouns: ['student', 'child', 'boy', 'girl', 'dog', 'friend'] },
  { en: 'expensive', zh: '贵', nouns: ['car', 'bike', 'phone', 'house', 'bag', 'book'] },
  { en: 'cheap', zh: '便宜', nouns: ['apple', 'egg', 'book', 'pen', 'bike', 'bag', 'umbrella'] },
  { en: 'heavy', zh: '重', nouns: ['box', 'bag', 'table', 'book'] },
  { en: 'tall', zh: '高', nouns: ['tree', 'teacher', 'man', 'boy', 'house', 'father', 'friend'] },
];

const DEGREES: readonly Piece[] = [
  { en: [], zh: ['很'] }, // a bare Chinese adjective predicate needs 很
  { en: ['very'], zh: ['非常'] },
];

/** A singular noun phrase that can be compared: its English and Chinese, and its verb `be`. */
interface Comparable extends Piece {
  be: string;
}

function thingComparables(ids: readonly NounId[]): Comparable[] {
  return ids.flatMap((id) => {
    const n = NOUNS[id];
    return [
      { en: ['the', n.en], zh: [n.zh], be: 'is' },
      ...POSSESSIVE_PRONOUNS.filter((p) => p.singular).map((p) => ({
        en: [p.en, n.en],
        zh: [p.zh, '的', n.zh],
        be: 'is',
      })),
    ];
  });
}

const PERSON_SUBJECT_PRONOUNS: readonly Comparable[] = [
  { en: ['i'], zh: ['我'], be: 'am' },
  { en: ['you'], zh: ['你'], be: 'are' },
  { en: ['he'], zh: ['他'], be: 'is' },
  { en: ['she'], zh: ['她'], be: 'is' },
];
const PERSON_OBJECT_PRONOUNS: readonly Piece[] = [
  { en: ['me'], zh: ['我'] },
  { en: ['you'], zh: ['你'] },
  { en: ['him'], zh: ['他'] },
  { en: ['her'], zh: ['她'] },
];
const PERSON_COMPARABLES: readonly Comparable[] = [
  ...KIN_PHRASES.map((kin) => ({ ...kin, be: 'is' })),
  ...(['teacher', 'doctor', 'boy', 'girl'] as const).map((id) => ({
    en: ['the', NOUNS[id].en],
    zh: [NOUNS[id].zh],
    be: 'is',
  })),
];

interface Comparison {
  en: readonly string[];
  zh: string;
  /** Groups of things compared with each other; `people` adds persons and pronouns. */
  groups: readonly (readonly NounId[])[];
  people: boolean;
}

const COMPARISONS: readonly Comparison[] = [
  {
    en: ['bigger'],
    zh: '大',
    groups: [['cat', 'dog', 'horse', 'rabbit'], ['house'], ['box', 'bag'], ['park', 'garden', 'room']],
    people: false,
  },
  {
    en: ['smaller'],
    zh: '小',
    groups: [['cat', 'dog', 'horse', 'rabbit'], ['house'], ['box', 'bag'], ['park', 'garden', 'room']],
    people: false,
  },
  { en: ['taller'], zh: '高', groups: [['tree', 'house']], people: true },
  { en: ['shorter'], zh: '矮', groups: [['tree', 'house']], people: true },
  {
    en: ['faster'],
    zh: '快',
    groups: [
      ['cat', 'dog', 'horse', 'rabbit'],
      ['car', 'bike', 'bus', 'taxi'],
    ],
    people: false,
  },
  {
    en: ['slower'],
    zh: '慢',
    groups: [
      ['cat', 'dog', 'horse', 'rabbit'],
      ['car', 'bike', 'bus', 'taxi'],
    ],
    people: false,
  },
  { en: ['heavier'], zh: '重', groups: [['box', 'bag', 'book', 'phone', 'table', 'chair']], people: false },
  { en: ['lighter'], zh: '轻', groups: [['box', 'bag', 'book', 'phone', 'table', 'chair']], people: false },
  {
    en: ['more', 'expensive'],
    zh: '贵',
    groups: [['car', 'bike'], ['phone', 'book', 'bag', 'umbrella', 'pen'], ['house']],
    people: false,
  },
  {
    en: ['cheaper'],
    zh: '便宜',
    groups: [['car', 'bike'], ['phone', 'book', 'bag', 'umbrella', 'pen'], ['house']],
    people: false,
  },
];

// ---------------------------------------------------------------------------------------------
// Constructions (exported so tests can check hand-written translations)

/** the red car → 红色 的 车; a red car → 一 辆 红色 的 车. */
export function adjectiveNoun(det: 'the' | 'a', adjective: string, nounWord: string): Example {
  const { n, plural } = findNoun(nounWord);
  const adj = findAdjective(adjective, n);
  if (det === 'a' && plural) throw new Error(`phrases: "a" needs a singular noun, got ${nounWord}`);
  return det === 'the'
    ? { source: ['the', adjective, nounWord], target: [...adj.zh, n.zh] }
    : { source: [indefiniteArticle(adjective), adjective, nounWord], target: ['一', n.classifier, ...adj.zh, n.zh] };
}

/** three big dogs → 三 只 大 狗 (adjective optional). */
export function numeralNoun(count: number, nounWord: string, adjective?: string): Example {
  const { n } = findNoun(nounWord);
  const number = NUMBERS.find((x) => x.value === count);
  if (!number) throw new Error(`phrases: no number word for ${count}`);
  const adj = adjective === undefined ? NONE : findAdjective(adjective, n);
  return {
    source: [number.en, ...adj.en, count === 1 ? n.en : n.plural],
    target: [number.zh, n.classifier, ...adj.zh, n.zh],
  };
}

function numeralFamily(): Indexed<Example> {
  return bind(COUNTABLE, (id) =>
    cross(fromList(NUMBERS), fromList(adjectiveOptions(id, false)), (number, adj) => {
      const n = NOUNS[id];
      return {
        source: [number.en, ...adj.en, number.value === 1 ? n.en : n.plural],
        target: [number.zh, n.classifier, ...adj.zh, n.zh],
      };
    }),
  );
}

function adjectiveNounFamily(): Indexed<Example> {
  return bind(ADJECTIVES, (adjective) =>
    bind(adjective.nouns, (id) => {
      const n = NOUNS[id];
      const options: Example[] = definiteForms(n).map((form) => ({
        source: ['the', adjective.en, form.word],
        target: [...adjective.zh, n.zh],
      }));
      options.push({
        source: [indefiniteArticle(adjective.en), adjective.en, n.en],
        target: ['一', n.classifier, ...adjective.zh, n.zh],
      });
      return fromList(options);
    }),
  );
}

/** the book on the table → 桌子 上 的 书; three new books on the table → 桌子 上 的 三 本 新 书. */
function ppModifierFamily(): Indexed<Example> {
  return bind(LOCATED, ({ relation, thing }) => {
    const n = NOUNS[thing];
    const where = relationPiece(relation);
    const determiners: { en: readonly string[]; zh: readonly string[]; word: string }[] = [
      ...definiteForms(n).map((form) => ({ en: ['the'], zh: [], word: form.word })),
      ...PLURAL_NUMBERS.map((number) => ({ en: [number.en], zh: [number.zh, n.classifier], word: n.plural })),
    ];
    return cross(fromList(determiners), fromList(adjectiveOptions(thing, true)), (det, adj) => ({
      source: [...det.en, ...adj.en, det.word, ...where.en],
      target: [...where.zh, '的', ...det.zh, ...adj.zh, n.zh],
    }));
  });
}

/** the book on the table → 桌子 上 的 书 (for tests and documentation). */
export function ppModifier(thing: string, preposition: string, landmark: string): Example {
  const { n, plural } = findNoun(thing);
  const relation = findRelation(preposition, landmark, n);
  const where = relationPiece(relation);
  return { source: ['the', plural ? n.plural : n.en, ...where.en], target: [...where.zh, '的', n.zh] };
}

interface RelativeHead {
  noun: Noun;
  id: NounId;
  who: readonly Who[];
  pronoun: 'who' | 'that';
}

const PERSON_HEADS: readonly RelativeHead[] = (['teacher', 'doctor', 'man', 'woman', 'student'] as const)
  .map((id): RelativeHead => ({ noun: NOUNS[id], id, who: ['person', 'adult'], pronoun: 'who' }))
  .concat(
    (['boy', 'girl', 'child'] as const).map((id): RelativeHead => ({
      noun: NOUNS[id],
      id,
      who: ['person', 'child'],
      pronoun: 'who',
    })),
  );
const RELATIVE_HEADS: readonly RelativeHead[] = [
  ...PERSON_HEADS,
  { noun: NOUNS.cat, id: 'cat', who: ['cat'], pronoun: 'that' },
  { noun: NOUNS.dog, id: 'dog', who: ['dog'], pronoun: 'that' },
  { noun: NOUNS.bird, id: 'bird', who: ['bird'], pronoun: 'that' },
  { noun: NOUNS.rabbit, id: 'rabbit', who: ['rabbit'], pronoun: 'that' },
];

function relativeClause(head: RelativeHead, adjective: Piece, plural: boolean, act: Activity, place: Piece): Example {
  const vp = verbPhrase(act, plural ? 'base' : 'third');
  return {
    source: ['the', ...adjective.en, plural ? head.noun.plural : head.noun.en, head.pronoun, ...vp.en, ...place.en],
    target: [...place.zh, ...vp.zh, '的', ...adjective.zh, head.noun.zh],
  };
}

/** the cat that eats fish → 吃 鱼 的 猫; the man who reads books in the library → 在 图书馆 看 书 的 男人. */
function relativeClauseFamily(): Indexed<Example> {
  return bind(RELATIVE_HEADS, (head) =>
    bind(
      ACTIVITIES.filter((act) => canDo(head.who, act)),
      (act) => {
        const places: Piece[] = [NONE, ...act.places.map((p) => PLACES[p])];
        const numbers = [false, true];
        const shapes = cross(fromList(adjectiveOptions(head.id, true)), fromList(numbers), (adjective, plural) => ({
          adjective,
          plural,
        }));
        return cross(shapes, fromList(places), (shape, place) =>
          relativeClause(head, shape.adjective, shape.plural, act, place),
        );
      },
    ),
  );
}

/** the cat that eats fish → 吃 鱼 的 猫 (singular head, optional place like `in the library`). */
export function relativeNoun(head: string, en: string, placeEn?: string): Example {
  const found = RELATIVE_HEADS.find((h) => h.noun.en === head);
  if (!found) throw new Error(`phrases: ${head} cannot head a relative clause`);
  const act = ACTIVITIES.find((a) => [thirdPerson(a.verb), ...a.object].join(' ') === en && canDo(found.who, a));
  if (!act) throw new Error(`phrases: no activity "${en}" for ${head}`);
  const place = placeEn === undefined ? NONE : findPlace(act, placeEn);
  return relativeClause(found, NONE, false, act, place);
}

/** my friend 's car → 我 朋友 的 车; his new phone → 他 的 新 手机. */
function possessiveFamily(): Indexed<Example> {
  return bind(POSSESSABLE, (id) => {
    const n = NOUNS[id];
    const forms = fromList(definiteForms(n));
    const shapes = cross(fromList(OWNERS), fromList(adjectiveOptions(id, true)), (owner, adjective) => ({
      owner,
      adjective,
    }));
    return cross(shapes, forms, ({ owner, adjective }, form) => ({
      source: [...owner.en, ...adjective.en, form.word],
      target: [...owner.zh, ...adjective.zh, n.zh],
    }));
  });
}

/** my friend 's car → 我 朋友 的 车. `owner` is `my`, `my friend`, `the teacher`…; `thing` a noun (singular or plural). */
export function possessive(owner: string, thing: string): Example {
  const { n, plural } = findNoun(thing);
  const ownerPiece = OWNERS.find((o) => o.en.join(' ') === owner || o.en.join(' ') === `${owner} 's`);
  if (!ownerPiece) throw new Error(`phrases: unknown owner ${owner}`);
  return { source: [...ownerPiece.en, plural ? n.plural : n.en], target: [...ownerPiece.zh, n.zh] };
}

/** the book is on the table → 书 在 桌子 上; my keys are in the bag → 我 的 钥匙 在 包 里. */
function locativeFamily(): Indexed<Example> {
  return bind(LOCATED, ({ relation, thing }) => {
    const n = NOUNS[thing];
    const where = relationPiece(relation);
    const owners: Piece[] = [{ en: ['the'], zh: [] }, ...(POSSESSABLE.includes(thing) ? OWNERS : [])];
    const forms = n.plural === n.en ? [false] : [false, true];
    return cross(fromList(owners), fromList(forms), (owner, plural) => ({
      source: [...owner.en, plural ? n.plural : n.en, plural ? 'are' : 'is', ...where.en],
      target: [...owner.zh, n.zh, '在', ...where.zh],
    }));
  });
}

/** there is a cat under the table → 桌子 下面 有 一 只 猫; there are many books in the library → 图书馆 里 有 很多 书. */
function existentialFamily(): Indexed<Example> {
  return bind(LOCATED, ({ relation, thing }) => {
    const n = NOUNS[thing];
    const where = relationPiece(relation);
    const quantities: { en: readonly string[]; zh: readonly string[]; plural: boolean }[] = [
      { en: ['a'], zh: ['一', n.classifier], plural: false },
      ...PLURAL_NUMBERS.map((number) => ({ en: [number.en], zh: [number.zh, n.classifier], plural: true })),
      { en: ['some'], zh: ['一些'], plural: true },
      { en: ['many'], zh: ['很多'], plural: true },
    ];
    return cross(fromList(quantities), fromList(adjectiveOptions(thing, false)), (quantity, adjective) => {
      const first = adjective.en[0] ?? n.en;
      const quantityEn = quantity.en[0] === 'a' ? [indefiniteArticle(first)] : quantity.en;
      return {
        source: [
          'there',
          quantity.plural ? 'are' : 'is',
          ...quantityEn,
          ...adjective.en,
          quantity.plural ? n.plural : n.en,
          ...where.en,
        ],
        target: [...where.zh, '有', ...quantity.zh, ...adjective.zh, n.zh],
      };
    });
  });
}

/** there is a cat under the table → 桌子 下面 有 一 只 猫. */
export function existential(thing: string, preposition: string, landmark: string): Example {
  const { n } = findNoun(thing);
  const where = relationPiece(findRelation(preposition, landmark, n));
  return {
    source: ['there', 'is', indefiniteArticle(n.en), n.en, ...where.en],
    target: [...where.zh, '有', '一', n.classifier, n.zh],
  };
}

interface Adverbials {
  modifier: Modifier;
  place: Piece;
  time: Piece;
}

/**
 * The (modifier, place, time) choices of an adverbial sentence with this activity: a place or a
 * time or both (otherwise the word order would not change), and `every …` times without a
 * frequency adverb or negation.
 */
function adverbialChoices(act: Activity, agreement: Agreement): Adverbials[] {
  const choices: Adverbials[] = [];
  for (const time of [null, ...TIMES]) {
    const places: Piece[] = [...(time ? [NONE] : []), ...act.places.map((p) => PLACES[p])];
    for (const modifier of modifiers(agreement, time?.every ?? false)) {
      for (const place of places) choices.push({ modifier, place, time: time ?? NONE });
    }
  }
  return choices;
}

/** Sentences with a place and/or time adverbial: i read books in the library every day → 我 每天 在 图书馆 看 书. */
function adverbialFamily(): Indexed<Example> {
  return bind(
    ACTIVITIES.filter((act) => act.places.length > 0),
    (act) => {
      const byAgreement = {
        base: fromList(adverbialChoices(act, 'base')),
        third: fromList(adverbialChoices(act, 'third')),
      };
      return bind(
        SUBJECTS.filter((subject) => canDo(subject.who, act)),
        (subject) =>
          mapIndexed(byAgreement[subject.agreement], (c) =>
            clause(subject, subject.agreement, c.modifier, act, c.place, c.time),
          ),
      );
    },
  );
}

/** Builds one adverbial sentence from English parts: subject, optional `often`/`do not`…, verb phrase, place, time. */
export function adverbialSentence(parts: {
  subject: string;
  modifier?: string;
  verbPhrase: string;
  place?: string;
  time?: string;
}): Example {
  const subject = SUBJECTS.find((s) => s.en.join(' ') === parts.subject);
  if (!subject) throw new Error(`phrases: unknown subject ${parts.subject}`);
  const modifier = modifiers(subject.agreement, false).find((m) => m.en.join(' ') === (parts.modifier ?? ''));
  if (!modifier) throw new Error(`phrases: unknown modifier ${parts.modifier}`);
  const agreement = modifier.negated ? 'base' : subject.agreement;
  const act = ACTIVITIES.find(
    (a) => [verbForm(a.verb, agreement), ...a.object].join(' ') === parts.verbPhrase && canDo(subject.who, a),
  );
  if (!act) throw new Error(`phrases: no activity "${parts.verbPhrase}" for ${parts.subject}`);
  const place = parts.place === undefined ? NONE : findPlace(act, parts.place);
  const time = parts.time === undefined ? NONE : TIMES.find((t) => t.en.join(' ') === parts.time);
  if (!time) throw new Error(`phrases: unknown time ${parts.time}`);
  return clause(subject, subject.agreement, modifier, act, place, time);
}

/** Simple sentences without adverbials: i like cats → 我 喜欢 猫; he does not eat fish → 他 不 吃 鱼. */
function svoFamily(): Indexed<Example> {
  return bind(ACTIVITIES, (act) =>
    bind(
      SUBJECTS.filter((subject) => canDo(subject.who, act)),
      (subject) =>
        mapIndexed(fromList(modifiers(subject.agreement, false, isStative(act))), (modifier) =>
          clause(subject, subject.agreement, modifier, act, NONE, NONE),
        ),
    ),
  );
}

/** Longest English sentence the grammar makes (relative-subject sentences are cut to this). */
export const MAX_SOURCE_WORDS = 14;

/** the man who sells flowers drinks tea in the restaurant → 卖 花 的 男人 在 饭馆 喝 茶. */
function relativeSubjectFamily(): Indexed<Example> {
  const relativeActivities = ACTIVITIES.filter((act) => act.object.length > 0);
  /** Main clauses (activity, place, time) for a subject of `subjectLength` words, at most MAX_SOURCE_WORDS in all. */
  const cache = new Map<string, { act: Activity; place: Piece; time: Piece }[]>();
  const mainClauses = (who: readonly Who[], subjectLength: number): { act: Activity; place: Piece; time: Piece }[] => {
    const key = `${who.join()}:${subjectLength}`;
    let found = cache.get(key);
    if (!found) cache.set(key, (found = allMainClauses(who, subjectLength)));
    return found;
  };
  const allMainClauses = (who: readonly Who[], subjectLength: number): { act: Activity; place: Piece; time: Piece }[] =>
    ACTIVITIES.filter((act) => canDo(who, act)).flatMap((act) => {
      const times = act.places.length === 0 ? [NONE] : [NONE, ...TIMES];
      const places = [NONE, ...act.places.map((p) => PLACES[p])];
      return times.flatMap((time) =>
        places
          .filter(
            (place) => subjectLength + 1 + act.object.length + place.en.length + time.en.length <= MAX_SOURCE_WORDS,
          )
          .map((place) => ({ act, place, time })),
      );
    });
  return bind(PERSON_HEADS, (head) =>
    bind(
      relativeActivities.filter((act) => canDo(head.who, act)),
      (relativeAct) => {
        const subjectExample = relativeClause(head, NONE, false, relativeAct, NONE);
        const subject: Piece = { en: subjectExample.source, zh: subjectExample.target };
        const mains = mainClauses(head.who, subject.en.length).filter((main) => main.act !== relativeAct);
        return mapIndexed(fromList(mains), (main) => clause(subject, 'third', PLAIN, main.act, main.place, main.time));
      },
    ),
  );
}

/** the dog is bigger than the cat → 狗 比 猫 大; i am taller than him → 我 比 他 高. */
function comparativeFamily(): Indexed<Example> {
  const personObjects: Piece[] = [...PERSON_COMPARABLES, ...PERSON_OBJECT_PRONOUNS];
  const personSubjects: Comparable[] = [...PERSON_COMPARABLES, ...PERSON_SUBJECT_PRONOUNS];
  return bind(COMPARISONS, (comparison) => {
    const pools: { subjects: Comparable[]; objects: Piece[] }[] = comparison.groups.map((group) => {
      const things = thingComparables(group);
      return { subjects: things, objects: things };
    });
    if (comparison.people) pools.push({ subjects: personSubjects, objects: personObjects });
    return bind(pools, ({ subjects, objects }) =>
      bind(subjects, (subject) =>
        mapIndexed(
          fromList(objects.filter((object) => object.zh.join(' ') !== subject.zh.join(' '))),
          (object): Example => ({
            source: [...subject.en, subject.be, ...comparison.en, 'than', ...object.en],
            target: [...subject.zh, '比', ...object.zh, comparison.zh],
          }),
        ),
      ),
    );
  });
}

/** the dog is bigger than the cat → 狗 比 猫 大 (`subject` without its verb `be`). */
export function comparative(subject: string, comparisonEn: string, object: string): Example {
  const subjectWords = words(subject);
  const rest = [...words(comparisonEn), 'than', ...words(object)].join(' ');
  const family = comparativeFamily();
  for (let i = 0; i < family.count; i++) {
    const example = family.at(i);
    if (
      example.source.slice(0, subjectWords.length).join(' ') === subject &&
      example.source.slice(subjectWords.length + 1).join(' ') === rest
    ) {
      return example;
    }
  }
  throw new Error(`phrases: cannot compare "${subject}" and "${object}" with "${comparisonEn}"`);
}

/** the flowers are very beautiful → 花 非常 漂亮; my father is tall → 我 爸爸 很 高. */
function predicateFamily(): Indexed<Example> {
  return bind(PREDICATE_ADJECTIVES, (predicate) => {
    const subjects: { en: readonly string[]; zh: readonly string[]; be: string }[] = [];
    for (const id of predicate.nouns) {
      const n = NOUNS[id];
      if (KIN.includes(id)) {
        for (const kin of KIN_PHRASES) if (kin.en[1] === n.en) subjects.push({ ...kin, be: 'is' });
        continue;
      }
      for (const form of definiteForms(n))
        subjects.push({ en: ['the', form.word], zh: [n.zh], be: form.plural ? 'are' : 'is' });
      if (POSSESSABLE.includes(id) || OWNABLE_PEOPLE.includes(id)) {
        for (const owner of PRONOUN_OWNERS)
          for (const form of definiteForms(n))
            subjects.push({ en: [...owner.en, form.word], zh: [...owner.zh, n.zh], be: form.plural ? 'are' : 'is' });
      }
    }
    return cross(fromList(subjects), fromList(DEGREES), (subject, degree) => ({
      source: [...subject.en, subject.be, ...degree.en, predicate.en],
      target: [...subject.zh, ...degree.zh, predicate.zh],
    }));
  });
}

// ---------------------------------------------------------------------------------------------
// Lookups used by the exported helpers

function findNoun(word: string): { n: Noun; plural: boolean } {
  for (const n of Object.values(NOUNS) as Noun[]) {
    if (n.en === word) return { n, plural: false };
    if (n.plural === word) return { n, plural: true };
  }
  throw new Error(`phrases: unknown noun ${word}`);
}

function findAdjective(word: string, n: Noun): Piece {
  const adjective = ADJECTIVES.find((a) => a.en === word && a.nouns.some((id) => NOUNS[id] === n));
  if (!adjective) throw new Error(`phrases: adjective ${word} does not go with ${n.en}`);
  return { en: [adjective.en], zh: adjective.zh };
}

function findRelation(preposition: string, landmark: string, thing: Noun): Relation {
  const relation = RELATIONS.find(
    (r) =>
      r.preposition.en.join(' ') === preposition &&
      r.landmark.en === landmark &&
      r.things.some((id) => NOUNS[id] === thing),
  );
  if (!relation) throw new Error(`phrases: no relation "${thing.en} ${preposition} the ${landmark}"`);
  return relation;
}

function findPlace(act: Activity, placeEn: string): Piece {
  const id = act.places.find((p) => PLACES[p].en.join(' ') === placeEn);
  if (!id) throw new Error(`phrases: "${act.verb}" is not done "${placeEn}"`);
  return PLACES[id];
}

// ---------------------------------------------------------------------------------------------
// Lexicon listing and the grammar

export interface LexiconEntry {
  /** English word or fixed phrase (`next to`, `every day`). */
  en: string;
  /** Chinese translation, space-separated words. */
  zh: string;
  kind: 'noun' | 'verb' | 'adjective' | 'preposition' | 'number' | 'pronoun' | 'adverb' | 'time' | 'other';
}

/** Every English word or fixed phrase of the grammar with its Chinese translation. */
export function phraseLexicon(): LexiconEntry[] {
  const entries: LexiconEntry[] = [];
  const add = (en: string, zh: string, kind: LexiconEntry['kind']) => {
    if (!entries.some((e) => e.en === en && e.zh === zh)) entries.push({ en, zh, kind });
  };
  for (const id of Object.keys(NOUNS) as NounId[]) {
    const n = NOUNS[id];
    add(n.en, n.zh, 'noun');
    if (COUNTABLE.includes(id)) add(n.plural, n.zh, 'noun');
  }
  for (const act of ACTIVITIES) {
    add(act.verb, act.zhVerb.join(' '), 'verb');
    add(thirdPerson(act.verb), act.zhVerb.join(' '), 'verb');
    const objectHead = act.object[act.object.length - 1];
    if (objectHead !== undefined) add(objectHead, act.zhObject.join(' '), 'noun');
  }
  for (const adjective of ADJECTIVES) add(adjective.en, adjective.zh.filter((w) => w !== '的').join(' '), 'adjective');
  for (const predicate of PREDICATE_ADJECTIVES) add(predicate.en, predicate.zh, 'adjective');
  for (const comparison of COMPARISONS) add(comparison.en.join(' '), comparison.zh, 'adjective');
  for (const preposition of Object.values(PREPOSITIONS)) add(preposition.en.join(' '), preposition.zh, 'preposition');
  for (const number of NUMBERS) add(number.en, number.zh, 'number');
  for (const pronoun of POSSESSIVE_PRONOUNS) add(pronoun.en, pronoun.zh, 'pronoun');
  for (const subject of [...PERSON_SUBJECT_PRONOUNS, ...PERSON_OBJECT_PRONOUNS, ...SUBJECTS.slice(0, 6)])
    add(subject.en.join(' '), subject.zh.join(' '), 'pronoun');
  for (const adverb of FREQUENCY_ADVERBS) add(adverb.en.join(' '), adverb.zh.join(' '), 'adverb');
  for (const time of TIMES) add(time.en.join(' '), time.zh.join(' '), 'time');
  add('home', '家', 'noun');
  add('pool', '游泳池', 'noun');
  add('office', '办公室', 'noun');
  add('very', '非常', 'adverb');
  add('not', '不', 'adverb');
  add('some', '一些', 'other');
  add('many', '很多', 'other');
  add("'s", '的', 'other');
  add('than', '比', 'other');
  add('there', '有', 'other');
  return entries;
}

let cachedGrammar: TaskGrammar | null = null;

function family(
  id: string,
  weight: number,
  alignment: ExampleFamily['alignment'],
  indexed: Indexed<Example>,
): ExampleFamily {
  return { id, weight, alignment, count: indexed.count, at: (index) => indexed.at(index) };
}

/** Every token used anywhere in the tables (English and Chinese), found by walking them. */
function inventories(): { source: string[]; target: string[] } {
  const source = new Set<string>([
    'the',
    'a',
    'an',
    'is',
    'are',
    'am',
    'do',
    'does',
    'not',
    'very',
    'than',
    'there',
    'some',
    'many',
    "'s",
    'who',
    'that',
  ]);
  const target = new Set<string>(['的', '在', '有', '比', '很', '非常', '不', '一些', '很多']);
  const addEn = (tokens: Iterable<string>) => {
    for (const t of tokens) source.add(t);
  };
  const addZh = (tokens: Iterable<string>) => {
    for (const t of tokens) target.add(t);
  };
  for (const id of Object.keys(NOUNS) as NounId[]) {
    const n = NOUNS[id];
    addEn(COUNTABLE.includes(id) ? [n.en, n.plural] : [n.en]);
    addZh([n.zh, n.classifier]);
  }
  for (const number of NUMBERS) {
    addEn([number.en]);
    addZh([number.zh]);
  }
  for (const adjective of ADJECTIVES) {
    addEn([adjective.en]);
    addZh(adjective.zh);
  }
  for (const predicate of PREDICATE_ADJECTIVES) {
    addEn([predicate.en]);
    addZh([predicate.zh]);
  }
  for (const comparison of COMPARISONS) {
    addEn(comparison.en);
    addZh([comparison.zh]);
  }
  for (const p of Object.values(PREPOSITIONS) as Preposition[]) {
    addEn(p.en);
    addZh([p.zh]);
  }
  for (const piece of [
    ...OWNERS,
    ...SUBJECTS,
    ...PERSON_SUBJECT_PRONOUNS,
    ...PERSON_OBJECT_PRONOUNS,
    ...FREQUENCY_ADVERBS,
    ...TIMES,
    ...(Object.values(PLACES) as Piece[]),
  ]) {
    addEn(piece.en);
    addZh(piece.zh);
  }
  for (const act of ACTIVITIES) {
    addEn([act.verb, thirdPerson(act.verb), ...act.object]);
    addZh([...act.zhVerb, ...act.zhObject]);
  }
  return { source: [...source].sort(), target: [...target].sort() };
}

/** The phrases task: one family per construction. Weights favour the constructions whose alignments cross. */
export function phrasesGrammar(): TaskGrammar {
  if (!cachedGrammar) {
    const { source, target } = inventories();
    cachedGrammar = {
      name: 'phrases',
      level: 'word',
      families: [
        family('adjective-noun', 1, 'monotonic', adjectiveNounFamily()),
        family('numeral', 1, 'monotonic', numeralFamily()),
        family('possessive', 1, 'monotonic', possessiveFamily()),
        family('locative', 1, 'monotonic', locativeFamily()),
        family('svo', 1, 'monotonic', svoFamily()),
        family('predicate', 0.5, 'monotonic', predicateFamily()),
        family('pp-modifier', 2, 'crossing', ppModifierFamily()),
        family('relative-clause', 2, 'crossing', relativeClauseFamily()),
        family('existential', 2, 'crossing', existentialFamily()),
        family('adverbial', 3, 'crossing', adverbialFamily()),
        family('relative-subject', 2, 'crossing', relativeSubjectFamily()),
        family('comparative', 1.5, 'crossing', comparativeFamily()),
      ],
      sourceTokens: source,
      targetTokens: target,
    };
  }
  return cachedGrammar;
}
