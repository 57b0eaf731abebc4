/**
 * Token ↔ id tables. Ids 0..3 are always the special tokens, in this order.
 */

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

export class Vocab {
  /** Every token, index = id; starts with SPECIAL_TOKENS. */
  readonly tokens: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  /** `tokens` without special tokens: they are prepended automatically; duplicates are dropped, first occurrence kept. */
  constructor(tokens: readonly string[]) {
    const ids = new Map<string, number>();
    const ordered: string[] = [];
    for (const token of [...SPECIAL_TOKENS, ...tokens]) {
      if (typeof token !== 'string') throw new TypeError(`Vocab: tokens must be strings, got ${typeof token}`);
      if (ids.has(token)) continue;
      ids.set(token, ordered.length);
      ordered.push(token);
    }
    this.tokens = Object.freeze(ordered);
    this.ids = ids;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, or UNK_ID when it is not in the vocabulary. */
  id(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  /** The token with this id; throws a RangeError for an id outside 0..size-1. */
  token(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new RangeError(`Vocab: id ${id} is outside 0..${this.tokens.length - 1}`);
    }
    return this.tokens[id] as string;
  }

  encode(tokens: readonly string[]): number[] {
    return tokens.map((token) => this.id(token));
  }

  /** Ids → tokens, stopping at the first `<eos>` and dropping `<pad>` and `<bos>`. `<unk>` is kept. */
  decode(ids: readonly number[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (id === EOS_ID) break;
      if (id === PAD_ID || id === BOS_ID) continue;
      out.push(this.token(id));
    }
    return out;
  }

  /** All tokens including the specials, as saved in a run's config.json. */
  toJSON(): string[] {
    return [...this.tokens];
  }

  /**
   * Restores a vocabulary saved with toJSON: `Vocab.fromJSON(v.toJSON())` has exactly the same
   * tokens and ids. Throws when the list does not start with the special tokens or has duplicates.
   */
  static fromJSON(tokens: unknown): Vocab {
    if (!Array.isArray(tokens) || !tokens.every((t): t is string => typeof t === 'string')) {
      throw new TypeError('Vocab.fromJSON: expected an array of strings');
    }
    SPECIAL_TOKENS.forEach((special, i) => {
      if (tokens[i] !== special) {
        throw new Error(`Vocab.fromJSON: token ${i} must be ${special}, got ${JSON.stringify(tokens[i])}`);
      }
    });
    if (new Set(tokens).size !== tokens.length) throw new Error('Vocab.fromJSON: the token list has duplicates');
    return new Vocab(tokens.slice(SPECIAL_TOKENS.length));
  }
}
