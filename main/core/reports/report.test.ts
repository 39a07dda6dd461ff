import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cocoEvaluate } from '../stats/coco-eval.ts';
import { compareWithReference } from '../stats/mrmc.ts';
import { aucWithCi, empiricalAuc, pairedDelongTest, placements } from '../stats/roc.ts';
import { reportCsv } from './export-csv.ts';
import { reportHtml } from './export-html.ts';
import { imrmcInput } from './export-imrmc.ts';
import { reportJson } from './export-json.ts';
import type { ReportInput, ReportReading } from './input.ts';
import { buildReport } from './report.ts';
import { parseReadsCsv } from '../readers-import/reads-csv.ts';

const categories = ['mel', 'nv', 'bcc', 'bkl'];

/** A small study: 80 cases (two with two labels), a model, four readers (one reads half), two phases, boxes. */
function study(): ReportInput {
  let state = 99;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const cases = Array.from({ length: 80 }, (_, i) => {
    const label = categories[i % 4];
    const labels = i === 5 || i === 6 ? [label, 'nv'] : [label];
    return {
      id: `c${i}`,
      labels,
      boxes:
        i < 40
          ? [
              {
                category: label,
                bbox: [10 + i, 20, 30 + (i % 5) * 20, 40] as [number, number, number, number],
              },
            ]
          : undefined,
    };
  });
  const noisy = (truthIndex: number, skill: number) => {
    const raw = categories.map((_, k) => Math.exp((k === truthIndex ? skill : 0) + random() * 1.5));
    const sum = raw.reduce((s, x) => s + x, 0);
    return raw.map((x) => x / sum);
  };
  const truthOf = (i: number) => i % 4;
  const modelScores = Object.fromEntries(cases.map((c, i) => [c.id, noisy(truthOf(i), 1.2)]));
  const modelBoxes = Object.fromEntries(
    cases.slice(0, 40).map((c, i) => [
      c.id,
      [
        { ...c.boxes![0], score: 0.9 - i * 0.01 },
        { category: 'nv', bbox: [0, 0, 5, 5] as [number, number, number, number], score: random() },
      ],
    ]),
  );
  const readings: ReportReading[] = [];
  const readers = ['r1', 'r2', 'r3', 'r4'].map((id) => ({ id, name: `Dr ${id.toUpperCase()}` }));
  for (const [r, reader] of readers.entries()) {
    for (const phase of ['unaided', 'assisted'] as const) {
      if (reader.id === 'r4' && phase === 'assisted') continue;
      cases.forEach((c, i) => {
        if (reader.id === 'r4' && i % 2 === 1) return;
        const scores = noisy(truthOf(i), phase === 'assisted' ? 1.6 : 0.6 + r * 0.2);
        const chosen = scores.indexOf(Math.max(...scores));
        const boxes =
          c.boxes && reader.id === 'r1'
            ? c.boxes
            : c.boxes
              ? [
                  {
                    category: categories[chosen],
                    bbox: [12 + i, 22, 28, 40] as [number, number, number, number],
                  },
                ]
              : undefined;
        readings.push({
          readerId: reader.id,
          caseId: c.id,
          phase,
          answer: { category: categories[chosen], confidence: Math.round(scores[chosen] * 100) },
          timeMs: 1000 * (r + 1) + i,
          boxes,
        });
      });
    }
  }
  const groupScores = Object.fromEntries(cases.map((c, i) => [c.id, noisy(truthOf(i), 1)]));
  return {
    title: 'Test study',
    categories,
    cases,
    models: [{ name: 'net', scores: modelScores, boxes: modelBoxes }],
    readers,
    readings,
    readerGroups: [{ name: 'ISIC readers', scores: groupScores }],
  };
}

const scoreColumn = (input: ReportInput, readerId: string, phase: string, k: number, caseIds: string[]) =>
  caseIds.map((id) => {
    const reading = input.readings.find(
      (r) => r.readerId === readerId && r.caseId === id && r.phase === phase,
    )!;
    const chosen = categories.indexOf(reading.answer.category!);
    const top = 1 / 4 + (3 / 4) * (reading.answer.confidence! / 100);
    return k === chosen ? top : (1 - top) / 3;
  });

