import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { importDataset, type ImportSource } from '../../core/datasets/import.ts';
import { defaultDataDir } from '../../core/store/data-dir.ts';
import { Store } from '../../core/store/store.ts';

export const describe = 'Import a COCO JSON file or Pascal VOC folder with its images as a new dataset.';

const USAGE = `usage: dermaread import (--coco FILE [--images DIR] | --voc DIR --images DIR) [options]
  --name NAME            dataset name (default: the file or folder name)
  --map SRC=DST,...      rename source categories (e.g. "papule=acne_lesion")
  --label-map FILE       the same as a JSON object {"source name": "category", ...}
  --categories A,B,...   accept only these categories; any other is refused
  --split FILE           assign train/val/test from a split file {"train": [ids], "val": [...], "test": [...]}
  --data DIR             data folder (default: $DERMAREAD_DATA or the per-user folder)`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      coco: { type: 'string' },
      voc: { type: 'string' },
      images: { type: 'string' },
      name: { type: 'string' },
      map: { type: 'string' },
      'label-map': { type: 'string' },
      categories: { type: 'string' },
      split: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || (!values.coco && !values.voc) || (values.voc && !values.images)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const source: ImportSource = values.coco
    ? { format: 'coco', file: values.coco, images: values.images }
    : { format: 'voc', folder: values.voc!, images: values.images! };
  const labelMap = {
    ...(values['label-map']
      ? (JSON.parse(await readFile(values['label-map'], 'utf8')) as Record<string, string>)
      : {}),
    ...parsePairs(values.map),
  };
  const store = Store.open(values.data ?? defaultDataDir());
  try {
    let lastPhase = '';
    const result = await importDataset(store, source, {
      name: values.name,
      labelMap,
      allowedCategories: values.categories?.split(',').map((c) => c.trim()),
      actor: 'cli',
      onProgress: (p) => {
        if (p.phase !== lastPhase || p.done === p.total || p.done % 1000 === 0) {
          process.stderr.write(`${p.phase} ${p.done}/${p.total}\n`);
          lastPhase = p.phase;
        }
      },
    });
    if (values.split) {
      const splits = JSON.parse(await readFile(values.split, 'utf8')) as Record<string, string[]>;
      const known = Object.fromEntries(
        Object.entries(splits).filter(([name]) => ['train', 'val', 'test'].includes(name)),
      );
      store.datasets.assignSplits(result.datasetId, known);
      const ignored = Object.keys(splits).filter((name) => !(name in known));
      if (ignored.length)
        process.stderr.write(`split file: ignored ${ignored.join(', ')} (only train, val, test apply)\n`);
    }
    const summary = store.datasets.get(result.datasetId);
    process.stdout.write(
      `imported dataset '${summary.name}' (id ${summary.id}): ${result.cases} cases, ${result.boxes} boxes, ` +
        `${result.newImages} new image files, in ${result.seconds.toFixed(1)} s; splits ${JSON.stringify(summary.splits)}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

export function parsePairs(text: string | undefined): Record<string, string> {
  if (!text) return {};
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const [from, to] = pair.split('=').map((s) => s.trim());
      if (!from || !to) throw new Error(`--map: expected SOURCE=TARGET, got '${pair}'`);
      return [from, to];
    }),
  );
}
