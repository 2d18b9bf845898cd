import { stringify } from 'csv-stringify/sync';
import type { Table } from './statistics.table.js';

/**
 * CSV as API.md asks: RFC 4180 (comma, quotes where needed, CRLF), UTF-8 with a BOM so
 * that spreadsheet programs read "Bogotá" and "Nariño" right, one header row, one row
 * per group and the total row last. Decimals keep their point: the file is for programs
 * as much as for people.
 */
export function tableCsv(table: Table): string {
  return `\uFEFF${stringify([table.header, ...table.rows], { record_delimiter: 'windows' })}`;
}
