import PDFDocument from 'pdfkit';
import { dejaVuFont } from '../shared/pdf-fonts.js';
import type { Bar } from './statistics.charts.js';

/**
 * The printable participation report: A4 portrait, what funders are sent. Everything
 * arrives already worded and formatted (statistics.view.ts builds it for the page and
 * for this), so the renderer only lays it out: heading, filters, generation time, the
 * totals sentence, a bar chart drawn as vector shapes, then the tables, which continue
 * on as many pages as they need with their header repeated.
 */

export interface ReportTable {
  heading: string;
  columns: Array<{ label: string; isNumeric: boolean }>;
  rows: string[][];
  /** Printed under the table (what "<5" means, say). */
  note?: string;
}

export interface ParticipationReportDocument {
  title: string;
  institutionName: string;
  /** "Generado el 21 nov 2026, 9:30 (hora de Bogotá)". */
  generatedLine: string;
  /** The PDF's creation date. */
  generatedAt: Date;
  filtersHeading: string;
  filters: Array<{ label: string; value: string }>;
  totals: string;
  chart: { heading: string; bars: Bar[] };
  tables: ReportTable[];
  /** "Página 2 de 3". */
  pageLabel(page: number, pages: number): string;
}

type Document = PDFKit.PDFDocument;

const PAGE = { width: 595.28, height: 841.89 }; // A4 portrait, in points
const MARGIN = { left: 50, right: 50, top: 50, bottom: 60 };
const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;
const COLOURS = { navy: '#1b365d', ink: '#1a1a1a', muted: '#5c5c5c', line: '#b0b0b0', band: '#eef1f5' };
const CELL = { padding: 3, size: 8, minNumericWidth: 28 };
const CHART = { height: 150, barWidth: 56, labelSize: 9 };

export async function renderParticipationReportPdf(report: ParticipationReportDocument): Promise<Buffer> {
  const document = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    lang: 'es-CO',
    displayTitle: true,
    // Page numbers ("2 of 3") are written once the number of pages is known.
    bufferPages: true,
    info: { Title: report.title, Author: report.institutionName, CreationDate: report.generatedAt },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  document.registerFont('regular', dejaVuFont('DejaVuSans'));
  document.registerFont('bold', dejaVuFont('DejaVuSans-Bold'));

  drawHeading(document, report);
  drawBarChart(document, report.chart);
  for (const table of report.tables) drawTable(document, table);
  numberPages(document, report);
  document.end();
  return finished;
}

function paragraph(document: Document, text: string, { font = 'regular', size = 10, color = COLOURS.ink, gap = 4 } = {}): void {
  document.font(font).fontSize(size).fillColor(color).text(text, MARGIN.left, document.y, { width: WIDTH });
  document.y += gap;
}

/** Starts a new page when fewer than `height` points are left on this one. */
function ensureRoom(document: Document, height: number): void {
  if (document.y + height > BOTTOM) {
    document.addPage();
    document.y = MARGIN.top;
  }
}

function drawHeading(document: Document, report: ParticipationReportDocument): void {
  document.y = MARGIN.top;
  paragraph(document, report.institutionName.toLocaleUpperCase('es-CO'), { font: 'bold', size: 10, color: COLOURS.muted, gap: 2 });
  paragraph(document, report.title, { font: 'bold', size: 20, color: COLOURS.navy, gap: 2 });
  paragraph(document, report.generatedLine, { size: 9, color: COLOURS.muted, gap: 10 });
  paragraph(document, report.filtersHeading, { font: 'bold', size: 11, gap: 2 });
  for (const filter of report.filters) {
    document.font('bold').fontSize(9.5).fillColor(COLOURS.ink).text(`${filter.label}: `, MARGIN.left, document.y, { width: WIDTH, continued: true });
    document.font('regular').text(filter.value);
  }
  document.y += 10;
  paragraph(document, report.totals, { font: 'bold', size: 12, color: COLOURS.navy, gap: 12 });
}

/**
 * Vertical bars with their count and share above and their name below, as on the page;
 * a suppressed count is a dashed gap with its "<k" text, never a bar of zero.
 */