test('AUCs, CIs and paired DeLong tests are computed on the cases each pair has read', () => {
  const input = study();
  const report = buildReport(input);
  const ids = input.cases.map((c) => c.id);
  for (const [k, category] of categories.entries()) {
    const result = report.classification.perCategory[k];
    const truth = input.cases.map((c) => c.labels.includes(category));
    const model = result.scorers.find((s) => s.scorer.kind === 'model')!;
    assert.deepEqual(
      model.auc,
      aucWithCi(
        placements(
          ids.map((id) => input.models[0].scores[id][k]),
          truth,
        ),
      ),
    );
    assert.equal(model.curve!.at(-1)!.fpr, 1);
    const r4 = result.scorers.find((s) => s.scorer.id === 'reader:r4')!;
    assert.ok(r4.curve === undefined && result.scorers.find((s) => s.scorer.kind === 'group')!.curve);
    if (category === 'bkl') {
      // r4 read only even cases: no bkl among them, so no AUC and no test.
      assert.deepEqual(
        [r4.auc, r4.vsModel, r4.note],
        [null, null, '0 positive and 40 negative cases among the cases read'],
      );
      continue;
    }
    const half = ids.filter((_, i) => i % 2 === 0);
    const halfTruth = input.cases.filter((_, i) => i % 2 === 0).map((c) => c.labels.includes(category));
    assert.equal(r4.cases, 40);
    assert.equal(r4.vsModel!.cases, 40);
    const expected = pairedDelongTest(
      placements(scoreColumn(input, 'r4', 'unaided', k, half), halfTruth),
      placements(
        half.map((id) => input.models[0].scores[id][k]),
        halfTruth,
      ),
    );
    assert.ok(
      Math.abs(r4.vsModel!.p - expected.p) < 1e-12 &&
        Math.abs(r4.vsModel!.difference - expected.difference) < 1e-12,
    );
  }
  assert.equal(report.referenceModel, 'net');
  assert.deepEqual(report.phases, ['unaided', 'assisted']);
});

test('MRMC: readers against the model on the cases every reader read, and unaided against assisted', () => {
  const input = study();
  const report = buildReport(input);
  const unaided = report.mrmc.readersVsModel.find((p) => p.phase === 'unaided')!;
  const common = input.cases.filter((_, i) => i % 2 === 0);
  const entry = unaided.categories[0];
  assert.equal(entry.cases, 40);
  assert.ok(!('skipped' in entry.result));
  const direct = compareWithReference({
    readers: ['Dr R1', 'Dr R2', 'Dr R3', 'Dr R4'],
    ratings: ['r1', 'r2', 'r3', 'r4'].map((r) =>
      scoreColumn(
        input,
        r,
        'unaided',
        0,
        common.map((c) => c.id),
      ),
    ),
    reference: { name: 'net', scores: common.map((c) => input.models[0].scores[c.id][0]) },
    truth: common.map((c) => c.labels.includes('mel')),
  });
  assert.deepEqual(entry.result, direct);
  const assisted = report.mrmc.unaidedVsAssisted!;
  assert.equal(assisted.length, 4);
  const first = assisted[0].result;
  assert.ok(!('skipped' in first));
  assert.deepEqual(first.readers, ['Dr R1', 'Dr R2', 'Dr R3']);
  assert.equal(assisted[0].cases, 80);
});

test('confusion matrices leave out multi-label cases; kappas, reading times', () => {
  const input = study();
  const report = buildReport(input);
  const r1 = report.classification.summary.find(
    (s) => s.scorer.id === 'reader:r1' && s.scorer.phase === 'unaided',
  )!;
  assert.equal(r1.cases, 78);
  assert.equal(
    r1.confusion.flat().reduce((s, x) => s + x, 0),
    78,
  );
  const fleiss = report.classification.fleiss.find((f) => f.phase === 'unaided')!;
  assert.equal(fleiss.subjects, 80);
  assert.equal(fleiss.ratings, 80 * 3 + 40);
  const time = report.readingTime.find((t) => t.scorer.id === 'reader:r2' && t.scorer.phase === 'unaided')!;
  assert.equal(time.cases, 80);
  assert.equal(time.medianMs, 2000 + 39.5);
  assert.equal(report.counts.readers, 4);
});

