import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

/** The two files of a model version, read from a folder or a .zip (at its top level or inside one folder). */
export interface ModelFiles {
  source: string;
  modelBytes: Uint8Array;
  manifestText: string;
}

export async function readModelFiles(source: string): Promise<ModelFiles> {
  const info = await stat(source).catch(() => {
    throw new Error(`${source}: no such model folder or .zip`);
  });
  if (info.isDirectory()) {
    const read = (name: string) =>
      readFile(join(source, name)).catch(() => {
        throw new Error(`${source}: missing ${name}`);
      });
    const [modelBytes, manifest] = await Promise.all([read('model.onnx'), read('manifest.json')]);
    return { source, modelBytes: new Uint8Array(modelBytes), manifestText: manifest.toString('utf8') };
  }
  if (!source.toLowerCase().endsWith('.zip'))
    throw new Error(`${source}: expected a folder or a .zip holding model.onnx and manifest.json`);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(await readFile(source)));
  } catch (error) {
    throw new Error(`${source}: not a readable .zip (${(error as Error).message})`);
  }
  const find = (name: string): Uint8Array => {
    const matches = Object.keys(entries).filter(
      (path) => path === name || (/^[^/]+\/[^/]+$/.test(path) && path.endsWith(`/${name}`)),
    );
    if (matches.length === 0) throw new Error(`${source}: missing ${name} in the .zip`);
    if (matches.length > 1) throw new Error(`${source}: several ${name} in the .zip (${matches.join(', ')})`);
    return entries[matches[0]];
  };
  return {
    source,
    modelBytes: find('model.onnx'),
    manifestText: new TextDecoder().decode(find('manifest.json')),
  };
}
