// How a reader's answer becomes one score per category, so that readers and models enter the same ROC
// analysis (documented in README.md here).

export interface ReaderAnswer {
  /** The diagnosis chosen, or null. */
  category: string | null;
  /** 0-100: how sure the reader is of that diagnosis; null when the study did not ask. */
  confidence: number | null;
  /** Per-category probability in percent (summing to 100), when the study asks for it. */
  probabilities?: Record<string, number> | null;
}

/**
 * Scores in [0, 1] summing to 1, in the order of `categories`, or null when the answer holds no diagnosis.
 * - Probabilities, when given, are the scores (percent / 100; a category left out scores 0).
 * - Otherwise the chosen category scores s = 1/K + (1 - 1/K) * confidence/100 and the K - 1 others share
 *   1 - s equally: confidence 100 (or none asked) gives 1 and 0, confidence 0 gives every category 1/K.
 *   The chosen category never scores below another, whatever the confidence.
 */
export function answerScores(answer: ReaderAnswer, categories: readonly string[]): Float64Array | null {
  const k = categories.length;
  if (k < 2) throw new Error(`scoring an answer needs at least 2 categories (got ${k})`);
  if (answer.probabilities) {
    const scores = new Float64Array(k);
    for (const [name, percent] of Object.entries(answer.probabilities)) {
      const index = categories.indexOf(name);
      if (index < 0) throw new Error(`probability given for unknown category "${name}"`);
      if (!(percent >= 0 && percent <= 100))
        throw new Error(`probability of "${name}" must be 0-100 percent, got ${percent}`);
      scores[index] = percent / 100;
    }
    return scores;
  }
  if (answer.category === null) return null;
  const chosen = categories.indexOf(answer.category);
  if (chosen < 0) throw new Error(`unknown category "${answer.category}" (known: ${categories.join(', ')})`);
  const confidence = answer.confidence ?? 100;
  if (!(confidence >= 0 && confidence <= 100)) throw new Error(`confidence must be 0-100, got ${confidence}`);
  const top = 1 / k + (1 - 1 / k) * (confidence / 100);
  const scores = new Float64Array(k).fill((1 - top) / (k - 1));
  scores[chosen] = top;
  return scores;
}

/** The category an answer decides for: the chosen one, else the most probable (first on ties). */
export function answerDecision(answer: ReaderAnswer, categories: readonly string[]): number | null {
  if (answer.category !== null) {
    const chosen = categories.indexOf(answer.category);
    if (chosen < 0)
      throw new Error(`unknown category "${answer.category}" (known: ${categories.join(', ')})`);
    return chosen;
  }
  const scores = answer.probabilities ? answerScores(answer, categories) : null;
  return scores ? argmax(scores) : null;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** The score a reader's box gets in detection metrics: the reading's confidence / 100 (1 when not asked). */
export function boxScore(confidence: number | null): number {
  if (confidence === null) return 1;
  if (!(confidence >= 0 && confidence <= 100)) throw new Error(`confidence must be 0-100, got ${confidence}`);
  return confidence / 100;
}