test('detection: COCO AP on the images each scorer marked, reader boxes scored by confidence, FROC', () => {
  const input = study();
  const report = buildReport(input);
  const detection = report.detection!;
  const perfect = detection.scorers.find((d) => d.scorer.id === 'reader:r1' && d.scorer.phase === 'unaided')!;
  assert.equal(perfect.images, 40);
  assert.equal(perfect.coco.summary.AP50, 1);
  assert.equal(perfect.froc.points.at(-1)!.llf, 1);
  assert.equal(perfect.froc.points.at(-1)!.nlf, 0);
  const model = detection.scorers.find((d) => d.scorer.kind === 'model')!;
  const direct = cocoEvaluate({
    imageIds: input.cases.slice(0, 40).map((_, i) => i + 1),
    categoryIds: [1, 2, 3, 4],
    groundTruth: input.cases.slice(0, 40).map((c, i) => ({
      id: i + 1,
      image_id: i + 1,
      category_id: categories.indexOf(c.boxes![0].category) + 1,
      bbox: c.boxes![0].bbox,
    })),
    detections: input.cases.slice(0, 40).flatMap((c, i) =>
      input.models[0].boxes![c.id].map((b) => ({
        image_id: i + 1,
        category_id: categories.indexOf(b.category) + 1,
        bbox: b.bbox,
        score: b.score,
      })),
    ),
  });
  assert.deepEqual(model.coco.summary, direct.summary);
  const r4 = detection.scorers.find((d) => d.scorer.id === 'reader:r4')!;
  assert.equal(r4.images, 20);
  assert.ok(r4.modelOnSameImages && r4.modelOnSameImages.AP >= 0);
});

test('detection is left out without ground-truth boxes, and so is a scorer that never marked one', () => {
  const input = study();
  const noMarks = {
    ...input,
    readings: input.readings.map((r) => (r.readerId === 'r2' ? { ...r, boxes: r.boxes && [] } : r)),
  };
  const ids = buildReport(noMarks).detection!.scorers.map((d) => `${d.scorer.id} ${d.scorer.phase}`);
  assert.ok(!ids.some((id) => id.startsWith('reader:r2')) && ids.includes('reader:r1 unaided'));
  const noTruth = { ...input, cases: input.cases.map((c) => ({ ...c, boxes: c.boxes && [] })) };
  assert.equal(buildReport(noTruth).detection, null);
});

test('cases of one patient are counted, and the report takes patients as the sampling unit', () => {
  const input = study();
  assert.equal(buildReport(input).counts.patients, null, 'no patient known');
  assert.equal(buildReport(input).caseIndependence, null);
  const onePatientEach = input.cases.map((c) => ({ ...c, patient: `P${c.id}` }));
  const separate = buildReport({ ...input, cases: onePatientEach });
  assert.equal(separate.counts.patients, 80);
  assert.equal(separate.caseIndependence, null);
  // cases 0-9 from one patient; case 10 has no patient and counts as its own
  const clustered = onePatientEach.map((c, i) => ({
    ...c,
    patient: i < 10 ? 'P0' : i === 10 ? null : c.patient,
  }));
  const report = buildReport({ ...input, cases: clustered });
  assert.equal(report.counts.patients, 71);
  assert.match(
    report.caseIndependence!,
    /^80 cases come from 71 patients: the AUC intervals, the paired tests and the MRMC/,
  );
  assert.match(reportHtml(report), /<p class="warning">80 cases come from 71 patients/);
  // the model's AUC interval is Obuchowski's clustered one; the plain DeLong one is what `separate` has
  const clusters = clustered.map((c, i) => (i < 10 ? 0 : i));
  const truth = input.cases.map((c) => c.labels.includes(categories[0]));
  const scores = input.cases.map((c) => input.models[0].scores[c.id][0]);
  const modelAuc = (r: typeof report) =>
    r.classification.perCategory[0].scorers.find((s) => s.scorer.kind === 'model')!.auc;
  assert.deepEqual(modelAuc(report), aucWithCi(placements(scores, truth, clusters)));
  assert.deepEqual(modelAuc(separate), aucWithCi(placements(scores, truth)));
  assert.notEqual(modelAuc(report)!.variance, modelAuc(separate)!.variance);
  const mrmcVarError = (r: typeof report) => {
    const result = r.mrmc.readersVsModel[0].categories[0].result;
    assert.ok(!('skipped' in result), 'the MRMC analysis ran');
    return result.differenceComponents.varError;
  };
  assert.equal(
    mrmcVarError(separate),
    mrmcVarError(buildReport(input)),
    'one patient per case: as unclustered',
  );
  assert.notEqual(mrmcVarError(report), mrmcVarError(separate), 'the jackknife leaves out whole patients');
});

