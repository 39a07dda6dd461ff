import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.ts';
import { ACNE_SAMPLES, makeTempDir, readSampleCsv, snapshot, writeHamSampleCoco } from '../store/testing.ts';
import { importDataset, type ImportProgress } from './import.ts';

const temp = makeTempDir('import');
after(() => temp.remove());

let ham: ReturnType<typeof writeHamSampleCoco>;
before(() => {
  ham = writeHamSampleCoco(join(temp.path, 'ham'), 40);
});

test('a COCO import stores cases, patients, ground truth, images by content hash and thumbnails', async () => {
  const store = Store.open(join(temp.path, 'coco-data'));
  const events: ImportProgress[] = [];
  const result = await importDataset(
    store,
    { format: 'coco', file: ham.file },
    { name: 'ham', onProgress: (p) => events.push(p) },
  );
  assert.equal(result.cases, 40);
  assert.equal(result.boxes, 40);
  const summary = store.datasets.get(result.datasetId);
  assert.equal(summary.caseCount, 40);
  const first = store.cases.byExternalId(result.datasetId, ham.rows[0].image_id)!;
  assert.equal(first.width, 200);
  assert.equal(first.height, 150);
  assert.equal(first.patient?.pseudonym, ham.rows[0].lesion_id);
  assert.equal(first.patient?.sex, ham.rows[0].sex);
  assert.equal(first.metadata.localization, ham.rows[0].localization);
  assert.deepEqual(store.cases.groundTruth(first.id).labels, [ham.rows[0].dx]);
  assert.ok(
    readFileSync(store.cases.imagePath(first.id)).equals(
      readFileSync(join(ham.imagesDir, `${ham.rows[0].image_id}.jpg`)),
    ),
  );
  assert.ok(existsSync(store.cases.thumbnailPath(first.id)));
  assert.deepEqual(events.at(-1), { phase: 'done', done: 40, total: 40 });
  assert.ok(events.some((e) => e.phase === 'images'));
  assert.equal(store.audit.list({ entity: 'dataset' })[0].action, 'dataset.import');

  // The same images again, as a second dataset: stored once.
  const again = await importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham-again' });
  assert.equal(again.newImages, 0);
  assert.equal(store.db.prepare('SELECT count(*) FROM images').pluck().get(), 40);
  await assert.rejects(
    importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham' }),
    /a dataset named 'ham' already exists/,
  );
  store.close();
});

