// The bundled classifier against the readers of the ISIC 2018 reader study (all readers, and dermatologists
// only) on the official HAM10000 test split: per-category AUC with DeLong CIs for the model and each reader
// group (vote fractions as scores), and the paired DeLong test of each group against the model on the images
// both scored. Prints JSON.
// Run: node --import tsx scripts/compare-isic-readers.ts [--model models/classifier] [--data ../shared/data]
//        [--split training/splits/ham10000.json] [--subset test] [--predictions CSV] [--out REPORT.json] [--html REPORT.html]
// Without --predictions the model is run through `dermaread predict` over the split's images.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv, requireColumns } from '../main/core/readers-import/csv.ts';
import { parseIsicReaderStudy, voteFractions } from '../main/core/readers-import/isic2018.ts';
import { reportHtml } from '../main/core/reports/export-html.ts';
import { reportJson } from '../main/core/reports/export-json.ts';
import { buildReport } from '../main/core/reports/report.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(root, 'models/classifier') },
    data: { type: 'string', default: resolve(root, '../shared/data') },
    split: { type: 'string', default: join(root, 'training/splits/ham10000.json') },
    subset: { type: 'string', default: 'test' },
    predictions: { type: 'string' },
    out: { type: 'string' },
    html: { type: 'string' },
  },
});
const need = (path: string, what: string) => {
  if (!existsSync(path)) throw new Error(`${what} not found: ${path}`);
  return path;
};

const annotationsFile = need(join(values.data, 'ham10000/annotations.csv'), 'HAM10000 annotations');
const studyFolder = need(join(values.data, 'isic2018_reader_study'), 'ISIC 2018 reader study');
const splits = JSON.parse(readFileSync(need(values.split, 'split file'), 'utf8')) as Record<string, string[]>;
const imageIds = splits[values.subset];
if (!Array.isArray(imageIds))
  throw new Error(`${values.split}: no subset "${values.subset}" (has ${Object.keys(splits).join(', ')})`);

const annotations = parseCsv(readFileSync(annotationsFile, 'utf8'), annotationsFile);
requireColumns(annotations, ['image_id', 'file', 'lesion_id', 'dx'], annotationsFile);
const byImage = new Map(annotations.rows.map((r) => [r.values.image_id, r.values]));
const missing = imageIds.filter((id) => !byImage.has(id));
if (missing.length)
  throw new Error(
    `${values.split}: ${missing.length} ${values.subset} image(s) not in ${annotationsFile}, e.g. ${missing[0]}`,
  );

