import { ObjectId } from 'mongodb';

/**
 * A small seeded PRNG (sfc32, seeded through splitmix32), so that `--seed N` gives the
 * same people, enrollments and progress every time. Math.random cannot be seeded, and
 * node:crypto is needlessly slow for millions of draws.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An ObjectId whose timestamp is `at` (as if made then) and whose other 8 bytes are drawn. */
  objectId(at: Date): ObjectId;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seededRandom(seed: number): Random {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const next = (): number => nextUint32() / 4_294_967_296;
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => next() < probability,
    pick: (items) => items[int(items.length)]!,
    objectId(at) {
      const bytes = Buffer.alloc(12);
      bytes.writeUInt32BE(Math.floor(at.getTime() / 1000) >>> 0, 0);
      bytes.writeUInt32BE(nextUint32(), 4);
      bytes.writeUInt32BE(nextUint32(), 8);
      return new ObjectId(bytes);
    },
  };
}

/**
 * A draw by weight, prepared once: `const sexOf = weighted({female: 78, male: 20});`
 * then `sexOf(random)`. Weights need not add up to anything in particular.
 */
export function weighted<K extends string>(weights: Readonly<Record<K, number>>): (random: Random) => K {
  const keys = Object.keys(weights) as K[];
  const cumulative: number[] = [];
  let total = 0;
  for (const key of keys) {
    total += weights[key];
    cumulative.push(total);
  }
  return (random) => {
    const draw = random.next() * total;
    for (let index = 0; index < cumulative.length; index += 1) if (draw < cumulative[index]!) return keys[index]!;
    return keys[keys.length - 1]!;
  };
}
