import { z } from 'zod';

// The manifest.json of a model folder, as specified in models/README.md.

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);
const dimension = z.union([z.number().int().nonnegative(), z.string().min(1)]);

export const inputSpecSchema = z.object({
  name: z.string().min(1),
  layout: z.literal('NCHW'),
  dtype: z.literal('float32'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  color: z.literal('RGB'),
  resize: z.enum(['stretch', 'letterbox', 'shorter-side-center-crop']),
  interpolation: z.literal('bilinear-antialias'),
  scale: z.number().positive(),
  mean: rgbTriple,
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  pad_value: z.union([z.number().min(0).max(255), z.tuple([z.number(), z.number(), z.number()])]).optional(),
});

export const outputSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(dimension).min(1),
  meaning: z.string(),
});

const labelsSchema = z
  .array(z.string().min(1))
  .min(1)
  .refine((labels) => new Set(labels).size === labels.length, { message: 'labels must be unique' });

const common = {
  schema_version: z.literal(1),
  name: z.string().min(1),
  version: z.string().min(1),
  labels: labelsSchema,
  input: inputSpecSchema,
  outputs: z.array(outputSpecSchema).min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  onnx: z.object({ opset: z.number().int().positive(), dynamic_batch: z.boolean() }),
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
};

export const classificationManifestSchema = z.object({
  ...common,
  task: z.literal('classification'),
  multi_label: z.boolean(),
});

export const detectionManifestSchema = z.object({
  ...common,
  task: z.literal('detection'),
  multi_label: z.boolean().optional(),
  /** Anchors, box coding, thresholds: read by detection-decode.ts, which validates its own part. */
  detection: z.record(z.string(), z.unknown()),
});

export const manifestSchema = z.discriminatedUnion('task', [
  classificationManifestSchema,
  detectionManifestSchema,
]);

export type Manifest = z.infer<typeof manifestSchema>;
export type ClassificationManifest = z.infer<typeof classificationManifestSchema>;
export type DetectionManifest = z.infer<typeof detectionManifestSchema>;
export type InputSpec = z.infer<typeof inputSpecSchema>;

/** Parses a manifest, throwing an error that names the file and every offending field. */
export function parseManifest(json: unknown, where = 'manifest.json'): Manifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) throw new Error(`${where}: ${formatIssues(result.error)}`);
  const manifest = result.data;
  const probabilities =
    manifest.task === 'classification' ? manifest.outputs.find((o) => o.name === 'probabilities') : undefined;
  if (manifest.task === 'classification' && !probabilities) {
    throw new Error(`${where}: outputs: a classifier must have an output named 'probabilities'`);
  }
  if (probabilities) {
    const classes = probabilities.shape[probabilities.shape.length - 1];
    if (typeof classes === 'number' && classes !== manifest.labels.length) {
      throw new Error(
        `${where}: outputs.probabilities.shape: ${classes} classes but ${manifest.labels.length} labels`,
      );
    }
  }
  return manifest;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`,
    )
    .join('; ');
}
