// Benchmark of the full model-versus-readers report: 2,000 cases x 20 readers x 7 categories, MRMC included
// (readers against the model; with --assisted also a second reading phase and the unaided-vs-assisted
// analysis; with --boxes also COCO AP and FROC for every reader). Prints figures; asserts nothing. Every run
// also times the same report with the cases spread over patients (clustered statistics) as a ratio.
// Run: node --import tsx scripts/bench-stats.ts [--cases N] [--readers N] [--assisted] [--boxes] [--per-patient N]
import { parseArgs } from 'node:util';
import { reportCsv } from '../main/core/reports/export-csv.ts';
import { reportHtml } from '../main/core/reports/export-html.ts';
import { reportJson } from '../main/core/reports/export-json.ts';
import type { ReportInput, ReportReading } from '../main/core/reports/input.ts';
import { buildReport } from '../main/core/reports/report.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    readers: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
    assisted: { type: 'boolean', default: false },
    boxes: { type: 'boolean', default: false },
    'per-patient': { type: 'string', default: '3' },
  },
});
const caseCount = Number(values.cases);
const readerCount = Number(values.readers);
const categories = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'];

let state = 12345;
const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const probabilities = (truth: number, skill: number) => {
  const raw = categories.map((_, k) => Math.exp((k === truth ? skill : 0) + random() * 2));
  const sum = raw.reduce((s, x) => s + x, 0);
  return raw.map((x) => x / sum);
};
type Box = [number, number, number, number];
const lesion = (i: number): Box => [(i * 7) % 150, (i * 3) % 100, 20 + (i % 30), 15 + (i % 20)];

function simulate(): ReportInput {
  const truths = Array.from({ length: caseCount }, () => Math.floor(random() ** 1.5 * categories.length));
  const cases = truths.map((t, i) => ({
    id: `ISIC_${i}`,
    labels: [categories[t]],
    ...(values.boxes ? { boxes: [{ category: categories[t], bbox: lesion(i) }] } : {}),
  }));
  const modelScores = Object.fromEntries(cases.map((c, i) => [c.id, probabilities(truths[i], 2.5)]));
  const modelBoxes = values.boxes
    ? Object.fromEntries(
        cases.map((c, i) => [
          c.id,
          [{ category: categories[truths[i]], bbox: lesion(i + (random() < 0.2 ? 1 : 0)), score: random() }],
        ]),
      )
    : undefined;
  const readers = Array.from({ length: readerCount }, (_, r) => ({ id: `r${r}`, name: `Reader ${r + 1}` }));
  const readings: ReportReading[] = [];
  for (const phase of values.assisted ? (['unaided', 'assisted'] as const) : (['unaided'] as const)) {
    for (const [r, reader] of readers.entries()) {
      cases.forEach((c, i) => {
        const scores = probabilities(truths[i], 1 + r * 0.05 + (phase === 'assisted' ? 0.7 : 0));
        const chosen = scores.indexOf(Math.max(...scores));
        readings.push({
          readerId: reader.id,
          caseId: c.id,
          phase,
          answer: { category: categories[chosen], confidence: Math.round(scores[chosen] * 100) },
          timeMs: 2000 + Math.floor(random() * 20000),
          ...(values.boxes
            ? { boxes: [{ category: categories[chosen], bbox: lesion(i + (random() < 0.3 ? 1 : 0)) }] }
            : {}),
        });
      });
    }
  }
  return {
    title: 'Benchmark',
    categories,
    cases,
    models: [{ name: 'model', scores: modelScores, boxes: modelBoxes }],
    readers,
    readings,
  };
}

function timed(input: ReportInput) {
  const times: number[] = [];
  let report = buildReport(input);
  for (let i = 0; i < Number(values.runs); i++) {
    const start = performance.now();
    report = buildReport(input);
    times.push(performance.now() - start);
  }
  return { report, times: times.sort((a, b) => a - b) };
}

const input = simulate();
const { report, times } = timed(input);
const perPatient = Number(values['per-patient']);
const clustered = timed({
  ...input,
  cases: input.cases.map((c, i) => ({ ...c, patient: `P${Math.floor(i / perPatient)}` })),
});
const exportStart = performance.now();
const json = reportJson(report);
const html = reportHtml(report);
const csv = reportCsv(report);
const exportMs = performance.now() - exportStart;
const skipped = report.mrmc.readersVsModel
  .flatMap((p) => p.categories)
  .filter((c) => 'skipped' in c.result).length;
console.log(
  JSON.stringify(
    {
      design: {
        cases: caseCount,
        readers: readerCount,
        categories: categories.length,
        phases: report.phases,
        boxes: values.boxes,
        readings: input.readings.length,
      },
      buildReportMs: {
        median: Number(times[times.length >> 1].toFixed(1)),
        min: Number(times[0].toFixed(1)),
        max: Number(times.at(-1)!.toFixed(1)),
        runs: times.length,
      },
      clusteredBuildReportMs: {
        casesPerPatient: perPatient,
        median: Number(clustered.times[clustered.times.length >> 1].toFixed(1)),
        ratioToUnclustered: Number(
          (clustered.times[clustered.times.length >> 1] / times[times.length >> 1]).toFixed(2),
        ),
      },
      exportMs: Number(exportMs.toFixed(1)),
      sizes: { jsonBytes: json.length, htmlBytes: html.length, csvFiles: Object.keys(csv).length },
      mrmcAnalyses:
        report.mrmc.readersVsModel.flatMap((p) => p.categories).length +
        (report.mrmc.unaidedVsAssisted?.length ?? 0),
      mrmcSkipped: skipped,
      node: process.version,
    },
    null,
    2,
  ),
);
