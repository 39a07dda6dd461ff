// JSON export: non-finite numbers (an infinite df of a normal test, an undefined kappa) become null.
import type { Report } from './report.ts';

export function reportJson(report: Report): string {
  return JSON.stringify(
    report,
    (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
    2,
  );
}
