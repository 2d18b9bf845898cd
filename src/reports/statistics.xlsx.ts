import ExcelJS from 'exceljs';
import type { Table } from './statistics.table.js';

/**
 * A workbook with one sheet per table: a bold, filled header row that stays in view
 * when scrolling, columns wide enough for their labels, shares with one decimal.
 */

export interface Sheet {
  name: string;
  table: Table;
  /** Columns (0-based) holding percentages: shown with one decimal. */
  percentColumns?: readonly number[];
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E2F3' } };
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

/** Sheet names: at most 31 characters, none of : \ / ? * [ ] (Excel refuses the file otherwise). */
const sheetName = (name: string): string => name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);

export async function workbookOf(sheets: readonly Sheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Capacita';
  for (const { name, table, percentColumns = [] } of sheets) {
    const worksheet = workbook.addWorksheet(sheetName(name), { views: [{ state: 'frozen', ySplit: 1 }] });
    worksheet.addRow(table.header);
    for (const row of table.rows) worksheet.addRow(row);
    const header = worksheet.getRow(1);
    header.font = { bold: true };
    header.eachCell((cell) => {
      cell.fill = HEADER_FILL;
      cell.alignment = { vertical: 'middle', wrapText: true };
    });
    table.header.forEach((title, index) => {
      const column = worksheet.getColumn(index + 1);
      const longest = Math.max(title.length, ...table.rows.map((row) => String(row[index] ?? '').length));
      column.width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 2));
      if (percentColumns.includes(index)) column.numFmt = '0.0';
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