test('bad inputs are named', () => {
  const input = study();
  assert.throws(
    () =>
      buildReport({
        ...input,
        readings: [
          ...input.readings,
          { readerId: 'r9', caseId: 'c1', answer: { category: 'mel', confidence: 1 } },
        ],
      }),
    /unknown reader r9/,
  );
  assert.throws(
    () =>
      buildReport({
        ...input,
        readings: [{ readerId: 'r1', caseId: 'nope', answer: { category: 'mel', confidence: 1 } }],
      }),
    /unknown case nope/,
  );
  assert.throws(
    () => buildReport({ ...input, readings: [input.readings[0], input.readings[0]] }),
    /read case c0 twice in the unaided phase/,
  );
  assert.throws(
    () =>
      buildReport({
        ...input,
        readings: [{ ...input.readings[0], answer: { category: 'scc', confidence: 1 } }],
      }),
    /reader Dr R1, case c0\): unknown category "scc"/,
  );
  assert.throws(
    () => buildReport({ ...input, models: [{ name: 'm', scores: { c0: [0.5, 0.5] } }] }),
    /model m, case c0: needs 4 finite scores/,
  );
});

test('exports: JSON without NaN or Infinity, CSV tables, printable HTML, iMRMC that re-reads to the same AUCs', () => {
  const input = study();
  const report = buildReport(input, new Date('2026-01-02T03:04:05Z'));
  const json = JSON.parse(reportJson(report));
  assert.equal(json.generatedAt, '2026-01-02T03:04:05.000Z');
  assert.equal(json.mrmc.readersVsModel[0].categories[0].result.fixedReadersRandomCases.df, null);
  const csv = reportCsv(report);
  const aucRows = csv['auc.csv'].trim().split('\n');
  assert.equal(aucRows.length, 1 + categories.length * (1 + 1 + 4 + 3));
  assert.ok(
    [
      'summary.csv',
      'confusion.csv',
      'fleiss.csv',
      'mrmc.csv',
      'detection.csv',
      'froc.csv',
      'reading-time.csv',
    ].every((name) => csv[name].split('\n').length > 2),
  );
  const html = reportHtml(report);
  assert.match(html, /^<!doctype html>/);
  assert.ok(!/<script|<link|src=/.test(html));
  for (const c of categories) assert.ok(html.includes(`ROC: ${c}`));

  const imrmc = imrmcInput(input, 'bcc');
  const lines = imrmc.split('\n');
  const header = (key: string) => Number(lines.find((l) => l.startsWith(`${key}:`))!.split(':')[1]);
  assert.deepEqual([header('NR'), header('N0'), header('N1'), header('NM')], [5, 60, 20, 3]);
  const data = lines
    .slice(lines.indexOf('BEGIN DATA:') + 1)
    .filter(Boolean)
    .map((l) => l.split(',').map(Number));
  const truth = new Map(data.filter((r) => r[0] === -1).map((r) => [r[1], r[3] === 1]));
  const reader2 = data.filter((r) => r[0] === 2 && r[2] === 1);
  const fromFile = empiricalAuc(
    reader2.map((r) => r[3]),
    reader2.map((r) => truth.get(r[1])!),
  );
  const inReport = report.classification.perCategory[2].scorers.find(
    (s) => s.scorer.id === 'reader:r2' && s.scorer.phase === 'unaided',
  )!.auc!.auc;
  assert.ok(Math.abs(fromFile - inReport) < 1e-12);
});

