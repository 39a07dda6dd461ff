// The study report shown on the coordinator's dashboard: the study's data (main/core/studies/report-input)
// through the statistics engine's report (main/core/reports).
import { ApiError, type HandlerMap } from '../contract/index.ts';
import { buildReport } from '../core/reports/report.ts';
import type { Store } from '../core/store/store.ts';
import { studyReportInput } from '../core/studies/report-input.ts';

export function reportHandlers(store: Store): HandlerMap<'studies.report'> {
  return {
    'studies.report': ({ studyId }) => {
      if (!store.db.prepare('SELECT 1 FROM studies WHERE id = ?').get(studyId)) throw new ApiError('not_found', `no study ${studyId}`);
      const input = studyReportInput(store.db, studyId);
      if (input.readings.length === 0) return null;
      try {
        return buildReport(input);
      } catch (error) {
        throw new ApiError('conflict', `no report for this study yet: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
