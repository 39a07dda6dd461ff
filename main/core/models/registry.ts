import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionOptions } from '../inference/session.ts';
import type { ModelVersion } from '../store/model-versions.ts';
import type { Store } from '../store/store.ts';
import type { Manifest } from './manifest.ts';
import { readModelFiles } from './model-files.ts';
import { validateModel } from './validate.ts';

export interface AddModelOptions {
  /** Check the labels against this dataset's categories. */
  datasetId?: number;
  /** Model label -> category name, for labels whose names differ from the categories'. */
  labelMap?: Record<string, string>;
  activate?: boolean;
  actor?: string;
  session?: SessionOptions;
}

export interface AddedModel {
  model: ModelVersion;
  /** Dataset categories the model does not predict (only with datasetId). */
  uncoveredCategories: string[];
}

/**
 * Registers a model version from a folder or .zip: validates it fully (validate.ts), maps its labels to categories
 * (refusing labels that name no category of the dataset, unless mapped), copies its files into
 * <data>/models/<onnx hash>-<manifest hash>/ and records it, all or nothing.
 */
export async function addModelVersion(
  store: Store,
  source: string,
  options: AddModelOptions = {},
): Promise<AddedModel> {
  const files = await readModelFiles(source);
  const { manifest, session } = await validateModel(files, {
    ...options.session,
    log: options.session?.log ?? (() => {}),
  });
  await session.release();
  const existing = store.models.find(manifest.name, manifest.version);
  if (existing)
    throw new Error(
      `${source}: model ${manifest.name} ${manifest.version} is already registered (id ${existing.id})`,
    );
  const { categoryNames, uncovered } = mapLabels(store, manifest, options, source);

  // One folder per (model.onnx, manifest.json) pair: two versions may share weights but not their manifest.
  const manifestHash = createHash('sha256').update(files.manifestText).digest('hex');
  const folder = join('models', `${manifest.sha256.slice(0, 16)}-${manifestHash.slice(0, 16)}`);
  const absolute = join(store.dataDir, folder);
  let wroteFolder = false;
  if (!existsSync(absolute)) {
    const temporary = `${absolute}.${process.pid}.part`;
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary, { recursive: true });
    await writeFile(join(temporary, 'model.onnx'), files.modelBytes);
    await writeFile(join(temporary, 'manifest.json'), files.manifestText);
    await rename(temporary, absolute);
    wroteFolder = true;
  }
  try {
    const id = store.transaction(() => {
      const categoryIds = categoryNames.map((name) => store.categories.ensure(name).id);
      const id = store.models.insert({ manifest, folder, categoryIds });
      if (options.activate) store.models.activate(id);
      store.audit.record(options.actor ?? 'system', 'model.add', 'model_version', id, {
        name: manifest.name,
        version: manifest.version,
        sha256: manifest.sha256,
        source,
        labelMap: options.labelMap ?? {},
      });
      return id;
    });
    return { model: store.models.get(id), uncoveredCategories: uncovered };
  } catch (error) {
    if (wroteFolder) await rm(absolute, { recursive: true, force: true });
    throw error;
  }
}

function mapLabels(store: Store, manifest: Manifest, options: AddModelOptions, source: string) {
  const map = options.labelMap ?? {};
  const unusedMapping = Object.keys(map).filter((label) => !manifest.labels.includes(label));
  if (unusedMapping.length > 0)
    throw new Error(
      `${source}: the label map names labels the model does not have: ${unusedMapping.join(', ')}`,
    );
  const categoryNames = manifest.labels.map((label) => map[label] ?? label);
  if (new Set(categoryNames).size !== categoryNames.length)
    throw new Error(`${source}: the label map sends two labels to one category`);
  if (options.datasetId === undefined) return { categoryNames, uncovered: [] as string[] };
  const dataset = store.datasets.get(options.datasetId);
  const known = store.categories.ofDataset(dataset.id).map((c) => c.name);
  const missing = manifest.labels.filter((_, i) => !known.includes(categoryNames[i]));
  if (missing.length > 0) {
    throw new Error(
      `${source}: label(s) ${missing.map((l) => `'${l}'${map[l] ? ` (mapped to '${map[l]}')` : ''}`).join(', ')} ` +
        `are not categories of dataset '${dataset.name}' (${known.join(', ')}); give a label map`,
    );
  }
  return { categoryNames, uncovered: known.filter((name) => !categoryNames.includes(name)) };
}

export function activateModelVersion(store: Store, id: number, actor = 'system'): void {
  store.transaction(() => {
    store.models.activate(id);
    store.audit.record(actor, 'model.activate', 'model_version', id);
  });
}

export function retireModelVersion(store: Store, id: number, actor = 'system'): void {
  store.transaction(() => {
    store.models.retire(id);
    store.audit.record(actor, 'model.retire', 'model_version', id);
  });
}