test('outside reads from a CSV enter the report as readers', () => {
  const csv = [
    'reader,case,category,confidence,time_ms',
    ...['A', 'B'].flatMap((reader) =>
      ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'].map(
        (c, i) =>
          `${reader},${c},${i % 2 ? 'nv' : reader === 'A' ? 'mel' : 'nv'},${50 + i * 5},${1000 * (i + 1)}`,
      ),
    ),
  ].join('\n');
  const readings = parseReadsCsv(csv, 'reads.csv', ['mel', 'nv']);
  const cases = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'].map((id, i) => ({ id, labels: [i % 2 ? 'nv' : 'mel'] }));
  const report = buildReport({
    categories: ['mel', 'nv'],
    cases,
    models: [],
    readers: [
      { id: 'A', name: 'A' },
      { id: 'B', name: 'B' },
    ],
    readings,
  });
  const [a, b] = report.classification.summary;
  assert.deepEqual(a.confusion, [
    [3, 0],
    [0, 3],
  ]);
  assert.deepEqual(b.confusion, [
    [0, 3],
    [0, 3],
  ]);
  assert.equal(report.classification.perCategory[0].scorers[0].auc!.auc, 1);
  assert.equal(report.readingTime[0].medianMs, 3500);
  assert.equal(report.referenceModel, null);
  assert.deepEqual(report.mrmc.readersVsModel, []);
});

/**
 * A lesion-marking study with one category (the demo's ACNE04 study): 2 images, 3 ground-truth lesions, a
 * detector and two readers who only marked boxes. Every box either equals a lesion (IoU 1) or misses all
 * (IoU 0), so AP is the same at every IoU threshold and is worked out by hand below.
 */
function markingStudy(): ReportInput {
  const box = (x: number, y: number): [number, number, number, number] => [x, y, 10, 10];
  const lesion = (x: number, y: number) => ({ category: 'acne_lesion', bbox: box(x, y) });
  return {
    title: 'Acne marking',
    categories: ['acne_lesion'],
    cases: [
      { id: 'a', labels: ['acne_lesion'], boxes: [lesion(0, 0), lesion(100, 100)] },
      { id: 'b', labels: ['acne_lesion'], boxes: [lesion(50, 50)] },
    ],
    models: [
      {
        name: 'detector',
        scores: {},
        boxes: {
          a: [
            { ...lesion(0, 0), score: 0.9 },
            { ...lesion(300, 300), score: 0.8 },
            { ...lesion(100, 100), score: 0.3 },
          ],
          b: [{ ...lesion(50, 50), score: 0.6 }],
        },
      },
    ],
    readers: [
      { id: 'r1', name: 'Dr One' },
      { id: 'r2', name: 'Dr Two' },
    ],
    readings: [
      // Dr One was asked for a confidence: 90 on image a (a hit), 30 on image b (a false mark).
      {
        readerId: 'r1',
        caseId: 'a',
        answer: { category: null, confidence: 90 },
        timeMs: 4000,
        boxes: [lesion(0, 0)],
      },
      {
        readerId: 'r1',
        caseId: 'b',
        answer: { category: null, confidence: 30 },
        timeMs: 2000,
        boxes: [lesion(400, 0)],
      },
      // Dr Two without a confidence question: every box scores 1; image b read, nothing marked.
      {
        readerId: 'r2',
        caseId: 'a',
        answer: { category: null, confidence: null },
        timeMs: 1000,
        boxes: [lesion(0, 0), lesion(100, 100)],
      },
      { readerId: 'r2', caseId: 'b', answer: { category: null, confidence: null }, timeMs: 6000, boxes: [] },
    ],
  };
}

