import type { z } from 'zod';
import type { ResponseOf, schemas } from '../../../../main/contract/index.ts';

export type ReadingView = ResponseOf<'reading.open'>;
export type Answer = z.output<typeof schemas.answer>;
export type Box = Answer['boxes'][number];
export type Category = ReadingView['categories'][number];
export type ModelBox = NonNullable<ReadingView['modelOutput']>['boxes'][number];

export const emptyAnswer = (): Answer => ({
  category: null,
  confidence: null,
  probabilities: null,
  boxes: [],
});

/** What still stops a commit, in the reader's words; empty when the answer can be committed. */
export function missingParts(view: ReadingView, answer: Answer): string[] {
  const missing: string[] = [];
  if (view.tasks.diagnosis) {
    if (!answer.category) missing.push('choose a diagnosis');
    if (answer.confidence === null) missing.push('set your confidence');
    if (view.tasks.probabilities) {
      const sum = Object.values(answer.probabilities ?? {}).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 100) > 0.5)
        missing.push(`make the probabilities add up to 100 % (now ${Math.round(sum)} %)`);
    }
  }
  return missing;
}
