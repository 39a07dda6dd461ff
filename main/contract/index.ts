// The one API of DermaRead: every handler name with who may call it, its request schema and its response
// type. The Electron preload, the HTTP server and the renderer all work from this map, so the three cannot
// drift. Requests are validated with zod in the dispatch layer; reader responses are validated too (strict).
import { z } from 'zod';
import * as s from './schemas.ts';

export * as schemas from './schemas.ts';
// type-only: the report's shape is defined once, by the statistics engine that computes it
export type { Report as StudyReport } from '../core/reports/report.ts';
import type { Report as StudyReport } from '../core/reports/report.ts';

export type Access = 'public' | 'reader' | 'coordinator';

interface RouteDef<A extends Access, Req extends z.ZodType, Res extends z.ZodType | null, B extends boolean> {
  access: A;
  request: Req;
  // reader routes declare their response schema: the dispatch layer strips nothing, it refuses to send a
  // response that does not parse, so a leak is an error, never a silent disclosure
  response: Res;
  // the response is raw bytes (an image) rather than JSON
  binary: B;
}

function route<A extends Access, Req extends z.ZodType, Res extends z.ZodType | null = null>(
  access: A,
  request: Req,
  response: Res = null as Res,
): RouteDef<A, Req, Res, false> {
  return { access, request, response, binary: false };
}

function binaryRoute<A extends Access, Req extends z.ZodType>(
  access: A,
  request: Req,
): RouteDef<A, Req, null, true> {
  return { access, request, response: null, binary: true };
}

const studyRef = z.strictObject({ studyId: s.id });
const positionRef = z.strictObject({ studyId: s.id, position: z.number().int().min(0) });

export const routes = {
  // ---- sessions -------------------------------------------------------------------------------------
  'session.status': route('public', s.empty, s.sessionStatus),
  'session.setupCoordinator': route(
    'public',
    z.strictObject({ password: z.string().min(8).max(200) }),
    s.signedIn,
  ),
  'session.signInCoordinator': route(
    'public',
    z.strictObject({ password: z.string().min(1).max(200) }),
    s.signedIn,
  ),
  'session.signInReader': route(
    'public',
    z.strictObject({ accessCode: z.string().min(4).max(64) }),
    s.signedIn,
  ),
  'session.signOut': route('public', s.empty, s.empty),

  // ---- reader ---------------------------------------------------------------------------------------
  'reading.studies': route('reader', s.empty, z.array(s.readerStudy)),
  'reading.open': route('reader', studyRef, s.readingView),
  'reading.case': route('reader', positionRef, s.readingView),
  'reading.saveDraft': route(
    'reader',
    z.strictObject({ studyId: s.id, position: z.number().int().min(0), phase: s.phase, answer: s.answer }),
    s.savedDraft,
  ),
  'reading.commit': route(
    'reader',
    z.strictObject({ studyId: s.id, position: z.number().int().min(0), phase: s.phase }),
    s.readingView,
  ),
  // the reading page's heartbeat while the case is on screen (time on a case is counted over visits)
  'reading.touch': route(
    'reader',
    z.strictObject({ studyId: s.id, position: z.number().int().min(0), phase: s.phase }),
    s.touched,
  ),
  'reading.image': binaryRoute(
    'reader',
    z.strictObject({ studyId: s.id, imageKey: z.string().min(1).max(100) }),
  ),

  // ---- coordinator: catalogue, readers, studies -----------------------------------------------------
  'catalog.datasets': route('coordinator', s.empty),
  // imports a COCO file or VOC folder with its images as a new dataset, as a background job
  'datasets.import': route(
    'coordinator',
    z.strictObject({
      format: z.enum(['coco', 'voc']),
      path: s.nonEmpty,
      images: z.string().trim().nullable().default(null),
      name: z.string().trim().nullable().default(null),
      splitFile: z.string().trim().nullable().default(null),
    }),
  ),
  'readers.list': route('coordinator', s.empty),
  'readers.create': route('coordinator', z.strictObject({ name: s.nonEmpty.max(200) })),
  'readers.reissueCode': route('coordinator', z.strictObject({ readerId: s.id })),
  'studies.list': route('coordinator', s.empty),
  'studies.create': route('coordinator', s.createStudy),
  'studies.get': route('coordinator', studyRef),
  'studies.addReaders': route(
    'coordinator',
    z.strictObject({ studyId: s.id, readerIds: z.array(s.id).min(1) }),
  ),
  // the reader can no longer open the study; their committed readings stay stored (and in the readings CSV,
  // flagged) but leave the statistics
  'studies.withdrawReader': route(
    'coordinator',
    z.strictObject({ studyId: s.id, readerId: s.id, reason: s.nonEmpty.max(500) }),
  ),
  'studies.update': route('coordinator', s.updateStudy),
  'studies.close': route('coordinator', studyRef),
  'studies.report': route('coordinator', studyRef),
  // the report as a file (JSON, a zip of CSV tables, printable HTML, a zip of iMRMC inputs, one per category),
  // or every committed reading with its timestamps as CSV
  'studies.export': binaryRoute(
    'coordinator',
    z.strictObject({ studyId: s.id, format: z.enum(['json', 'csv', 'html', 'imrmc', 'readings']) }),
  ),

  // ---- coordinator: models (for engineers) ----------------------------------------------------------
  'models.list': route('coordinator', s.empty),
  'models.add': route('coordinator', z.strictObject({ path: s.nonEmpty })),
  'models.get': route('coordinator', z.strictObject({ modelVersionId: s.id })),
  'models.setStatus': route(
    'coordinator',
    z.strictObject({ modelVersionId: s.id, status: z.enum(['active', 'retired']) }),
  ),
  'models.run': route('coordinator', z.strictObject({ modelVersionId: s.id, datasetId: s.id })),
  'models.compare': route(
    'coordinator',
    z.strictObject({ datasetId: s.id, modelVersionIds: z.array(s.id).min(1) }),
  ),
  'jobs.get': route('coordinator', z.strictObject({ jobId: z.string() })),
  'jobs.cancel': route('coordinator', z.strictObject({ jobId: z.string() })),
} as const;

