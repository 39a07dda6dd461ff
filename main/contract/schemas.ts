// Zod schemas of the API's requests and of every response a reader may receive. Reader responses are strict
// objects: the dispatch layer parses each one before it leaves the process, so a field that is not declared
// here (a ground truth, a prediction, another reader's answer) can never reach a reader.
import { z } from 'zod';

export const id = z.number().int().positive();
export const nonEmpty = z.string().trim().min(1);

// ---- answers -------------------------------------------------------------------------------------------
export const box = z.strictObject({
  // pixel-edge coordinates in the original image (x_max, y_max exclusive)
  xMin: z.number().finite(),
  yMin: z.number().finite(),
  xMax: z.number().finite(),
  yMax: z.number().finite(),
  category: nonEmpty,
});

export const answer = z.strictObject({
  category: z.string().nullable(),
  confidence: z.number().int().min(0).max(100).nullable(),
  // per-category probability in percent, summing to 100 when the study asks for it
  probabilities: z.record(z.string(), z.number().min(0).max(100)).nullable(),
  boxes: z.array(box).max(500),
});

export const phase = z.enum(['unaided', 'assisted']);

// ---- reader-facing responses ---------------------------------------------------------------------------
export const category = z.strictObject({
  code: z.string(),
  name: z.string(),
  description: z.string(),
  shortcut: z.string(),
});

export const tasks = z.strictObject({
  diagnosis: z.boolean(),
  probabilities: z.boolean(),
  marking: z.boolean(),
});

export const readerStudy = z.strictObject({
  studyId: id,
  name: z.string(),
  instructions: z.string(),
  status: z.enum(['open', 'closed']),
  tasks,
  assisted: z.boolean(),
  timeLimitS: z.number().int().positive().nullable(),
  total: z.number().int(),
  completed: z.number().int(),
  finished: z.boolean(),
});

export const caseMetadata = z.strictObject({
  age: z.number().nullable().optional(),
  sex: z.string().nullable().optional(),
  site: z.string().nullable().optional(),
});

export const modelOutput = z.strictObject({
  modelName: z.string(),
  probabilities: z.array(z.strictObject({ code: z.string(), probability: z.number() })),
  boxes: z.array(
    z.strictObject({
      xMin: z.number(),
      yMin: z.number(),
      xMax: z.number(),
      yMax: z.number(),
      category: z.string(),
      score: z.number(),
    }),
  ),
});

export const readingView = z.strictObject({
  studyId: id,
  studyName: z.string(),
  status: z.enum(['open', 'closed']),
  position: z.number().int().min(0),
  total: z.number().int(),
  completed: z.number().int(),
  // the first position not yet fully committed; equal to total when the reader has finished
  current: z.number().int().min(0),
  finished: z.boolean(),
  tasks,
  // the model's output follows the unaided answer (the reader is told so before starting)
  assistedStudy: z.boolean(),
  categories: z.array(category),
  image: z
    .strictObject({ width: z.number().int(), height: z.number().int(), imageKey: z.string() })
    .nullable(),
  metadata: caseMetadata,
  phase: phase.nullable(),
  unaided: answer.nullable(),
  assisted: answer.nullable(),
  committed: z.strictObject({ unaided: z.boolean(), assisted: z.boolean() }),
  modelOutput: modelOutput.nullable(),
  timing: z.strictObject({
    shownAt: z.string().nullable(),
    // time on the case is counted over visits: the time of earlier visits, and when this one started
    elapsedBeforeMs: z.number().int().min(0),
    visitStartedAt: z.string().nullable(),
    deadline: z.string().nullable(),
    serverNow: z.string(),
    timeLimitS: z.number().int().nullable(),
  }),
  navigation: z.strictObject({ canPrevious: z.boolean(), canNext: z.boolean(), readOnly: z.boolean() }),
  nextImageKey: z.string().nullable(),
});

export const savedDraft = z.strictObject({ savedAt: z.string(), firstInputAt: z.string().nullable() });

export const touched = z.strictObject({ elapsedMs: z.number().int().min(0) });

export const readerIdentity = z.strictObject({ id, name: z.string() });

export const sessionStatus = z.strictObject({
  coordinatorConfigured: z.boolean(),
  role: z.enum(['none', 'coordinator', 'reader']),
  reader: readerIdentity.nullable(),
});

export const signedIn = z.strictObject({
  token: z.string(),
  role: z.enum(['coordinator', 'reader']),
  reader: readerIdentity.nullable(),
});

export const empty = z.strictObject({});

// ---- coordinator requests ------------------------------------------------------------------------------
export const studySample = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('stratified'), n: z.number().int().positive(), seed: z.number().int() }),
]);

// What may change after creation: the name and instructions while the study is open; what readers see, the
// time limit and going back only until the first case is shown (later, readers would have read under
// different conditions). The case set, tasks, assisted model and orders never change: make a new study.
export const updateStudy = z
  .strictObject({
    studyId: id,
    name: nonEmpty.max(200).optional(),
    instructions: z.string().max(5000).optional(),
    show: z.strictObject({ age: z.boolean(), sex: z.boolean(), site: z.boolean() }).optional(),
    timeLimitS: z.number().int().positive().max(3600).nullable().optional(),
    allowPrevious: z.boolean().optional(),
  })
  .refine((r) => Object.keys(r).length > 1, 'nothing to change: give at least one setting');

export const createStudy = z.strictObject({
  name: nonEmpty.max(200),
  instructions: z.string().max(5000).default(''),
  datasetId: id,
  // null = every case of the dataset; otherwise the name of a split recorded for the dataset (e.g. "test")
  split: z.string().nullable().default(null),
  sample: studySample,
  // At most one case per patient (or lesion group): the first imported; cases with no patient stay. Repeated
  // images of one patient are not independent cases, and readers would see a lesion twice.
  onePerPatient: z.boolean().default(false),
  tasks: tasks.refine((t) => t.diagnosis || t.marking, 'a study needs diagnosis, lesion marking or both'),
  show: z.strictObject({ age: z.boolean(), sex: z.boolean(), site: z.boolean() }),
  timeLimitS: z.number().int().positive().max(3600).nullable(),
  allowPrevious: z.boolean().default(true),
  // the model version whose output is shown after the unaided answer; null = no assisted read
  assistedModelVersionId: id.nullable(),
  orderSeed: z.number().int().default(1),
  readerIds: z.array(id).default([]),
});
