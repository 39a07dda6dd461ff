import { parseArgs } from 'node:util';
import { startPredictionJob } from '../../core/inference/prediction-job.ts';
import type { ProviderChoice } from '../../core/inference/session.ts';
import { activateModelVersion, addModelVersion, retireModelVersion } from '../../core/models/registry.ts';
import type { Split } from '../../core/store/cases.ts';
import { defaultDataDir } from '../../core/store/data-dir.ts';
import { Store } from '../../core/store/store.ts';
import { parsePairs } from './import.ts';

export const describe = 'Model versions: add (folder or .zip), list, activate, retire, run over a dataset.';

const USAGE = `usage: dermaread models <command> [--data DIR]
  add SOURCE [--dataset NAME|ID] [--map LABEL=CATEGORY,...] [--activate]
  list [--all]                     (--all includes retired versions)
  activate ID | retire ID
  run ID --dataset NAME|ID [--split train|val|test] [--batch N] [--threads N] [--provider cpu|cuda|auto]`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      dataset: { type: 'string' },
      map: { type: 'string' },
      activate: { type: 'boolean' },
      all: { type: 'boolean' },
      split: { type: 'string' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      provider: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, argument] = positionals;
  if (values.help || !command || (command !== 'list' && !argument)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const store = Store.open(values.data ?? defaultDataDir());
  try {
    const datasetId = () => {
      if (!values.dataset) return undefined;
      const byName = store.datasets.byName(values.dataset);
      return byName ? byName.id : store.datasets.get(Number(values.dataset)).id;
    };
    switch (command) {
      case 'add': {
        const { model, uncoveredCategories } = await addModelVersion(store, argument, {
          datasetId: datasetId(),
          labelMap: parsePairs(values.map),
          activate: values.activate,
          actor: 'cli',
        });
        process.stdout.write(
          `added model ${model.name} ${model.version} (id ${model.id}, ${model.task}, ${model.status})\n`,
        );
        if (uncoveredCategories.length)
          process.stdout.write(`note: it predicts none of ${uncoveredCategories.join(', ')}\n`);
        return 0;
      }
      case 'list': {
        for (const m of store.models.list({ includeRetired: values.all ?? false })) {
          const macro = (m.manifest.metrics as { macro_auc?: { value?: unknown } } | undefined)?.macro_auc
            ?.value;
          const auc = typeof macro === 'number' ? `\tmacro AUC ${macro.toFixed(3)}` : '';
          process.stdout.write(
            `${m.id}\t${m.name}\t${m.version}\t${m.task}\t${m.status}\t${m.labels.map((l) => l.category).join(',')}${auc}\n`,
          );
        }
        return 0;
      }
      case 'activate':
        activateModelVersion(store, Number(argument), 'cli');
        return 0;
      case 'retire':
        retireModelVersion(store, Number(argument), 'cli');
        return 0;
      case 'run': {
        const dataset = datasetId();
        if (dataset === undefined) throw new Error('models run: --dataset is required');
        const job = await startPredictionJob(store, Number(argument), dataset, {
          split: values.split as Split | undefined,
          batchSize: values.batch ? Number(values.batch) : undefined,
          session: {
            threads: values.threads ? Number(values.threads) : undefined,
            provider: values.provider as ProviderChoice | undefined,
          },
          actor: 'cli',
        });
        job.on('progress', (p) => process.stderr.write(`\r${p.done}/${p.total}`));
        process.once('SIGINT', () => job.cancel());
        const run = await job.finished;
        process.stderr.write('\n');
        process.stdout.write(
          `run ${run.id}: ${run.status}, ${run.doneCount}/${run.caseCount} cases${run.error ? ` (${run.error})` : ''}\n`,
        );
        return run.status === 'completed' ? 0 : 1;
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
  } finally {
    store.close();
  }
}