test('a one-category marking study: no classification or MRMC (with the reason), detection and reading time', () => {
  const input = markingStudy();
  const report = buildReport(input);
  assert.match(report.classification.skipped!, /one category \(acne_lesion\)/);
  assert.equal(report.mrmc.skipped, report.classification.skipped);
  assert.deepEqual(
    [report.classification.perCategory, report.classification.summary, report.mrmc.readersVsModel],
    [[], [], []],
  );
  const [model, one, two] = report.detection!.scorers;
  assert.deepEqual(
    [model.scorer.name, one.scorer.name, two.scorer.name, one.images, two.images],
    ['detector', 'Dr One', 'Dr Two', 2, 2],
  );
  // By hand, COCO's 101 recall points r = 0, .01, ..., 1 (precision made monotone from the right):
  // detector, in score order: hit .9, miss .8, hit .6, hit .3 -> recall 1/3 1/3 2/3 1, precision 1 .5 2/3 .75;
  //   monotone 1 .75 .75 .75: r <= .33 (34 points) -> 1, the other 67 -> .75.
  // Dr One: hit .9, miss .3 -> recall 1/3 1/3, precision 1 .5: 34 points -> 1, beyond recall 1/3 -> 0.
  // Dr Two: hit 1, hit 1 -> recall 1/3 2/3, precision 1 1: 67 points -> 1, beyond 2/3 -> 0.
  const close = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
  for (const [scorer, ap, ar] of [
    [model, (34 + 67 * 0.75) / 101, 1],
    [one, 34 / 101, 1 / 3],
    [two, 67 / 101, 2 / 3],
  ] as const) {
    close(scorer.coco.summary.AP, ap);
    close(scorer.coco.summary.AP50, ap);
    close(scorer.coco.summary.AP75, ap);
    close(scorer.coco.summary.APsmall, ap);
    close(scorer.coco.summary.AR100, ar);
    assert.equal(scorer.coco.summary.APlarge, -1);
  }
  close(one.modelOnSameImages!.AP, (34 + 67 * 0.75) / 101);
  // FROC (2 images): the detector's LLF/NLF from the origin through thresholds .9 .8 .6 .3; the CPM is the mean of the best LLF at
  // <= 1/8, 1/4, 1/2, 1, 2, 4, 8 false marks per image: 1/3, 1/3 and five times 1.
  assert.deepEqual(
    model.froc.points.map((p) => [p.threshold, p.llf, p.nlf]),
    [
      [Infinity, 0, 0],
      [0.9, 1 / 3, 0],
      [0.8, 1 / 3, 0.5],
      [0.6, 2 / 3, 0.5],
      [0.3, 1, 0.5],
    ],
  );
  close(model.froc.meanSensitivity, (1 / 3 + 1 / 3 + 5) / 7);
  assert.deepEqual(
    one.froc.points.map((p) => [p.threshold, p.llf, p.nlf]),
    [
      [Infinity, 0, 0],
      [0.9, 1 / 3, 0],
      [0.3, 1 / 3, 0.5],
    ],
  );
  close(two.froc.meanSensitivity, 2 / 3);
  assert.deepEqual(
    report.readingTime.map((t) => [t.scorer.name, t.cases, t.totalMs, t.meanMs, t.medianMs]),
    [
      ['Dr One', 2, 6000, 3000, 3000],
      ['Dr Two', 2, 7000, 3500, 3500],
    ],
  );

  const csv = reportCsv(report);
  assert.deepEqual(Object.keys(csv).sort(), ['detection.csv', 'froc.csv', 'reading-time.csv']);
  const html = reportHtml(report);
  assert.ok(
    html.includes('Not computed: the study has one category (acne_lesion)') &&
      html.includes('<h2>Detection</h2>'),
  );
  assert.ok(!html.includes('ROC:') && !html.includes('Confusion matrices'));
  assert.throws(
    () => imrmcInput(input, 'acne_lesion'),
    /no iMRMC input for this study: the study has one category/,
  );
});

test('readers who gave no diagnosis in a study of several categories: classification skipped, detection kept', () => {
  const input = markingStudy();
  const twoCategories = { ...input, categories: ['acne_lesion', 'scar'] };
  const report = buildReport(twoCategories);
  assert.match(report.classification.skipped!, /no reading holds a diagnosis/);
  assert.equal(report.detection!.scorers.length, 3);
  // a confidence a box score cannot come from is named
  assert.throws(
    () =>
      buildReport({
        ...input,
        readings: [{ ...input.readings[0], answer: { category: null, confidence: 120 } }],
      }),
    /reading 0 \(reader Dr One, case a\): confidence must be 0-100, got 120/,
  );
  // a report of the model alone (no readings) on several categories still has its classification
  const modelOnly = buildReport({
    ...twoCategories,
    models: [{ ...input.models[0], scores: { a: [0.9, 0.1], b: [0.2, 0.8] } }],
    cases: [
      { ...input.cases[0], labels: ['acne_lesion'] },
      { ...input.cases[1], labels: ['scar'] },
    ],
    readings: [],
  });
  assert.equal(modelOnly.classification.skipped, null);
  assert.equal(modelOnly.classification.perCategory[0].scorers[0].auc!.auc, 1);
});
