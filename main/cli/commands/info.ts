import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../core/store/data-dir.ts';
import { Store } from '../../core/store/store.ts';

export const describe = 'Show the data folder, its datasets, model versions and prediction runs.';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, json: { type: 'boolean' } },
  });
  const store = Store.open(values.data ?? defaultDataDir());
  try {
    const info = {
      dataDir: store.dataDir,
      database: store.databasePath,
      migrations: store.db.prepare('SELECT id FROM migrations ORDER BY id').pluck().all() as string[],
      categories: store.categories.list().map((c) => c.name),
      datasets: store.datasets.list().map((d) => ({
        id: d.id,
        name: d.name,
        format: d.sourceFormat,
        cases: d.caseCount,
        boxes: d.boxCount,
        splits: d.splits,
      })),
      models: store.models.list().map((m) => ({
        id: m.id,
        name: m.name,
        version: m.version,
        task: m.task,
        status: m.status,
        labels: m.labels.map((l) => l.category),
      })),
      runs: store.predictions.listRuns(),
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `data folder  ${info.dataDir}`,
      `database     ${info.database} (schema ${info.migrations.at(-1) ?? 'none'})`,
      `categories   ${info.categories.join(', ')}`,
      `datasets     ${info.datasets.length === 0 ? 'none' : ''}`,
      ...info.datasets.map(
        (d) =>
          `  ${d.id} ${d.name} (${d.format}): ${d.cases} cases, ${d.boxes} boxes, splits ${JSON.stringify(d.splits)}`,
      ),
      `models       ${info.models.length === 0 ? 'none' : ''}`,
      ...info.models.map((m) => `  ${m.id} ${m.name} ${m.version} ${m.task} [${m.status}]`),
      `runs         ${info.runs.length === 0 ? 'none' : ''}`,
      ...info.runs.map(
        (r) =>
          `  ${r.id} model ${r.modelVersionId} on dataset ${r.datasetId}: ${r.status} ${r.doneCount}/${r.caseCount} (${r.provider})`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    store.close();
  }
}
