// Background jobs (running a model over a dataset) with progress and cancel, reported as `job.progress` events.
import { randomUUID } from 'node:crypto';
import { ApiError, type JobInfo } from '../contract/index.ts';

export interface JobControl {
  signal: AbortSignal;
  progress: (done: number, total: number) => void;
}

export class Jobs {
  private readonly jobs = new Map<string, { info: JobInfo; abort: AbortController }>();

  constructor(private readonly emit: (job: JobInfo) => void) {}

  start(kind: string, total: number, work: (control: JobControl) => Promise<void>): JobInfo {
    const info: JobInfo = { jobId: randomUUID(), kind, state: 'running', done: 0, total, message: null };
    const abort = new AbortController();
    this.jobs.set(info.jobId, { info, abort });
    const update = (change: Partial<JobInfo>) => {
      Object.assign(info, change);
      this.emit({ ...info });
    };
    work({ signal: abort.signal, progress: (done, all) => update({ done, total: all }) }).then(
      () => update({ state: abort.signal.aborted ? 'cancelled' : 'done' }),
      (error: unknown) =>
        update({
          state: abort.signal.aborted ? 'cancelled' : 'failed',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
    return { ...info };
  }

  get(jobId: string): JobInfo {
    const job = this.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`);
    return { ...job.info };
  }

  cancel(jobId: string): JobInfo {
    const job = this.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`);
    job.abort.abort();
    return { ...job.info };
  }

  cancelAll(): void {
    for (const job of this.jobs.values()) job.abort.abort();
  }
}
