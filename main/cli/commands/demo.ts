// `dermaread demo [--fresh] [--port N] [--data DIR] [--browser]`: builds a demo database from the bundled samples
// (HAM10000 and ACNE04 test-split images), adds the bundled models' predictions when the models are there, creates
// demo studies ready to read, then opens the desktop app where Electron is installed, else browser mode.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importDataset } from '../../core/datasets/import.ts';
import { parseCsv, requireColumns } from '../../core/readers-import/csv.ts';
import { startPredictionJob } from '../../core/inference/prediction-job.ts';
import { addModelVersion } from '../../core/models/registry.ts';
import { Store } from '../../core/store/store.ts';
import { setCoordinatorPassword } from '../../core/studies/access.ts';
import type { StudyContext } from '../../core/studies/context.ts';
import { createReader, createStudy } from '../../core/studies/design.ts';
import { electronBinary } from '../../electron/binary.ts';
import { REPO_ROOT } from '../../http/renderer-build.ts';
import { serve } from './serve.ts';

export const describe =
  'build a demo database from the bundled samples and open it (--fresh rebuilds; --browser skips Electron)';

export const DEMO_COORDINATOR_PASSWORD = 'demo-coordinator';
const HAM_CATEGORIES = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'];

const num = (value: string, where: string) => {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw new Error(`${where}: "${value}" is not a number`);
  return n;
};

/**
 * Writes a COCO file for a sample folder's annotations.csv (one row per box; HAM10000 also carries age, sex,
 * site and lesion id) so the sample goes through the same import as any dataset.
 */
export function sampleToCoco(folder: string, kind: 'ham10000' | 'acne04', outFile: string): string[] {
  const csvPath = join(folder, 'annotations.csv');
  const table = parseCsv(readFileSync(csvPath, 'utf8'), csvPath);
  requireColumns(
    table,
    [
      'image_id',
      'file',
      'width',
      'height',
      'x_min',
      'y_min',
      'x_max',
      'y_max',
      kind === 'ham10000' ? 'dx' : 'label',
    ],
    csvPath,
  );
  const categories = kind === 'ham10000' ? HAM_CATEGORIES : ['acne_lesion'];
  const images = new Map<string, Record<string, unknown>>();
  const annotations: Record<string, unknown>[] = [];
  table.rows.forEach(({ line, values: r }) => {
    const where = `${csvPath} line ${line}`;
    if (!images.has(r.image_id)) {
      const metadata =
        kind === 'ham10000'
          ? {
              age: r.age === '' ? null : num(r.age, `${where} age`),
              sex: r.sex,
              localization: r.localization,
              dx_type: r.dx_type,
            }
          : { severity_grade: num(r.severity_grade, `${where} severity_grade`), source_id: r.source_id };
      images.set(r.image_id, {
        id: images.size + 1,
        image_id: r.image_id,
        file_name: resolve(folder, r.file),
        width: num(r.width, `${where} width`),
        height: num(r.height, `${where} height`),
        group: kind === 'ham10000' ? r.lesion_id : r.source_id,
        metadata,
      });
    }
    const label = kind === 'ham10000' ? r.dx : r.label;
    const categoryId = categories.indexOf(label) + 1;
    if (categoryId === 0) throw new Error(`${where}: unknown label "${label}"`);
    const [x0, y0, x1, y1] = ['x_min', 'y_min', 'x_max', 'y_max'].map((k) => num(r[k], `${where} ${k}`));
    annotations.push({
      id: annotations.length + 1,
      image_id: images.get(r.image_id)!.id,
      category_id: categoryId,
      bbox: [x0, y0, x1 - x0, y1 - y0],
    });
  });
  const coco = {
    categories: categories.map((name, i) => ({ id: i + 1, name })),
    images: [...images.values()],
    annotations,
  };
  writeFileSync(outFile, JSON.stringify(coco));
  return [...images.keys()];
}

