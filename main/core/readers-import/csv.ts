// A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF, a UTF-8 byte-order mark.
// Every row keeps the line number it started on, so that errors can name it.

export interface CsvRow {
  /** 1-based line number in the file where the row starts (the header is line 1). */
  line: number;
  values: Record<string, string>;
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

export class CsvError extends Error {}

function splitRecords(text: string, source: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (quoted) throw new CsvError(`${source} line ${recordLine}: unterminated quoted field`);
  fields.push(field);
  if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
  return records;
}

/** Parses CSV text with a header row; every row must have as many fields as the header. */
export function parseCsv(text: string, source: string): CsvTable {
  const records = splitRecords(text, source);
  if (records.length === 0) throw new CsvError(`${source}: the file is empty (a header row is needed)`);
  const header = records[0].fields.map((h) => h.trim());
  const rows = records.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length) {
      throw new CsvError(`${source} line ${line}: ${fields.length} fields, the header has ${header.length}`);
    }
    const values: Record<string, string> = {};
    header.forEach((name, k) => (values[name] = fields[k]));
    return { line, values };
  });
  return { header, rows };
}

export function requireColumns(table: CsvTable, columns: readonly string[], source: string): void {
  const missing = columns.filter((c) => !table.header.includes(c));
  if (missing.length) {
    throw new CsvError(
      `${source} line 1: missing column(s) ${missing.join(', ')} (found: ${table.header.join(', ')})`,
    );
  }
}
