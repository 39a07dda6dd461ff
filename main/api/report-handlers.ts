// The study report shown on the coordinator's dashboard and its exports: the study's data
// (main/core/studies/report-input) through the statistics engine's report and exporters (main/core/reports).
import { strToU8, zipSync } from 'fflate';
import { ApiError, type BinaryBody, type HandlerMap } from '../contract/index.ts';
import { reportCsv } from '../core/reports/export-csv.ts';
import { reportHtml } from '../core/reports/export-html.ts';
import { imrmcInput } from '../core/reports/export-imrmc.ts';
import { reportJson } from '../core/reports/export-json.ts';
import type { ReportInput } from '../core/reports/input.ts';
import { buildReport, type Report } from '../core/reports/report.ts';
import type { Store } from '../core/store/store.ts';
import { readingsCsv } from '../core/studies/readings-csv.ts';
import { studyReportInput } from '../core/studies/report-input.ts';

function inputOf(store: Store, studyId: number): ReportInput {
  if (!store.db.prepare('SELECT 1 FROM studies WHERE id = ?').get(studyId))
    throw new ApiError('not_found', `no study ${studyId}`);
  return studyReportInput(store.db, studyId);
}

function reportOf(input: ReportInput): Report {
  try {
    return buildReport(input);
  } catch (error) {
    throw new ApiError(
      'conflict',
      `no report for this study yet: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

const zip = (files: Record<string, string>): Uint8Array =>
  zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));

export function reportHandlers(store: Store): HandlerMap<'studies.report' | 'studies.export'> {
  return {
    'studies.report': ({ studyId }) => {
      const input = inputOf(store, studyId);
      return input.readings.length === 0 ? null : reportOf(input);
    },
    'studies.export': ({ studyId, format }): BinaryBody => {
      const input = inputOf(store, studyId);
      if (input.readings.length === 0)
        throw new ApiError('conflict', 'nothing to export: no committed reading yet');
      if (format === 'readings')
        return { mime: 'text/csv; charset=utf-8', bytes: strToU8(readingsCsv(store.db, studyId)) };
      if (format === 'imrmc') {
        try {
          const files = Object.fromEntries(
            input.categories.map((category) => [`imrmc-${category}.csv`, imrmcInput(input, category)]),
          );
          return { mime: 'application/zip', bytes: zip(files) };
        } catch (error) {
          throw new ApiError('conflict', error instanceof Error ? error.message : String(error));
        }
      }
      const report = reportOf(input);
      if (format === 'json') return { mime: 'application/json', bytes: strToU8(reportJson(report)) };
      if (format === 'html') return { mime: 'text/html; charset=utf-8', bytes: strToU8(reportHtml(report)) };
      return { mime: 'application/zip', bytes: zip(reportCsv(report)) };
    },
  };
}
