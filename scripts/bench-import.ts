// Times importing the full HAM10000 COCO (10,015 images) into a fresh data folder and checks the counts.
// usage: nice -n 10 node --import tsx scripts/bench-import.ts [COCO_FILE] (default runs/data/ham10000/annotations.json,
// made by `python -m training convert`; its image_root points at ../shared/data/ham10000)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../main/core/datasets/import.ts';
import { Store } from '../main/core/store/store.ts';

const file = process.argv[2] ?? 'runs/data/ham10000/annotations.json';
if (!existsSync(file)) {
  console.error(`${file} is missing: run python -m training convert for HAM10000 first, or give a COCO file`);
  process.exit(1);
}
const dataDir = mkdtempSync(join(tmpdir(), 'dermaread-bench-import-'));
const store = Store.open(dataDir);
try {
  const started = performance.now();
  const result = await importDataset(store, { format: 'coco', file }, { name: 'ham10000' });
  const seconds = (performance.now() - started) / 1000;
  const summary = store.datasets.get(result.datasetId);
  const categories = store.categories.ofDataset(result.datasetId).length;
  const images = store.db.prepare('SELECT count(*) FROM images').pluck().get();
  console.log(`import ${file}`);
  console.log(
    `  cases ${summary.caseCount}, boxes ${summary.boxCount}, categories ${categories}, distinct images ${images}`,
  );
  console.log(
    `  ${seconds.toFixed(1)} s total, ${(summary.caseCount / seconds).toFixed(0)} images/s (aim: under 60 s)`,
  );
} finally {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
