/**
 * Seeded pseudo-random numbers for everything the engine draws at random (data, weights,
 * batch order), so that a run is reproducible from its `--seed`. `Math.random` is never used.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state),
 * its state filled from the seed by splitmix32. Good statistical quality, and fast in plain JS.
 */

export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in 0 .. n-1 (n a positive integer ≤ 2^32). */
  int(n: number): number;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** Standard normal sample (mean 0, standard deviation 1), Box–Muller. */
  normal(): number;
}

const TWO_POW_32 = 4294967296;

/** splitmix32: turns one 32-bit value into a well-mixed stream, used only for seeding. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a generator from a seed. Any finite number is accepted; it is truncated to an integer,
 * and integers up to 2^53 give distinct streams (high and low 32 bits are both mixed in).
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`createRandom: seed must be a finite number, got ${seed}`);
  const whole = Math.trunc(seed);
  const low = whole >>> 0; // low 32 bits (two's complement for negatives)
  const high = Math.floor(whole / TWO_POW_32) >>> 0;
  const seeder = splitmix32(low ^ Math.imul(high, 0x27d4eb2f));
  let a = seeder();
  let b = seeder();
  let c = seeder();
  let d = seeder() | 1;

  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // let the state diffuse

  let spareNormal: number | null = null;

  const random: Random = {
    next: () => nextUint32() / TWO_POW_32,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32)
        throw new RangeError(`Random.int: n must be an integer in 1..2^32, got ${n}`);
      return Math.floor((nextUint32() / TWO_POW_32) * n);
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('Random.pick: cannot pick from an empty array');
      return items[random.int(items.length)] as T;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        const held = items[i] as T;
        items[i] = items[j] as T;
        items[j] = held;
      }
      return items;
    },
    normal(): number {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      const u1 = 1 - random.next(); // (0, 1]: log is finite
      const u2 = random.next();
      const radius = Math.sqrt(-2 * Math.log(u1));
      spareNormal = radius * Math.sin(2 * Math.PI * u2);
      return radius * Math.cos(2 * Math.PI * u2);
    },
  };
  return random;
}
