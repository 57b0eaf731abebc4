/**
 * Indexed sets: a finite set with a count and random access, composed without materialising.
 *
 * A construction's examples are a product of word choices (up to a few hundred thousand), and
 * sampling only ever needs "how many" and "the k-th one". These combinators keep both exact and
 * cheap, so a family is never enumerated. They know nothing about phrases.
 */
export interface Indexed<T> {
  readonly count: number;
  at(index: number): T;
}

export function fromList<T>(items: readonly T[]): Indexed<T> {
  return { count: items.length, at: (index) => items[index] as T };
}

/** Concatenation; empty parts are skipped. */
export function join<T>(parts: readonly Indexed<T>[]): Indexed<T> {
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
export function bind<A, B>(items: readonly A[], f: (item: A) => Indexed<B>): Indexed<B> {
  return join(items.map(f));
}

/** Cartesian product a × b, combined by f. */
export function cross<A, B, C>(a: Indexed<A>, b: Indexed<B>, f: (x: A, y: B) => C): Indexed<C> {
  return {
    count: a.count * b.count,
    at: (index) => f(a.at(Math.floor(index / b.count)), b.at(index % b.count)),
  };
}

export function mapIndexed<A, B>(a: Indexed<A>, f: (x: A) => B): Indexed<B> {
  return { count: a.count, at: (index) => f(a.at(index)) };
}