function drawBarChart(document: Document, chart: ParticipationReportDocument['chart']): void {
  ensureRoom(document, CHART.height + 60);
  paragraph(document, chart.heading, { font: 'bold', size: 11, gap: 14 });
  const top = document.y + 12;
  const baseline = top + CHART.height;
  const max = Math.max(1, ...chart.bars.map((bar) => bar.value ?? 0));
  const slot = Math.min(110, WIDTH / Math.max(1, chart.bars.length));
  chart.bars.forEach((bar, index) => {
    const left = MARGIN.left + index * slot + (slot - CHART.barWidth) / 2;
    const centred = { width: slot, align: 'center' as const, lineBreak: false };
    const slotLeft = MARGIN.left + index * slot;
    if (bar.value === null) {
      document.save().lineWidth(1.5).dash(4, { space: 3 }).strokeColor(COLOURS.muted).moveTo(left, baseline - 1).lineTo(left + CHART.barWidth, baseline - 1).stroke().restore();
      document.font('regular').fontSize(CHART.labelSize).fillColor(COLOURS.ink).text(bar.text, slotLeft, baseline - 14, centred);
    } else {
      const height = (bar.value / max) * CHART.height;
      if (height > 0) document.rect(left, baseline - height, CHART.barWidth, height).fillColor(COLOURS.navy).fill();
      document.font('bold').fontSize(CHART.labelSize).fillColor(COLOURS.ink).text(bar.text, slotLeft, baseline - height - 13, centred);
    }
    document.font('regular').fontSize(CHART.labelSize).fillColor(COLOURS.ink).text(bar.label, slotLeft, baseline + 5, { width: slot, align: 'center', height: 24, ellipsis: true });
  });
  document.lineWidth(0.8).strokeColor(COLOURS.ink).moveTo(MARGIN.left, baseline).lineTo(MARGIN.left + slot * chart.bars.length, baseline).stroke();
  document.y = baseline + 34;
}

/**
 * Figure columns as narrow as their widest cell or header word (headers wrap at spaces,
 * never inside a word); the naming columns share what is left.
 */
function columnWidths(document: Document, table: ReportTable): number[] {
  const widest = (texts: string[], font: string): number => {
    document.font(font).fontSize(CELL.size);
    return Math.max(0, ...texts.map((text) => document.widthOfString(text)));
  };
  const figureWidths = table.columns.map((column, index) =>
    column.isNumeric ? Math.max(CELL.minNumericWidth, widest(column.label.split(/\s+/), 'bold'), widest(table.rows.map((row) => row[index] ?? ''), 'regular')) + 2 * CELL.padding : 0,
  );
  const naming = table.columns.filter((column) => !column.isNumeric).length;
  const namingWidth = naming > 0 ? (WIDTH - figureWidths.reduce((sum, width) => sum + width, 0)) / naming : 0;
  return table.columns.map((column, index) => (column.isNumeric ? figureWidths[index]! : namingWidth));
}

function rowHeight(document: Document, cells: string[], widths: number[], font: string): number {
  document.font(font).fontSize(CELL.size);
  return Math.max(...cells.map((cell, index) => document.heightOfString(cell, { width: widths[index]! - 2 * CELL.padding }))) + 2 * CELL.padding;
}

function drawRow(document: Document, cells: string[], table: ReportTable, widths: number[], { font, fill }: { font: string; fill?: string }): void {
  const height = rowHeight(document, cells, widths, font);
  const top = document.y;
  if (fill) document.rect(MARGIN.left, top, WIDTH, height).fillColor(fill).fill();
  let left = MARGIN.left;
  cells.forEach((cell, index) => {
    const width = widths[index]!;
    document
      .font(font)
      .fontSize(CELL.size)
      .fillColor(COLOURS.ink)
      .text(cell, left + CELL.padding, top + CELL.padding, { width: width - 2 * CELL.padding, align: table.columns[index]?.isNumeric ? 'right' : 'left' });
    left += width;
  });
  document.lineWidth(0.5).strokeColor(COLOURS.line).moveTo(MARGIN.left, top + height).lineTo(MARGIN.left + WIDTH, top + height).stroke();
  document.y = top + height;
}

function drawTable(document: Document, table: ReportTable): void {
  const widths = columnWidths(document, table);
  const header = table.columns.map((column) => column.label);
  const headerHeight = rowHeight(document, header, widths, 'bold');
  const firstRowHeight = table.rows[0] ? rowHeight(document, table.rows[0], widths, 'regular') : 0;
  // The heading never ends a page alone: it goes over with the header and a first row.
  ensureRoom(document, 24 + headerHeight + firstRowHeight);
  paragraph(document, table.heading, { font: 'bold', size: 11, gap: 4 });
  drawRow(document, header, table, widths, { font: 'bold', fill: COLOURS.band });
  for (const row of table.rows) {
    if (document.y + rowHeight(document, row, widths, 'regular') > BOTTOM) {
      document.addPage();
      document.y = MARGIN.top;
      drawRow(document, header, table, widths, { font: 'bold', fill: COLOURS.band });
    }
    drawRow(document, row, table, widths, { font: 'regular' });
  }
  document.y += 6;
  if (table.note) paragraph(document, table.note, { size: 8, color: COLOURS.muted, gap: 4 });
  document.y += 10;
}

function numberPages(document: Document, report: ParticipationReportDocument): void {
  const { start, count } = document.bufferedPageRange();
  for (let index = start; index < start + count; index++) {
    document.switchToPage(index);
    // Written in the bottom margin: the margin is lifted so that pdfkit does not start a new page for it.
    document.page.margins.bottom = 0;
    document
      .font('regular')
      .fontSize(8)
      .fillColor(COLOURS.muted)
      .text(`${report.institutionName} · ${report.title} · ${report.pageLabel(index + 1, count)}`, MARGIN.left, PAGE.height - 36, { width: WIDTH, align: 'center', lineBreak: false });
  }
}
