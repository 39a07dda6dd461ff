import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseMrmcCsv, toMrmcInput } from '../../core/readers-import/mrmc-csv.ts';
import { cocoEvaluate } from '../../core/stats/coco-eval.ts';
import { cocoInput, parseCocoDetections, parseCocoGroundTruth } from '../../core/stats/coco-format.ts';
import { compareWithReference, orAnalysis, type CovarianceMethod } from '../../core/stats/mrmc.ts';

export const describe =
  'Statistics from files: Obuchowski-Rockette MRMC analysis of a reader CSV, COCO AP of detections.';

const USAGE = `usage:
  dermaread stats or --csv FILE [--reference READER] [--covariance jackknife|delong]
      MRMC ROC analysis (Obuchowski-Rockette, Hillis df) of a CSV with columns reader, treatment, case, truth
      (1 = diseased), rating, and optionally patient (then the patient, not the case, is the sampling unit).
      With --reference, the other readers' mean AUC is compared with that reader's (e.g. a model) as a fixed
      reference, in each treatment.
  dermaread stats coco --gt GT.json --dt DT.json
      COCO box AP/AR (the 12 numbers of pycocotools' COCOeval) and AP per category.
Both print JSON; infinite degrees of freedom (normal tests) print as null.`;

const print = (value: unknown) =>
  process.stdout.write(
    `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );

async function orCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      csv: { type: 'string' },
      reference: { type: 'string' },
      covariance: { type: 'string', default: 'jackknife' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.csv) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (values.covariance !== 'jackknife' && values.covariance !== 'delong') {
    throw new Error(`--covariance must be jackknife or delong, got "${values.covariance}"`);
  }
  const covariance: CovarianceMethod = values.covariance;
  const design = toMrmcInput(parseMrmcCsv(await readFile(values.csv, 'utf8'), values.csv), values.csv);
  if (!values.reference) {
    print(orAnalysis({ ...design, covariance }));
    return 0;
  }
  const ref = design.readers.indexOf(values.reference);
  if (ref < 0)
    throw new Error(
      `--reference ${values.reference} is not a reader of ${values.csv} (readers: ${design.readers.join(', ')})`,
    );
  const readers = design.readers.filter((_, j) => j !== ref);
  print({
    reference: values.reference,
    treatments: design.treatments.map((treatment, t) => ({
      treatment,
      ...compareWithReference({
        readers,
        ratings: design.ratings[t].filter((_, j) => j !== ref),
        reference: { name: values.reference!, scores: design.ratings[t][ref] },
        truth: design.truth,
        clusters: design.clusters,
        covariance,
      }),
    })),
  });
  return 0;
}

async function cocoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { gt: { type: 'string' }, dt: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !values.gt || !values.dt) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const groundTruth = parseCocoGroundTruth(await readFile(values.gt, 'utf8'), values.gt);
  const detections = parseCocoDetections(await readFile(values.dt, 'utf8'), values.dt, groundTruth);
  const result = cocoEvaluate(cocoInput(groundTruth, detections));
  const names = new Map(groundTruth.categories.map((c) => [c.id, c.name]));
  print({
    images: groundTruth.images.length,
    groundTruthBoxes: groundTruth.annotations.length,
    detections: detections.length,
    ...result,
    perCategory: result.perCategory.map((c) => ({ ...c, name: names.get(c.categoryId) })),
  });
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'or') return orCommand(rest);
  if (sub === 'coco') return cocoCommand(rest);
  process.stderr.write(`${USAGE}\n`);
  return sub === '--help' || sub === undefined ? 0 : 2;
}
