import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../models/manifest.ts';
import { readModelFiles } from '../models/model-files.ts';
import { validateModel } from '../models/validate.ts';
import { createDetectionDecoder } from './detection-decode.ts';
import type { Detection, DetectionDecoder } from './detection.ts';
import { preprocessInto, type DecodedImage, type InputTransform } from './preprocess.ts';
import { createSession, type SessionOptions } from './session.ts';

export interface ImageResult {
  /** Per label index (classification). */
  probabilities?: number[];
  /** Decoded boxes in image pixels (detection). */
  detections?: Detection[];
}

/** Runs one model version over decoded images, batch by batch, as its manifest prescribes. */
export class ModelRunner {
  private constructor(
    readonly manifest: Manifest,
    private readonly session: ort.InferenceSession,
    readonly provider: 'cpu' | 'cuda',
    private readonly decoder: DetectionDecoder | undefined,
  ) {}

  /** From a model folder or .zip, fully validated (manifest, sha256, ONNX signature). */
  static async fromSource(source: string, options: SessionOptions = {}): Promise<ModelRunner> {
    const { manifest, session, provider } = await validateModel(await readModelFiles(source), options);
    return ModelRunner.create(manifest, session, provider);
  }

  /** For a registered version: its stored model.onnx with the manifest recorded at registration. */
  static async fromStoredVersion(
    folder: string,
    manifest: Manifest,
    options: SessionOptions = {},
  ): Promise<ModelRunner> {
    const bytes = new Uint8Array(await readFile(join(folder, 'model.onnx')));
    const { session, provider } = await createSession(bytes, `${manifest.name} ${manifest.version}`, options);
    return ModelRunner.create(manifest, session, provider);
  }

  private static create(manifest: Manifest, session: ort.InferenceSession, provider: 'cpu' | 'cuda') {
    const decoder = manifest.task === 'detection' ? createDetectionDecoder(manifest) : undefined;
    return new ModelRunner(manifest, session, provider, decoder);
  }

  async run(images: DecodedImage[]): Promise<ImageResult[]> {
    const { width, height, name } = this.manifest.input;
    const size = 3 * width * height;
    const batch = new Float32Array(images.length * size);
    const transforms: InputTransform[] = images.map((image, i) =>
      preprocessInto(image, this.manifest.input, batch, i * size),
    );
    const outputs = await this.session.run({
      [name]: new ort.Tensor('float32', batch, [images.length, 3, height, width]),
    });
    if (this.manifest.task === 'classification') {
      const probabilities = outputs.probabilities.data as Float32Array;
      const classes = this.manifest.labels.length;
      return images.map((_, i) => ({
        probabilities: Array.from(probabilities.subarray(i * classes, (i + 1) * classes)),
      }));
    }
    const scores = outputs.scores;
    const deltas = outputs.deltas.data as Float32Array;
    const [, anchorCount, classCount] = scores.dims;
    const scoreData = scores.data as Float32Array;
    return images.map((image, i) => ({
      detections: this.decoder!(
        {
          scores: scoreData.subarray(i * anchorCount * classCount, (i + 1) * anchorCount * classCount),
          deltas: deltas.subarray(i * anchorCount * 4, (i + 1) * anchorCount * 4),
          anchorCount,
          classCount,
        },
        image,
        transforms[i],
      ),
    }));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
