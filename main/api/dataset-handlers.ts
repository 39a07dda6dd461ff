// Dataset import from the coordinator's screen: the core's import (main/core/datasets) as a background job.
import { readFile } from 'node:fs/promises';
import { ApiError, type HandlerMap } from '../contract/index.ts';
import { importDataset, type ImportSource } from '../core/datasets/import.ts';
import type { Store } from '../core/store/store.ts';
import type { Jobs } from './jobs.ts';

const SPLITS = ['train', 'val', 'test'];

export function datasetHandlers(store: Store, jobs: Jobs): HandlerMap<'datasets.import'> {
  return {
    'datasets.import': ({ format, path, images, name, splitFile }) => {
      if (format === 'voc' && !images)
        throw new ApiError('bad_request', 'images: a VOC folder needs the folder of its images');
      const source: ImportSource =
        format === 'coco'
          ? { format, file: path, images: images || undefined }
          : { format, folder: path, images: images! };
      return jobs.start('datasets.import', 0, async ({ signal, progress }) => {
        const splits = splitFile
          ? (JSON.parse(await readFile(splitFile, 'utf8')) as Record<string, string[]>)
          : null;
        const { datasetId } = await importDataset(store, source, {
          name: name || undefined,
          actor: 'coordinator',
          signal,
          onProgress: (p) => progress(p.done, p.total),
        });
        if (splits)
          store.datasets.assignSplits(
            datasetId,
            Object.fromEntries(Object.entries(splits).filter(([k]) => SPLITS.includes(k))),
          );
      });
    },
  };
}
