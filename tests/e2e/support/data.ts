// Real data folders for end-to-end tests, built with the app's own import from the committed samples.
import { join } from 'node:path';
import { importSample } from '../../../main/cli/commands/demo.ts';
import { startPredictionJob } from '../../../main/core/inference/prediction-job.ts';
import { addModelVersion } from '../../../main/core/models/registry.ts';
import { Store } from '../../../main/core/store/store.ts';
import { TINY_CLASSIFIER } from '../../../main/core/store/testing.ts';

/** A data folder holding the HAM10000 sample; with `model`, the tiny test classifier's predictions on it. */
export async function hamDataFolder(
  dir: string,
  options: { model?: boolean } = {},
): Promise<{ dataDir: string; datasetId: number; modelId: number | null }> {
  const dataDir = join(dir, 'data');
  const store = Store.open(dataDir);
  try {
    const datasetId = await importSample(store, 'ham10000');
    let modelId: number | null = null;
    if (options.model) {
      modelId = (await addModelVersion(store, TINY_CLASSIFIER, { datasetId })).model.id;
      const run = await (await startPredictionJob(store, modelId, datasetId)).finished;
      if (run.status !== 'completed') throw new Error(`test predictions failed: ${run.error}`);
    }
    return { dataDir, datasetId, modelId };
  } finally {
    store.close();
  }
}
