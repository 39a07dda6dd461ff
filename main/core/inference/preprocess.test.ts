import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { InputSpec } from '../models/manifest.ts';
import { ACNE_SAMPLES, HAM_SAMPLES, REPO_ROOT, makeTempDir, readSampleCsv } from '../store/testing.ts';
import { decodeImage, preprocess, roundHalfEven } from './preprocess.ts';
import { resizeBilinearAntialias } from './resample.ts';

const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
const temp = makeTempDir('preprocess');
after(() => temp.remove());

const base: InputSpec = {
  name: 'input',
  layout: 'NCHW',
  dtype: 'float32',
  width: 224,
  height: 224,
  color: 'RGB',
  resize: 'stretch',
  interpolation: 'bilinear-antialias',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  pad_value: [114, 114, 114],
};

/** 32 images: 28 HAM10000 (200x150, upsampled), 3 ACNE04 (640x640, downsampled), 1 with EXIF orientation 6. */
async function parityImages(): Promise<string[]> {
  const ham = readSampleCsv(HAM_SAMPLES)
    .slice(0, 28)
    .map((r) => join(HAM_SAMPLES, r.file));
  const acne = [...new Set(readSampleCsv(ACNE_SAMPLES).map((r) => r.file))]
    .slice(0, 3)
    .map((f) => join(ACNE_SAMPLES, f));
  const rotated = join(temp.path, 'rotated.jpg');
  await sharp(ham[0]).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(rotated);
  return [...ham, ...acne, rotated];
}

function pythonReference(spec: InputSpec, images: string[]): Float32Array {
  const specFile = join(temp.path, `${spec.resize}-${spec.width}x${spec.height}.json`);
  const out = join(temp.path, `${spec.resize}-${spec.width}x${spec.height}.f32`);
  writeFileSync(specFile, JSON.stringify(spec));
  execFileSync(PYTHON, [
    join(REPO_ROOT, 'scripts', 'preprocess-reference.py'),
    '--input-spec',
    specFile,
    '--out',
    out,
    ...images,
  ]);
  const bytes = readFileSync(out);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

const specs: InputSpec[] = [
  { ...base, resize: 'stretch' },
  { ...base, resize: 'letterbox', width: 320, height: 256 },
  { ...base, resize: 'shorter-side-center-crop', width: 192, height: 160 },
];

for (const spec of specs) {
  test(
    `sharp + TypeScript ${spec.resize} ${spec.width}x${spec.height} equals the PyTorch tensor within 1/255 on 32 images`,
    { skip: !existsSync(PYTHON) && 'no .venv/bin/python' },
    async () => {
      const images = await parityImages();
      const reference = pythonReference(spec, images);
      const size = 3 * spec.width * spec.height;
      assert.equal(reference.length, images.length * size);
      let worst = 0;
      for (const [n, path] of images.entries()) {
        const { tensor } = preprocess(await decodeImage(path), spec);
        for (let i = 0; i < size; i++) {
          const channel = Math.floor(i / (spec.width * spec.height));
          // Compare in [0, 1] pixel units: undo the normalisation's division by std.
          const diff = Math.abs(tensor[i] - reference[n * size + i]) * spec.std[channel];
          if (diff > worst) worst = diff;
        }
      }
      assert.ok(worst <= 1 / 255, `max difference ${worst} exceeds 1/255`);
      console.log(`${spec.resize}: max difference ${(worst * 255).toFixed(5)} / 255`);
    },
  );
}

test('the resampler keeps a constant image constant and matches hand-computed 2x downsampling', () => {
  const constant = resizeBilinearAntialias(new Float32Array(3 * 7 * 5).fill(42), 3, 7, 5, 11, 3);
  assert.ok(constant.every((v) => Math.abs(v - 42) < 1e-4));
  // Downsampling 4 -> 2 with antialias: support 2, weights over inputs [0..2] for output 0: 0.75/2, 1.25... normalised.
  const row = resizeBilinearAntialias(Float32Array.from([0, 10, 20, 30]), 1, 1, 4, 1, 2);
  // center 1, inputs 0,1,2 at distances 0.5,0.5,1.5 scaled by 1/2: weights 0.75, 0.75, 0.25 -> (0*.75+10*.75+20*.25)/1.75
  assert.ok(Math.abs(row[0] - 12.5 / 1.75) < 1e-5);
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(149.99999), 150);
});
