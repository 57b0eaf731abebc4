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
 *
 * Files: indexed.ts has the counted, indexable sets (generic, no phrase knowledge); lexicon.ts the
 * word tables and which words go together; constructions.ts one section per construction above,
 * with its translation rule. This file puts the families together with their weights.
 */
import type { Example, ExampleFamily, TaskGrammar } from '../types';
import {
  adjectiveNounFamily,
  adverbialFamily,
  comparativeFamily,
  existentialFamily,
  locativeFamily,
  numeralFamily,
  possessiveFamily,
  ppModifierFamily,
  predicateFamily,
  relativeClauseFamily,
  relativeSubjectFamily,
  svoFamily,
} from './constructions';
import type { Indexed } from './indexed';
import { inventories } from './lexicon';

// Callers import `./phrases` as when this was one file (phrases.ts): same path, same exports.
export {
  MAX_SOURCE_WORDS,
  adjectiveNoun,
  adverbialSentence,
  comparative,
  existential,
  numeralNoun,
  possessive,
  ppModifier,
  relativeNoun,
} from './constructions';
export { phraseLexicon, type LexiconEntry } from './lexicon';

let cachedGrammar: TaskGrammar | null = null;

function family(
  id: string,
  weight: number,
  alignment: ExampleFamily['alignment'],
  indexed: Indexed<Example>,
): ExampleFamily {
  return { id, weight, alignment, count: indexed.count, at: (index) => indexed.at(index) };
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
