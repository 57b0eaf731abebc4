/**
 * What a learner types, as ids: text typed by a learner never becomes a special token. A typed
 * `<pad>`, `<bos>`, `<eos>` or `<unk>` is read as unknown (`<unk>`) and reported like any other
 * word the vocabulary does not know; only the masked language model's `[MASK]` marker is let
 * through, by the chapter that asks for it.
 */
import { SPECIAL_TOKENS, UNK_ID, type Vocab } from '../tasks/vocab';

const SPECIALS = new Set<string>(SPECIAL_TOKENS);

export interface LearnerIds {
  ids: number[];
  /** Typed tokens read as `<unk>`, each once, in order of appearance. */
  unknownTokens: string[];
}

/**
 * `tokens` as ids of `vocab`; `specials` are the vocabulary's control tokens (the four of vocab.ts
 * unless given), of which only those in `allowed` may be typed.
 */
export function encodeLearnerTokens(
  tokens: readonly string[],
  vocab: Vocab,
  options: { specials?: readonly string[]; allowed?: readonly string[] } = {},
): LearnerIds {
  const specials = options.specials ? new Set(options.specials) : SPECIALS;
  const allowed = new Set(options.allowed ?? []);
  const unknown = new Set<string>();
  const ids = tokens.map((token) => {
    const id = specials.has(token) && !allowed.has(token) ? UNK_ID : vocab.id(token);
    if (id === UNK_ID) unknown.add(token);
    return id;
  });
  return { ids, unknownTokens: [...unknown] };
}
