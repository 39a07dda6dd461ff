// A background job followed until it ends: progress arrives as events, and polling covers a missed one.
import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../main/contract/index.ts';
import { call, onEvent } from '../api/client.ts';

export function useJob() {
  const [job, setJob] = useState<JobInfo | null>(null);
  useEffect(() => {
    if (!job || job.state !== 'running') return;
    const stop = onEvent('job.progress', (update) => update.jobId === job.jobId && setJob(update));
    const timer = setInterval(
      () => call('jobs.get', { jobId: job.jobId }).then(setJob, () => undefined),
      1000,
    );
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [job?.jobId, job?.state]);
  return [job, setJob] as const;
}