export type Routes = typeof routes;
export type HandlerName = keyof Routes;
export type RequestOf<K extends HandlerName> = z.input<Routes[K]['request']>;
export type ParsedRequestOf<K extends HandlerName> = z.output<Routes[K]['request']>;

// ---- coordinator response types (never sent to a reader) ----------------------------------------------
export interface CategoryInfo {
  code: string;
  name: string;
  description: string;
}

export interface DatasetInfo {
  id: number;
  name: string;
  caseCount: number;
  /** Distinct patients (or lesion groups) among the cases; a case with no patient counts as its own. */
  patientCount: number;
  splits: { name: string; caseCount: number; patientCount: number }[];
  categories: CategoryInfo[];
  countsByCategory: Record<string, number>;
}

export interface ReaderInfo {
  id: number;
  name: string;
  createdAt: string;
  studyIds: number[];
}

export interface ReaderProgress {
  readerId: number;
  name: string;
  total: number;
  completed: number;
  current: number;
  finished: boolean;
  lastActivityAt: string | null;
  medianReadingTimeS: number | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
}

export interface StudySettings {
  datasetId: number;
  datasetName: string;
  split: string | null;
  sample: z.output<typeof s.studySample>;
  onePerPatient: boolean;
  tasks: z.output<typeof s.tasks>;
  show: { age: boolean; sex: boolean; site: boolean };
  timeLimitS: number | null;
  allowPrevious: boolean;
  assistedModelVersionId: number | null;
  orderSeed: number;
}

export interface StudySummary {
  id: number;
  name: string;
  status: 'open' | 'closed';
  createdAt: string;
  closedAt: string | null;
  caseCount: number;
  readerCount: number;
  completedReadings: number;
  totalReadings: number;
}

export interface StudyDetail extends StudySummary {
  instructions: string;
  // true once a reader has been shown a case: from then on only the name and instructions can change
  readingStarted: boolean;
  settings: StudySettings;
  categoryCounts: Record<string, number>;
  readers: ReaderProgress[];
}

