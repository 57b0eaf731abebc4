/**
 * The phrases task's lexicon: every word it uses, in English and Chinese, and which words may go
 * together (measure words, which adjectives suit which nouns, what lies on or under what, who
 * does what and where). The constructions only combine what these tables allow, so keeping the
 * tables together is what keeps the generated sentences sensible.
 */

/** A piece of a sentence in both languages. */
export interface Piece {
  en: readonly string[];
  zh: readonly string[];
}

export const NONE: Piece = { en: [], zh: [] };

export function words(text: string): string[] {
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

export const NOUNS = {
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
export const OWNABLE_PEOPLE: readonly NounId[] = ['teacher', 'student', 'child', 'doctor'];
/** Nouns that can be counted with a numeral in this grammar (kin terms are left out). */
export const COUNTABLE: readonly NounId[] = (Object.keys(NOUNS) as NounId[]).filter(
  (id) => id !== 'mother' && id !== 'father',
);
/** Things and animals a person can own: `my cat`, `the teacher 's book`. */
export const POSSESSABLE: readonly NounId[] = [
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

export const NUMBERS: readonly { en: string; zh: string; value: number }[] = [
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
export const PLURAL_NUMBERS = NUMBERS.filter((n) => n.value > 1);

interface Adjective {
  en: string;
  /** Attributive form, including 的 where Chinese needs it. */
  zh: readonly string[];
  /** Stands directly before the noun without 的 (大 狗, 新 书): allowed next to another modifier. */
  bare: boolean;
  nouns: readonly NounId[];
}

export const ADJECTIVES: readonly Adjective[] = [
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
export function adjectiveOptions(id: NounId, bareOnly: boolean): Piece[] {
  const options: Piece[] = [NONE];
  for (const adjective of ADJECTIVES) {
    if ((bareOnly && !adjective.bare) || !adjective.nouns.includes(id)) continue;
    options.push({ en: [adjective.en], zh: adjective.zh });
  }
  return options;
}

/** `a` or `an` before this word. */
export function indefiniteArticle(nextWord: string): string {
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
export const KIN: readonly NounId[] = ['friend', 'mother', 'father'];

/** `my friend` → 我 朋友 (close relations take no 的 after a pronoun). */
export const KIN_PHRASES: readonly Piece[] = POSSESSIVE_PRONOUNS.filter((p) => p.singular).flatMap((pronoun) =>
  KIN.map((id) => ({ en: [pronoun.en, NOUNS[id].en], zh: [pronoun.zh, NOUNS[id].zh] })),
);

/** Owners before a possessed noun, each ending in 的 in Chinese: my → 我 的, my friend 's → 我 朋友 的, the teacher 's → 老师 的. */
export const OWNERS: readonly Piece[] = [
  ...POSSESSIVE_PRONOUNS.map((p) => ({ en: [p.en], zh: [p.zh, '的'] })),
  ...KIN_PHRASES.map((kin) => ({ en: [...kin.en, "'s"], zh: [...kin.zh, '的'] })),
  ...(['teacher', 'doctor', 'boy', 'girl', 'student'] as const).map((id) => ({
    en: ['the', NOUNS[id].en, "'s"],
    zh: [NOUNS[id].zh, '的'],
  })),
];
export const PRONOUN_OWNERS = OWNERS.slice(0, POSSESSIVE_PRONOUNS.length);

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

export interface Relation {
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
export const LOCATED: readonly { relation: Relation; thing: NounId }[] = RELATIONS.flatMap((relation) =>
  relation.things.map((thing) => ({ relation, thing })),
);

/** Noun forms for `the …`: singular, and the plural when it is spelled differently. */
export function definiteForms(n: Noun): { word: string; plural: boolean }[] {
  return n.plural === n.en
    ? [{ word: n.en, plural: false }]
    : [
        { word: n.en, plural: false },
        { word: n.plural, plural: true },
      ];
}

// Verbs, activities, places and times -----------------------------------------------------------

export type Agreement = 'base' | 'third';

/** English present tense, third person singular: reads, watches, studies, has. */
export function thirdPerson(verb: string): string {
  if (verb === 'have') return 'has';
  if (verb === 'do') return 'does';
  if (/(s|sh|ch|x|z|o)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

export function verbForm(verb: string, agreement: Agreement): string {
  return agreement === 'third' ? thirdPerson(verb) : verb;
}

export type Who = 'person' | 'adult' | 'child' | 'cat' | 'dog' | 'bird' | 'rabbit';

export const PLACES = {
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

export interface Activity {
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

export const ACTIVITIES: readonly Activity[] = [
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
export const TIMES: readonly (Piece & { every: boolean })[] = [
  { en: words('every day'), zh: words('每天'), every: true },
  { en: words('every morning'), zh: words('每天 早上'), every: true },
  { en: words('every evening'), zh: words('每天 晚上'), every: true },
  { en: words('in the morning'), zh: words('早上'), every: false },
  { en: words('in the afternoon'), zh: words('下午'), every: false },
  { en: words('in the evening'), zh: words('晚上'), every: false },
  { en: words('on sundays'), zh: words('星期天'), every: false },
  { en: words('on weekends'), zh: words('周末'), every: false },
];

export const FREQUENCY_ADVERBS: readonly Piece[] = [
  { en: ['often'], zh: ['经常'] },
  { en: ['usually'], zh: ['通常'] },
  { en: ['always'], zh: ['总是'] },
  { en: ['sometimes'], zh: ['有时候'] },
];

interface Subject extends Piece {
  agreement: Agreement;
  who: readonly Who[];
}

export const SUBJECTS: readonly Subject[] = [
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

export function canDo(who: readonly Who[], act: Activity): boolean {
  return act.who.some((w) => who.includes(w));
}

export function isStative(act: Activity): boolean {
  return act.verb === 'like';
}

// Predicates, comparisons -----------------------------------------------------------------------

export const PREDICATE_ADJECTIVES: readonly { en: string; zh: string; nouns: readonly NounId[] }[] = [
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

export const DEGREES: readonly Piece[] = [
  { en: [], zh: ['很'] }, // a bare Chinese adjective predicate needs 很
  { en: ['very'], zh: ['非常'] },
];

/** A singular noun phrase that can be compared: its English and Chinese, and its verb `be`. */
export interface Comparable extends Piece {
  be: string;
}

export function thingComparables(ids: readonly NounId[]): Comparable[] {
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

export const PERSON_SUBJECT_PRONOUNS: readonly Comparable[] = [
  { en: ['i'], zh: ['我'], be: 'am' },
  { en: ['you'], zh: ['你'], be: 'are' },
  { en: ['he'], zh: ['他'], be: 'is' },
  { en: ['she'], zh: ['她'], be: 'is' },
];
export const PERSON_OBJECT_PRONOUNS: readonly Piece[] = [
  { en: ['me'], zh: ['我'] },
  { en: ['you'], zh: ['你'] },
  { en: ['him'], zh: ['他'] },
  { en: ['her'], zh: ['她'] },
];
export const PERSON_COMPARABLES: readonly Comparable[] = [
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

export const COMPARISONS: readonly Comparison[] = [
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

// Heads of relative clauses ---------------------------------------------------------------------

export interface RelativeHead {
  noun: Noun;
  id: NounId;
  who: readonly Who[];
  pronoun: 'who' | 'that';
}

export const PERSON_HEADS: readonly RelativeHead[] = (['teacher', 'doctor', 'man', 'woman', 'student'] as const)
  .map((id): RelativeHead => ({ noun: NOUNS[id], id, who: ['person', 'adult'], pronoun: 'who' }))
  .concat(
    (['boy', 'girl', 'child'] as const).map((id): RelativeHead => ({
      noun: NOUNS[id],
      id,
      who: ['person', 'child'],
      pronoun: 'who',
    })),
  );
export const RELATIVE_HEADS: readonly RelativeHead[] = [
  ...PERSON_HEADS,
  { noun: NOUNS.cat, id: 'cat', who: ['cat'], pronoun: 'that' },
  { noun: NOUNS.dog, id: 'dog', who: ['dog'], pronoun: 'that' },
  { noun: NOUNS.bird, id: 'bird', who: ['bird'], pronoun: 'that' },
  { noun: NOUNS.rabbit, id: 'rabbit', who: ['rabbit'], pronoun: 'that' },
];

// ---------------------------------------------------------------------------------------------
// Lookups used by the hand-built examples in constructions.ts

export function findNoun(word: string): { n: Noun; plural: boolean } {
  for (const n of Object.values(NOUNS) as Noun[]) {
    if (n.en === word) return { n, plural: false };
    if (n.plural === word) return { n, plural: true };
  }
  throw new Error(`phrases: unknown noun ${word}`);
}

export function findAdjective(word: string, n: Noun): Piece {
  const adjective = ADJECTIVES.find((a) => a.en === word && a.nouns.some((id) => NOUNS[id] === n));
  if (!adjective) throw new Error(`phrases: adjective ${word} does not go with ${n.en}`);
  return { en: [adjective.en], zh: adjective.zh };
}

export function findRelation(preposition: string, landmark: string, thing: Noun): Relation {
  const relation = RELATIONS.find(
    (r) =>
      r.preposition.en.join(' ') === preposition &&
      r.landmark.en === landmark &&
      r.things.some((id) => NOUNS[id] === thing),
  );
  if (!relation) throw new Error(`phrases: no relation "${thing.en} ${preposition} the ${landmark}"`);
  return relation;
}

export function findPlace(act: Activity, placeEn: string): Piece {
  const id = act.places.find((p) => PLACES[p].en.join(' ') === placeEn);
  if (!id) throw new Error(`phrases: "${act.verb}" is not done "${placeEn}"`);
  return PLACES[id];
}

// ---------------------------------------------------------------------------------------------
// Lexicon listing and token inventories

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

/** Every token used anywhere in the tables (English and Chinese), found by walking them. */
export function inventories(): { source: string[]; target: string[] } {
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