test('a corrupt JPEG aborts the import, naming the file, and leaves database and files as before', async () => {
  const store = Store.open(join(temp.path, 'corrupt-data'));
  await importDataset(store, { format: 'coco', file: ham.file }, { name: 'before' });
  const before = snapshot(store);
  const dir = join(temp.path, 'corrupt');
  const broken = writeHamSampleCoco(dir, 40);
  // Replace the images with other content so the failed import would create new files, then truncate one JPEG.
  const other = writeHamSampleCoco(join(temp.path, 'other'), Infinity).rows.slice(100, 140);
  broken.rows.forEach((row, i) =>
    cpSync(
      join(temp.path, 'other', 'images', `${other[i].image_id}.jpg`),
      join(broken.imagesDir, `${row.image_id}.jpg`),
    ),
  );
  const victim = join(broken.imagesDir, `${broken.rows[30].image_id}.jpg`);
  const bytes = readFileSync(victim);
  writeFileSync(victim, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(
    importDataset(store, { format: 'coco', file: broken.file }, { name: 'broken' }),
    (error: Error) =>
      error.message.includes(`${broken.rows[30].image_id}.jpg`) && /not a readable image/.test(error.message),
  );
  assert.deepEqual(snapshot(store), before);
  store.close();
});

test('malformed COCO, unknown category, box outside the image and a missing file are refused by name', async () => {
  const store = Store.open(join(temp.path, 'bad-data'));
  const before = snapshot(store);
  const document = JSON.parse(readFileSync(ham.file, 'utf8'));
  const write = (name: string, doc: unknown) => {
    const file = join(ham.imagesDir, '..', name);
    writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return { format: 'coco' as const, file };
  };
  await assert.rejects(
    importDataset(store, write('truncated.json', '{"images": [')),
    /truncated\.json: not a readable JSON file/,
  );
  const noWidth = structuredClone(document);
  delete noWidth.images[3].width;
  await assert.rejects(
    importDataset(store, write('nowidth.json', noWidth)),
    /nowidth\.json: images\.3\.width/,
  );
  const unknown = structuredClone(document);
  unknown.annotations[5].category_id = 99;
  await assert.rejects(
    importDataset(store, write('unknown.json', unknown)),
    /unknown\.json: annotations\.5 \(id 6\): unknown category_id 99/,
  );
  const outside = structuredClone(document);
  outside.annotations[2].bbox = [150, 10, 80, 20];
  await assert.rejects(
    importDataset(store, write('outside.json', outside)),
    /annotations\.2 \(id 3\): box \[150, 10, 80, 20\] lies outside the 200x150 image/,
  );
  const missing = structuredClone(document);
  missing.images[7].file_name = 'nowhere.jpg';
  await assert.rejects(
    importDataset(store, write('missing.json', missing)),
    /images\.7 \(nowhere\.jpg\): cannot read image file .*nowhere\.jpg \(ENOENT\)/,
  );
  const wrongSize = structuredClone(document);
  wrongSize.images[1].width = 300;
  await assert.rejects(
    importDataset(store, write('size.json', wrongSize)),
    /images\.1 .*declared size 300x150 but the image is 200x150/,
  );
  assert.deepEqual(snapshot(store), before);
  store.close();
});

test('a Pascal VOC folder imports with a label map; an unmapped label and malformed XML are refused by file', async () => {
  const store = Store.open(join(temp.path, 'voc-data'));
  const labelMap = Object.fromEntries(
    [
      'whitehead and blackhead',
      'papule',
      'pustule',
      'nodule and cyst',
      'acne',
      'acne_lesion',
      'levle0',
      'levle1',
      'levle2',
      'levle3',
    ].map((l) => [l, 'acne_lesion']),
  );
  const vocLabels = new Set<string>();
  for (const f of readdirSync(join(ACNE_SAMPLES, 'voc'))) {
    for (const m of readFileSync(join(ACNE_SAMPLES, 'voc', f), 'utf8').matchAll(/<name>([^<]*)<\/name>/g))
      vocLabels.add(m[1]);
  }
  for (const l of vocLabels) labelMap[l] = 'acne_lesion';
  const result = await importDataset(
    store,
    { format: 'voc', folder: join(ACNE_SAMPLES, 'voc'), images: join(ACNE_SAMPLES, 'images') },
    { name: 'acne', labelMap, allowedCategories: ['acne_lesion'] },
  );
  const rows = readSampleCsv(ACNE_SAMPLES);
  assert.equal(result.cases, new Set(rows.map((r) => r.image_id)).size);
  assert.equal(result.boxes, rows.length);
  assert.deepEqual(
    store.categories.ofDataset(result.datasetId).map((c) => c.name),
    ['acne_lesion'],
  );
  const before = snapshot(store);

  const folder = join(temp.path, 'voc-bad');
  mkdirSync(folder);
  cpSync(join(ACNE_SAMPLES, 'voc'), folder, { recursive: true });
  const [firstXml, secondXml] = readdirSync(folder).sort();
  await assert.rejects(
    importDataset(
      store,
      { format: 'voc', folder, images: join(ACNE_SAMPLES, 'images') },
      { name: 'unmapped', allowedCategories: ['acne_lesion'] },
    ),
    new RegExp(`${firstXml}: <object> 1: unknown category '[^']+'`),
  );
  writeFileSync(
    join(folder, secondXml),
    readFileSync(join(folder, secondXml), 'utf8').replace('</size>', ''),
  );
  await assert.rejects(
    importDataset(
      store,
      { format: 'voc', folder, images: join(ACNE_SAMPLES, 'images') },
      { name: 'malformed', labelMap },
    ),
    new RegExp(`${secondXml}: malformed XML at line \\d+: </annotation> closes <size>`),
  );
  assert.deepEqual(snapshot(store), before);
  store.close();
});
