/**
 * The constructions of the phrases task, one section per family of phrasesGrammar (index.ts), in
 * the same order. Each section has the family itself (an indexed product of the word choices that
 * lexicon.ts allows) and, for most, a function that builds one example from English words, so
 * tests can check hand-written translations against the same rules.
 */
import type { Example } from '../types';
import { bind, cross, fromList, mapIndexed, type Indexed } from './indexed';
import {
  ACTIVITIES,
  ADJECTIVES,
  COMPARISONS,
  COUNTABLE,
  DEGREES,
  FREQUENCY_ADVERBS,
  KIN,
  KIN_PHRASES,
  LOCATED,
  NONE,
  NOUNS,
  NUMBERS,
  OWNABLE_PEOPLE,
  OWNERS,
  PERSON_COMPARABLES,
  PERSON_HEADS,
  PERSON_OBJECT_PRONOUNS,
  PERSON_SUBJECT_PRONOUNS,
  PLACES,
  PLURAL_NUMBERS,
  POSSESSABLE,
  PREDICATE_ADJECTIVES,
  PRONOUN_OWNERS,
  RELATIVE_HEADS,
  SUBJECTS,
  TIMES,
  adjectiveOptions,
  canDo,
  definiteForms,
  findAdjective,
  findNoun,
  findPlace,
  findRelation,
  indefiniteArticle,
  isStative,
  thingComparables,
  thirdPerson,
  verbForm,
  words,
  type Activity,
  type Agreement,
  type Comparable,
  type Piece,
  type Relation,
  type RelativeHead,
  type Who,
} from './lexicon';

// ---------------------------------------------------------------------------------------------
// Pieces shared by several constructions

/** `on the table` → 桌子 上 (English after the noun, Chinese before it). */
function relationPiece(relation: Relation): Piece {
  return {
    en: [...relation.preposition.en, 'the', relation.landmark.en],
    zh: [relation.landmark.zh, relation.preposition.zh],
  };
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

// ---------------------------------------------------------------------------------------------
// adjective-noun

export function adjectiveNounFamily(): Indexed<Example> {
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

/** the red car → 红色 的 车; a red car → 一 辆 红色 的 车. */
export function adjectiveNoun(det: 'the' | 'a', adjective: string, nounWord: string): Example {
  const { n, plural } = findNoun(nounWord);
  const adj = findAdjective(adjective, n);
  if (det === 'a' && plural) throw new Error(`phrases: "a" needs a singular noun, got ${nounWord}`);
  return det === 'the'
    ? { source: ['the', adjective, nounWord], target: [...adj.zh, n.zh] }
    : { source: [indefiniteArticle(adjective), adjective, nounWord], target: ['一', n.classifier, ...adj.zh, n.zh] };
}

// ---------------------------------------------------------------------------------------------
// numeral

export function numeralFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// possessive

/** my friend 's car → 我 朋友 的 车; his new phone → 他 的 新 手机. */
export function possessiveFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// locative

/** the book is on the table → 书 在 桌子 上; my keys are in the bag → 我 的 钥匙 在 包 里. */
export function locativeFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// svo

/** Simple sentences without adverbials: i like cats → 我 喜欢 猫; he does not eat fish → 他 不 吃 鱼. */
export function svoFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// predicate

/** the flowers are very beautiful → 花 非常 漂亮; my father is tall → 我 爸爸 很 高. */
export function predicateFamily(): Indexed<Example> {
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
// pp-modifier

/** the book on the table → 桌子 上 的 书; three new books on the table → 桌子 上 的 三 本 新 书. */
export function ppModifierFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// relative-clause

function relativeClause(head: RelativeHead, adjective: Piece, plural: boolean, act: Activity, place: Piece): Example {
  const vp = verbPhrase(act, plural ? 'base' : 'third');
  return {
    source: ['the', ...adjective.en, plural ? head.noun.plural : head.noun.en, head.pronoun, ...vp.en, ...place.en],
    target: [...place.zh, ...vp.zh, '的', ...adjective.zh, head.noun.zh],
  };
}

/** the cat that eats fish → 吃 鱼 的 猫; the man who reads books in the library → 在 图书馆 看 书 的 男人. */
export function relativeClauseFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// existential

/** there is a cat under the table → 桌子 下面 有 一 只 猫; there are many books in the library → 图书馆 里 有 很多 书. */
export function existentialFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// adverbial

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
export function adverbialFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// relative-subject

/** Longest English sentence the grammar makes (relative-subject sentences are cut to this). */
export const MAX_SOURCE_WORDS = 14;

/** the man who sells flowers drinks tea in the restaurant → 卖 花 的 男人 在 饭馆 喝 茶. */
export function relativeSubjectFamily(): Indexed<Example> {
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

// ---------------------------------------------------------------------------------------------
// comparative

/** the dog is bigger than the cat → 狗 比 猫 大; i am taller than him → 我 比 他 高. */
export function comparativeFamily(): Indexed<Example> {
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