export interface ModelVersionInfo {
  id: number;
  name: string;
  version: string;
  task: string;
  labels: string[];
  status: string;
  addedAt: string;
}

export interface ModelVersionDetail extends ModelVersionInfo {
  manifest: unknown;
  validation: { ok: boolean; messages: string[] };
  predictionCounts: { datasetId: number; datasetName: string; cases: number }[];
}

export interface JobInfo {
  jobId: string;
  kind: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total: number;
  message: string | null;
}

export interface ModelComparison {
  datasetId: number;
  caseCount: number;
  /** Distinct patients among the cases (null when the dataset names none); AUC statistics cluster by patient. */
  patientCount: number | null;
  rows: {
    modelVersionId: number;
    label: string;
    cases: number;
    metrics: Record<string, number | null>;
    /** 95% confidence interval of each per-category AUC metric (DeLong, clustered by patient). */
    intervals: Record<string, [number, number]>;
    /** Each per-category AUC against the first version's, paired DeLong test on the same cases. */
    vsFirst: Record<string, { difference: number; p: number }>;
  }[];
}

interface CoordinatorResponses {
  'catalog.datasets': DatasetInfo[];
  'datasets.import': JobInfo;
  'readers.list': ReaderInfo[];
  'readers.create': { reader: ReaderInfo; accessCode: string };
  'readers.reissueCode': { reader: ReaderInfo; accessCode: string };
  'studies.list': StudySummary[];
  'studies.create': StudyDetail;
  'studies.get': StudyDetail;
  'studies.addReaders': StudyDetail;
  'studies.withdrawReader': StudyDetail;
  'studies.update': StudyDetail;
  'studies.close': StudyDetail;
  // the statistics engine's report (main/core/reports), or null while the study has no committed reading
  'studies.report': StudyReport | null;
  'models.list': ModelVersionInfo[];
  'models.add': ModelVersionDetail;
  'models.get': ModelVersionDetail;
  'models.setStatus': ModelVersionDetail;
  'models.run': JobInfo;
  'models.compare': ModelComparison;
  'jobs.get': JobInfo;
  'jobs.cancel': JobInfo;
}

type SchemaResponses = {
  [
    K in HandlerName as Routes[K]['response'] extends z.ZodType ? K : never
  ]: Routes[K]['response'] extends z.ZodType ? z.output<Routes[K]['response']> : never;
};

export interface BinaryBody {
  mime: string;
  bytes: Uint8Array;
}

type BinaryResponses = {
  [K in HandlerName as Routes[K]['binary'] extends true ? K : never]: BinaryBody;
};

export type Responses = SchemaResponses & CoordinatorResponses & BinaryResponses;
export type ResponseOf<K extends HandlerName> = K extends keyof Responses ? Responses[K] : never;

// every route has exactly one response type
type Missing = Exclude<HandlerName, keyof Responses>;
const everyRouteHasAResponse: Missing extends never ? true : Missing = true;
void everyRouteHasAResponse;

// ---- events pushed to the coordinator's window ---------------------------------------------------------
export interface Events {
  'job.progress': JobInfo;
}
export type EventName = keyof Events;

// ---- errors --------------------------------------------------------------------------------------------
export type ErrorCode = 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'internal';

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

// One transport is one function: the Electron preload's ipc pipe and the browser's fetch both have this shape.
export type Transport = (name: HandlerName, args: unknown, token: string | null) => Promise<unknown>;

// ---- the server side of the contract -------------------------------------------------------------------
export type Caller =
  { role: 'none' } | { role: 'coordinator' } | { role: 'reader'; readerId: number; name: string };

export interface CallContext {
  caller: Caller;
  token: string | null;
}

export type Handler<K extends HandlerName> = (
  args: ParsedRequestOf<K>,
  call: CallContext,
) => ResponseOf<K> | Promise<ResponseOf<K>>;

/** An implementation of some of the routes; the app joins several into a complete `Handlers` map. */
export type HandlerMap<K extends HandlerName> = { [P in K]: Handler<P> };
export type Handlers = HandlerMap<HandlerName>;
