// Seeded randomness for study design: the same seed always gives the same sample and the same case order, so
// a study's design can be recomputed and audited from the seeds it records.

/** mulberry32: a small, well-distributed 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A reader's order seed, derived from the study's seed and the reader so that each reader gets their own order. */
export function readerOrderSeed(studySeed: number, readerId: number): number {
  let h = (studySeed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ readerId, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Stratified random sample of `n` items: each stratum gets its proportional share (largest-remainder rounding,
 * ties broken by stratum name) and at least one item when n allows; items are drawn at random within it.
 * Returned in the input's order.
 */
export function stratifiedSample<T>(
  items: readonly T[],
  stratumOf: (item: T) => string,
  n: number,
  seed: number,
): T[] {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`sample size must be a positive integer, got ${n}`);
  if (n > items.length)
    throw new Error(`sample size ${n} is larger than the ${items.length} cases available`);
  const strata = new Map<string, T[]>();
  for (const item of items) {
    const key = stratumOf(item);
    strata.set(key, [...(strata.get(key) ?? []), item]);
  }
  const names = [...strata.keys()].sort();
  const quotas = new Map(names.map((name) => [name, (strata.get(name)!.length * n) / items.length]));
  const take = new Map(names.map((name) => [name, Math.floor(quotas.get(name)!)]));
  // every stratum is represented when the sample is large enough
  if (n >= names.length) for (const name of names) take.set(name, Math.max(1, take.get(name)!));
  let total = [...take.values()].reduce((a, b) => a + b, 0);
  const pick = (score: (name: string) => number, allowed: (name: string) => boolean) =>
    names.filter(allowed).sort((a, b) => score(b) - score(a) || a.localeCompare(b))[0];
  while (total > n) {
    const name = pick(
      (s) => take.get(s)! - quotas.get(s)!,
      (s) => take.get(s)! > 1,
    );
    take.set(name, take.get(name)! - 1);
    total--;
  }
  while (total < n) {
    const name = pick(
      (s) => quotas.get(s)! - take.get(s)!,
      (s) => take.get(s)! < strata.get(s)!.length,
    );
    take.set(name, take.get(name)! + 1);
    total++;
  }
  const chosen = new Set<T>();
  names.forEach((name, index) => {
    for (const item of shuffled(strata.get(name)!, (seed + index * 7919) | 0).slice(0, take.get(name)!))
      chosen.add(item);
  });
  return items.filter((item) => chosen.has(item));
}
