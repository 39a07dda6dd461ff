import { createHash } from 'node:crypto';
import type * as ort from 'onnxruntime-node';
import { createSession, type SessionOptions } from '../inference/session.ts';
import { parseManifest, type Manifest } from './manifest.ts';
import type { ModelFiles } from './model-files.ts';

export interface ValidatedModel {
  manifest: Manifest;
  session: ort.InferenceSession;
  provider: 'cpu' | 'cuda';
}

/**
 * Checks a model version before it may run: manifest schema, sha256 of model.onnx, that ONNX Runtime loads it,
 * and that its input and output names, element types and shapes are those the manifest declares. Throws an
 * error naming the source and the mismatch; on success returns the open session.
 */
export async function validateModel(
  files: ModelFiles,
  options: SessionOptions = {},
): Promise<ValidatedModel> {
  const where = files.source;
  let json: unknown;
  try {
    json = JSON.parse(files.manifestText);
  } catch (error) {
    throw new Error(`${where}: manifest.json is not valid JSON (${(error as Error).message})`);
  }
  const manifest = parseManifest(json, `${where}: manifest.json`);
  const sha256 = createHash('sha256').update(files.modelBytes).digest('hex');
  if (sha256 !== manifest.sha256) {
    throw new Error(`${where}: model.onnx has sha256 ${sha256}, but manifest.json says ${manifest.sha256}`);
  }
  let loaded: Awaited<ReturnType<typeof createSession>>;
  try {
    loaded = await createSession(files.modelBytes, `${manifest.name} ${manifest.version}`, options);
  } catch (error) {
    throw new Error(
      `${where}: model.onnx is not a loadable ONNX model (${(error as Error).message.split('\n')[0]})`,
    );
  }
  try {
    checkSignature(loaded.session, manifest, where);
  } catch (error) {
    await loaded.session.release();
    throw error;
  }
  return { manifest, session: loaded.session, provider: loaded.provider };
}

function checkSignature(session: ort.InferenceSession, manifest: Manifest, where: string): void {
  const input = session.inputMetadata.find((m) => m.name === manifest.input.name);
  if (!input) {
    throw new Error(
      `${where}: the ONNX model has no input '${manifest.input.name}' (its inputs: ${session.inputNames.join(', ')})`,
    );
  }
  if (session.inputNames.length !== 1) {
    throw new Error(
      `${where}: the ONNX model has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); expected one`,
    );
  }
  if (input.isTensor) {
    if (input.type !== 'float32')
      throw new Error(`${where}: input '${input.name}' is ${input.type}, the manifest says float32`);
    const expected = [manifest.onnx.dynamic_batch ? 'N' : 1, 3, manifest.input.height, manifest.input.width];
    checkShape(`input '${input.name}'`, input.shape, expected, manifest.onnx.dynamic_batch, where);
  }
  for (const output of manifest.outputs) {
    const actual = session.outputMetadata.find((m) => m.name === output.name);
    if (!actual) {
      throw new Error(
        `${where}: the ONNX model has no output '${output.name}' (its outputs: ${session.outputNames.join(', ')})`,
      );
    }
    if (actual.isTensor) {
      if (actual.type !== 'float32')
        throw new Error(`${where}: output '${output.name}' is ${actual.type}, expected float32`);
      checkShape(`output '${output.name}'`, actual.shape, output.shape, manifest.onnx.dynamic_batch, where);
    }
  }
  if (manifest.task === 'classification') {
    const probabilities = session.outputMetadata.find((m) => m.name === 'probabilities');
    const classes = probabilities?.isTensor ? probabilities.shape.at(-1) : undefined;
    if (typeof classes === 'number' && classes !== manifest.labels.length) {
      throw new Error(
        `${where}: output 'probabilities' has ${classes} classes but the manifest lists ${manifest.labels.length} labels`,
      );
    }
  }
}

/** Numeric dimensions must agree; a symbolic one in either matches anything (the batch must be symbolic when dynamic). */
function checkShape(
  what: string,
  actual: readonly (number | string)[],
  expected: readonly (number | string)[],
  dynamicBatch: boolean,
  where: string,
): void {
  const text = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;
  if (actual.length === 0) return; // the model does not declare this shape
  const mismatch =
    actual.length !== expected.length ||
    actual.some(
      (dim, i) => typeof dim === 'number' && typeof expected[i] === 'number' && dim !== expected[i],
    ) ||
    (dynamicBatch && typeof actual[0] === 'number' && actual[0] !== -1);
  if (mismatch)
    throw new Error(
      `${where}: ${what} has shape ${text(actual)} in the ONNX model, the manifest says ${text(expected)}`,
    );
}