/** Imports a bundled sample as a dataset whose cases all belong to the test split they were drawn from. */
export async function importSample(
  store: Store,
  kind: 'ham10000' | 'acne04',
  samplesDir = join(REPO_ROOT, 'samples'),
): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'dermaread-sample-'));
  try {
    const cocoFile = join(work, `${kind}.json`);
    const ids = sampleToCoco(join(samplesDir, kind), kind, cocoFile);
    const { datasetId } = await importDataset(
      store,
      { format: 'coco', file: cocoFile },
      { name: `${kind} sample`, actor: 'demo' },
    );
    store.datasets.assignSplits(datasetId, { test: ids });
    return datasetId;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Registers a bundled model and runs it over a dataset; null (with the reason printed) when it is not there. */
async function bundledModel(
  store: Store,
  folder: string,
  datasetId: number,
  log: (line: string) => void,
): Promise<number | null> {
  if (!existsSync(join(folder, 'model.onnx')) || !existsSync(join(folder, 'manifest.json'))) {
    log(`  no bundled model in ${folder}: the demo runs without its predictions`);
    return null;
  }
  try {
    const { model } = await addModelVersion(store, folder, { datasetId, activate: true, actor: 'demo' });
    const job = await startPredictionJob(store, model.id, datasetId, { actor: 'demo' });
    const run = await job.finished;
    if (run.status !== 'completed') throw new Error(run.error ?? `run ${run.status}`);
    log(`  ${model.name} ${model.version}: predictions on ${run.doneCount} cases (${run.provider})`);
    return model.id;
  } catch (error) {
    log(`  could not use the model in ${folder}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

export interface DemoInfo {
  coordinatorPassword: string;
  readers: { name: string; accessCode: string }[];
}

/** Builds the demo database in `dataDir` (which must not hold one yet), with the models found in `modelsDir`. */
export async function buildDemo(
  dataDir: string,
  log: (line: string) => void = () => {},
  modelsDir = join(REPO_ROOT, 'models'),
): Promise<DemoInfo> {
  const store = Store.open(dataDir);
  try {
    log('Importing the bundled samples...');
    const ham = await importSample(store, 'ham10000');
    const acne = await importSample(store, 'acne04');
    log('Adding the bundled models...');
    const classifier = await bundledModel(store, join(modelsDir, 'classifier'), ham, log);
    const detector = await bundledModel(store, join(modelsDir, 'detector'), acne, log);

    const ctx: StudyContext = {
      db: store.db,
      now: () => new Date(),
      imagePath: (sha, ext) => store.files.imagePath(sha, ext),
    };
    setCoordinatorPassword(store.db, DEMO_COORDINATOR_PASSWORD, new Date());
    const readers = ['Demo reader A', 'Demo reader B'].map((name) => createReader(ctx, name));
    const readerIds = readers.map((r) => r.reader.id);
    createStudy(ctx, {
      name: 'Demo: pigmented lesions (HAM10000 sample)',
      instructions: 'Dermoscopic images. Choose the most likely diagnosis and say how sure you are.',
      datasetId: ham,
      split: 'test',
      sample: { kind: 'stratified', n: 20, seed: 7 },
      onePerPatient: true,
      tasks: { diagnosis: true, probabilities: false, marking: false },
      show: { age: true, sex: true, site: true },
      timeLimitS: null,
      allowPrevious: true,
      assistedModelVersionId: classifier,
      orderSeed: 2026,
      readerIds,
    });
    createStudy(ctx, {
      name: 'Demo: acne lesion marking (ACNE04 sample)',
      instructions: 'Draw a box around every acne lesion. Press B to switch between drawing and panning.',
      datasetId: acne,
      split: 'test',
      sample: { kind: 'stratified', n: 5, seed: 7 },
      onePerPatient: true,
      tasks: { diagnosis: false, probabilities: false, marking: true },
      show: { age: false, sex: false, site: false },
      timeLimitS: null,
      allowPrevious: true,
      assistedModelVersionId: detector,
      orderSeed: 2026,
      readerIds,
    });
    return {
      coordinatorPassword: DEMO_COORDINATOR_PASSWORD,
      readers: readers.map((r) => ({ name: r.reader.name, accessCode: r.accessCode })),
    };
  } finally {
    store.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      fresh: { type: 'boolean', default: false },
      browser: { type: 'boolean', default: false },
      port: { type: 'string', default: '5610' },
      data: { type: 'string', default: join(REPO_ROOT, 'var', 'demo') },
    },
    strict: true,
  });
  const dataDir = resolve(values.data!);
  const infoFile = join(dataDir, 'DEMO-ACCESS.json');
  if (values.fresh) rmSync(dataDir, { recursive: true, force: true });
  if (!existsSync(infoFile)) {
    rmSync(dataDir, { recursive: true, force: true });
    const info = await buildDemo(dataDir, (line) => process.stdout.write(`${line}\n`));
    writeFileSync(infoFile, JSON.stringify(info, null, 2));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as DemoInfo;
  const banner = [
    `Coordinator password: ${info.coordinatorPassword}`,
    ...info.readers.map((r) => `Access code of ${r.name}: ${r.accessCode}`),
  ];
  const electron = values.browser ? { path: null, reason: '--browser' } : electronBinary();
  if (electron.path) {
    process.stdout.write(`${banner.join('\n')}\nOpening the desktop app...\n`);
    const child = spawn(
      electron.path,
      [join(REPO_ROOT, 'main', 'electron', 'entry.mjs'), '--data', dataDir],
      { stdio: 'inherit' },
    );
    return await new Promise<number>((done) => child.on('exit', (code) => done(code ?? 0)));
  }
  process.stdout.write(
    `Electron is not available (${'reason' in electron ? electron.reason : ''}): opening browser mode.\n`,
  );
  await serve({ location: dataDir, port: Number(values.port), banner });
  return await new Promise<number>(() => {});
}
