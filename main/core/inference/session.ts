import * as ort from 'onnxruntime-node';

export type ProviderChoice = 'cpu' | 'cuda' | 'auto';

export interface SessionOptions {
  /** 'cuda' or 'auto' try the CUDA execution provider first; default from DERMAREAD_PROVIDER, else 'cpu'. */
  provider?: ProviderChoice;
  /** Intra-op threads; default from DERMAREAD_THREADS, else ONNX Runtime's choice. */
  threads?: number;
  /** Where the one line saying which provider runs goes; default stderr. */
  log?: (line: string) => void;
}

export interface LoadedSession {
  session: ort.InferenceSession;
  provider: 'cpu' | 'cuda';
}

function configuredProvider(options: SessionOptions): ProviderChoice {
  const value = options.provider ?? process.env.DERMAREAD_PROVIDER ?? 'cpu';
  if (value !== 'cpu' && value !== 'cuda' && value !== 'auto') {
    throw new Error(`unknown execution provider '${value}' (cpu, cuda or auto)`);
  }
  return value;
}

function configuredThreads(options: SessionOptions): number | undefined {
  const value =
    options.threads ?? (process.env.DERMAREAD_THREADS ? Number(process.env.DERMAREAD_THREADS) : undefined);
  if (value !== undefined && !(Number.isInteger(value) && value > 0))
    throw new Error(`thread count must be a positive integer, got ${value}`);
  return value;
}

/**
 * Creates an ONNX Runtime session on CUDA when configured and present, otherwise on CPU, and logs one line
 * saying which provider runs (and why CUDA does not, when it was asked for).
 */
export async function createSession(
  model: string | Uint8Array,
  label: string,
  options: SessionOptions = {},
): Promise<LoadedSession> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threads = configuredThreads(options);
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(threads ? { intraOpNumThreads: threads } : {}),
  };
  const create = (providers: ort.InferenceSession.SessionOptions['executionProviders']) =>
    typeof model === 'string'
      ? ort.InferenceSession.create(model, { ...base, executionProviders: providers })
      : ort.InferenceSession.create(model, { ...base, executionProviders: providers });
  const threadText = threads ? `${threads} thread(s)` : 'default threads';
  let reason = 'not configured (set provider cuda or auto)';
  if (configuredProvider(options) !== 'cpu') {
    try {
      const session = await create(['cuda']);
      log(`onnxruntime: ${label} runs on the CUDA execution provider`);
      return { session, provider: 'cuda' };
    } catch (error) {
      reason = `unavailable: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  const session = await create(['cpu']);
  log(`onnxruntime: ${label} runs on the CPU execution provider, ${threadText} (CUDA ${reason})`);
  return { session, provider: 'cpu' };
}