function predict(): { file: string; cleanup: () => void } {
  if (values.predictions) return { file: need(values.predictions, 'predictions CSV'), cleanup: () => {} };
  need(join(values.model, 'model.onnx'), 'classifier model');
  const folder = mkdtempSync(join(tmpdir(), 'dermaread-isic-'));
  const images = join(folder, 'images');
  spawnSync('mkdir', [images]);
  for (const id of imageIds)
    symlinkSync(join(values.data, 'ham10000', byImage.get(id)!.file), join(images, `${id}.jpg`));
  const out = join(folder, 'predictions.csv');
  const run = spawnSync(
    process.execPath,
    [join(root, 'bin/dermaread.js'), 'predict', '--model', values.model, '--images', images, '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`dermaread predict failed (exit ${run.status})`);
  return { file: out, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

const categories = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'];
const prediction = predict();
const predicted = parseCsv(readFileSync(prediction.file, 'utf8'), prediction.file);
prediction.cleanup();
const labels = predicted.header.slice(1).map((l) => l.toLowerCase());
const unknown = categories.filter((c) => !labels.includes(c));
if (unknown.length) throw new Error(`the model's labels (${labels.join(', ')}) lack ${unknown.join(', ')}`);
const wanted = new Set(imageIds);
const modelScores: Record<string, number[]> = {};
for (const { values: row } of predicted.rows) {
  if (wanted.has(row.image_id))
    modelScores[row.image_id] = categories.map((c) => Number(row[predicted.header[labels.indexOf(c) + 1]]));
}
const unscored = imageIds.filter((id) => !modelScores[id]);
if (unscored.length)
  throw new Error(`the predictions lack ${unscored.length} ${values.subset} image(s), e.g. ${unscored[0]}`);

const groups = [
  { name: 'ISIC 2018 readers (all)', file: 'training_set_isic.csv' },
  { name: 'ISIC 2018 dermatologists', file: 'training_set_isic_derms.csv' },
].map(({ name, file }) => {
  const group = parseIsicReaderStudy(readFileSync(join(studyFolder, file), 'utf8'), file, name);
  const scores: Record<string, number[]> = {};
  let votes = 0;
  let truthDisagrees = 0;
  for (const image of group.images) {
    if (!wanted.has(image.imageId)) continue;
    scores[image.imageId] = [...voteFractions(image, group, categories)];
    votes += image.votes.reduce((s, v) => s + v, 0);
    if (image.truth !== byImage.get(image.imageId)!.dx) truthDisagrees++;
  }
  return { name, file, scores, images: Object.keys(scores).length, votes, truthDisagrees };
});

const manifestFile = join(values.model, 'manifest.json');
const manifest = existsSync(manifestFile)
  ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { name?: string; version?: string })
  : {};
const modelName = `${manifest.name ?? 'model'} ${manifest.version ?? ''}`.trim();
const report = buildReport({
  title: `${modelName} vs ISIC 2018 readers, HAM10000 ${values.subset} split`,
  categories,
  // images of one lesion are clustered: the AUC intervals and paired tests use Obuchowski's variance
  cases: imageIds.map((id) => ({ id, labels: [byImage.get(id)!.dx], patient: byImage.get(id)!.lesion_id })),
  models: [{ name: modelName, scores: modelScores }],
  readers: [],
  readings: [],
  readerGroups: groups.map((g) => ({ name: g.name, scores: g.scores })),
});

const round = (x: number | undefined | null, digits = 4) =>
  x === undefined || x === null ? null : Number(x.toFixed(digits));
const result = {
  model: { name: modelName, folder: values.model, predictions: values.predictions ?? 'dermaread predict' },
  split: {
    file: values.split,
    subset: values.subset,
    images: imageIds.length,
    lesions: report.counts.patients,
  },
  groups: groups.map((g) => ({
    name: g.name,
    file: g.file,
    images: g.images,
    votes: g.votes,
    truthDisagreesWithHam10000: g.truthDisagrees,
  })),
  perCategory: report.classification.perCategory.map((c) => ({
    category: c.category,
    positives: c.positives,
    negatives: c.negatives,
    ...Object.fromEntries(
      c.scorers.map((s) => [
        s.scorer.kind === 'model' ? 'model' : s.scorer.name,
        {
          images: s.cases,
          auc: round(s.auc?.auc),
          ci: s.auc ? s.auc.ci.map((x) => round(x)) : null,
          ...(s.vsModel
            ? {
                vsModel: {
                  images: s.vsModel.cases,
                  modelAuc: round(s.vsModel.modelAuc),
                  difference: round(s.vsModel.difference),
                  ci: s.vsModel.ci.map((x) => round(x)),
                  z: round(s.vsModel.z, 3),
                  p: Number(s.vsModel.p.toPrecision(3)),
                },
              }
            : {}),
          sensitivity: round(s.operatingPoint?.sensitivity),
          specificity: round(s.operatingPoint?.specificity),
        },
      ]),
    ),
  })),
  summary: report.classification.summary.map((s) => ({
    scorer: s.scorer.name,
    images: s.cases,
    macroAuc: round(s.macroAuc),
    accuracy: round(s.accuracy),
    balancedAccuracy: round(s.balancedAccuracy),
    kappa: round(s.kappa),
  })),
  note: 'Reader groups score each image by vote fractions and decide by the majority vote; the model decides by its top probability. Paired DeLong tests are on the images both scored; AUC intervals and paired tests are clustered by lesion (Obuchowski 1997).',
};
if (values.out) writeFileSync(values.out, reportJson(report));
if (values.html) writeFileSync(values.html, reportHtml(report));
console.log(JSON.stringify(result, null, 2));
