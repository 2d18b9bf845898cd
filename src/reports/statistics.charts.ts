/**
 * The dashboard's charts as SVG strings, drawn on the server: no chart library and no
 * script in the browser, and the same picture in every browser and in tests. Each chart
 * is an image with a title and a description (role="img"), and the page puts a table
 * with the same numbers right after it: the table is the accessible equivalent, the
 * chart is for the eye. Series differ by pattern and direct labels as well as by colour,
 * so nothing depends on telling colours apart; every colour has at least 4.5:1 contrast
 * on white (text drawn on it and next to it stays readable).
 *
 * The functions are pure and know nothing of languages: the caller passes every word
 * and every number already formatted. A suppressed count (null) is never drawn as zero:
 * it leaves a gap marked with the caller's "<k" text.
 */

export interface ChartText {
  /** Unique on the page: ids of the title, description and patterns derive from it. */
  id: string;
  title: string;
  description: string;
}

export interface Bar {
  label: string;
  /** null: suppressed (fewer than k), drawn as a gap with `text`. */
  value: number | null;
  /** What the bar says: "186 (85,3 %)", or "<5" when suppressed. */
  text: string;
}

export interface StackedBar {
  label: string;
  /** One per series, in the series' order; null: suppressed. */
  values: Array<number | null>;
  /** Printed at the end of the bar: its total, and "<5" markers if some part is hidden. */
  text: string;
}

export interface LineSeries {
  label: string;
  values: number[];
}

/** Fill colours and the white marks over them, one per series, in order. */
const PALETTE = ['#6a3d9a', '#1f5f99', '#a04000', '#4d4d4d', '#2e6b30', '#8a1c3c'] as const;
const INK = '#1a1a1a';
const MUTED = '#595959';
const GRID = '#c8c8c8';
const FONT = 'system-ui, sans-serif';

/** SVG text and attribute values: the five characters XML reserves. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Coordinates with at most two decimals: exact enough, and short. */
const n = (value: number): string => String(Math.round(value * 100) / 100);

function seriesColour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/**
 * A pattern per series: the first solid, the next with white stripes, dots, or cross
 * hatching, so that neighbouring segments differ without colour.
 */
function patternDefinitions(id: string, count: number): string {
  const marks = [
    '',
    '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#ffffff" stroke-width="1.5"/>',
    '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>',
    '<path d="M0,3 h6 M3,0 v6" stroke="#ffffff" stroke-width="1.2"/>',
  ];
  const patterns = Array.from({ length: count }, (_, index) => {
    const mark = marks[index % marks.length]!;
    return `<pattern id="${id}-series-${index}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="${seriesColour(index)}"/>${mark}</pattern>`;
  });
  return `<defs>${patterns.join('')}</defs>`;
}

const fillOf = (id: string, index: number): string => `url(#${id}-series-${index})`;

function open({ id, title, description }: ChartText, width: number, height: number, className: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart ${className}" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}" ` +
    `role="img" aria-labelledby="${id}-title ${id}-desc" font-family="${FONT}">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(description)}</desc>`
  );
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${n(x)}" y="${n(y)}" fill="${INK}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

/** Legend entries in one row: a swatch in the series' pattern and its name. */
function legend(id: string, labels: readonly string[], x: number, y: number): string {
  let left = x;
  return labels
    .map((label, index) => {
      const entry = `<rect x="${n(left)}" y="${n(y - 11)}" width="14" height="14" fill="${fillOf(id, index)}" stroke="${INK}" stroke-width="0.5"/>${text(left + 19, y, label, 'font-size="13"')}`;
      // No text measuring on the server: an average glyph of 7.5 units at 13 px is generous for Latin text.
      left += 19 + label.length * 7.5 + 18;
      return entry;
    })
    .join('');
}

const BARS = { slot: 150, gap: 36, top: 34, plot: 200, bottom: 50, side: 16 };

/**
 * Vertical bars, one per category (enrolled by sex), each with its count and share
 * above it; heights proportional to the values.
 */
export function barChart(chart: ChartText, bars: readonly Bar[]): string {
  const width = BARS.side * 2 + Math.max(1, bars.length) * BARS.slot;
  const height = BARS.top + BARS.plot + BARS.bottom;
  const baseline = BARS.top + BARS.plot;
  const max = Math.max(1, ...bars.map((bar) => bar.value ?? 0));
  const parts = bars.map((bar, index) => {
    const left = BARS.side + index * BARS.slot + BARS.gap / 2;
    const barWidth = BARS.slot - BARS.gap;
    const centre = left + barWidth / 2;
    const label = text(centre, baseline + 20, bar.label, 'font-size="13" text-anchor="middle"');
    if (bar.value === null) {
      // A gap, outlined with a dashed baseline mark, not a bar of height zero: the count is hidden, not nil.
      return (
        `<g class="stats-chart-suppressed"><line x1="${n(left)}" y1="${n(baseline - 1)}" x2="${n(left + barWidth)}" y2="${n(baseline - 1)}" stroke="${MUTED}" stroke-width="2" stroke-dasharray="4 3"/>` +
        `${text(centre, baseline - 8, bar.text, 'font-size="13" text-anchor="middle"')}</g>${label}`
      );
    }
    const barHeight = (bar.value / max) * BARS.plot;
    return (
      `<rect class="stats-chart-bar" x="${n(left)}" y="${n(baseline - barHeight)}" width="${n(barWidth)}" height="${n(barHeight)}" fill="${fillOf(chart.id, index)}"/>` +
      `${text(centre, baseline - barHeight - 8, bar.text, 'font-size="13" font-weight="600" text-anchor="middle"')}${label}`
    );
  });
  return (
    open(chart, width, height, 'stats-chart-bars') +
    patternDefinitions(chart.id, bars.length) +
    `<line x1="${BARS.side}" y1="${baseline}" x2="${n(width - BARS.side)}" y2="${baseline}" stroke="${INK}" stroke-width="1"/>` +
    parts.join('') +
    '</svg>'
  );
}

const STACK = { labelWidth: 190, plot: 330, textWidth: 110, row: 30, barHeight: 20, top: 40, bottom: 12 };

/**
 * Horizontal stacked bars, one per category (a department), one segment per series (a
 * sex), in the order given; a legend above. Suppressed segments take no length: the
 * bar's text says what is hidden.
 */
export function stackedBarChart(chart: ChartText, series: readonly string[], bars: readonly StackedBar[]): string {
  const width = STACK.labelWidth + STACK.plot + STACK.textWidth;
  const height = STACK.top + Math.max(1, bars.length) * STACK.row + STACK.bottom;
  const max = Math.max(1, ...bars.map((bar) => bar.values.reduce<number>((sum, value) => sum + (value ?? 0), 0)));
  const rows = bars.map((bar, row) => {
    const top = STACK.top + row * STACK.row;
    const middle = top + STACK.row / 2 + 4;
    let left = STACK.labelWidth;
    const segments = bar.values.map((value, index) => {
      if (value === null || value === 0) return '';
      const segmentWidth = (value / max) * STACK.plot;
      const segment = `<rect class="stats-chart-segment" x="${n(left)}" y="${n(top + (STACK.row - STACK.barHeight) / 2)}" width="${n(segmentWidth)}" height="${STACK.barHeight}" fill="${fillOf(chart.id, index)}" stroke="#ffffff" stroke-width="1"/>`;
      left += segmentWidth;
      return segment;
    });
    return `${text(STACK.labelWidth - 8, middle, bar.label, 'font-size="13" text-anchor="end"')}${segments.join('')}${text(left + 6, middle, bar.text, 'font-size="12"')}`;
  });
  return (
    open(chart, width, height, 'stats-chart-stacked') +
    patternDefinitions(chart.id, series.length) +
    legend(chart.id, series, STACK.labelWidth, 20) +
    `<line x1="${STACK.labelWidth}" y1="${STACK.top}" x2="${STACK.labelWidth}" y2="${n(height - STACK.bottom)}" stroke="${INK}" stroke-width="1"/>` +
    rows.join('') +
    '</svg>'
  );
}

const LINE = { width: 640, height: 280, left: 48, right: 24, top: 40, bottom: 46, ticks: 4, maxPeriodLabels: 12 };
/** Line styles per series besides colour: solid with circles, dashed with squares. */
const STROKES = ['', ' stroke-dasharray="7 4"', ' stroke-dasharray="2 3"'];

/** A step of 1, 2 or 5 times a power of ten that splits `max` into at most `ticks` parts. */
function niceStep(max: number, ticks: number): number {
  const raw = Math.max(1, max / ticks);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw);
  return step ?? 10 * power;
}

/**
 * Lines over periods (enrollments and completions by month): gridlines with their
 * values, a marker per point, every period labelled while they fit (otherwise every
 * few), and each line named at its end.
 */
export function lineChart(chart: ChartText, periods: readonly string[], series: readonly LineSeries[], formatValue: (value: number) => string = String): string {
  const plotWidth = LINE.width - LINE.left - LINE.right;
  const plotHeight = LINE.height - LINE.top - LINE.bottom;
  const baseline = LINE.top + plotHeight;
  const highest = Math.max(0, ...series.flatMap((line) => line.values));
  const step = niceStep(highest, LINE.ticks);
  const top = Math.max(step, Math.ceil(highest / step) * step);
  const xOf = (index: number): number => LINE.left + (periods.length <= 1 ? plotWidth / 2 : (index / (periods.length - 1)) * plotWidth);
  const yOf = (value: number): number => baseline - (value / top) * plotHeight;

  const grid: string[] = [];
  for (let value = 0; value <= top; value += step) {
    grid.push(`<line x1="${LINE.left}" y1="${n(yOf(value))}" x2="${n(LINE.left + plotWidth)}" y2="${n(yOf(value))}" stroke="${value === 0 ? INK : GRID}" stroke-width="1"/>`);
    grid.push(text(LINE.left - 6, yOf(value) + 4, formatValue(value), 'font-size="12" text-anchor="end"'));
  }
  const every = Math.ceil(periods.length / LINE.maxPeriodLabels);
  const periodLabels = periods.map((period, index) => (index % every === 0 ? text(xOf(index), baseline + 18, period, 'font-size="12" text-anchor="middle"') : '')).join('');
  const lines = series.map((line, index) => {
    const colour = seriesColour(index);
    const points = line.values.map((value, at) => `${n(xOf(at))},${n(yOf(value))}`).join(' ');
    const markers = line.values
      .map((value, at) =>
        index % 2 === 0
          ? `<circle cx="${n(xOf(at))}" cy="${n(yOf(value))}" r="3.5" fill="${colour}"/>`
          : `<rect x="${n(xOf(at) - 3.5)}" y="${n(yOf(value) - 3.5)}" width="7" height="7" fill="${colour}"/>`,
      )
      .join('');
    return `<g class="stats-chart-line" data-series="${escapeXml(line.label)}"><polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2.5"${STROKES[index % STROKES.length]}/>${markers}</g>`;
  });
  const keys = series
    .map((line, index) => {
      const colour = seriesColour(index);
      const x = LINE.left + index * 170;
      const swatch = `<line x1="${x}" y1="16" x2="${x + 26}" y2="16" stroke="${colour}" stroke-width="2.5"${STROKES[index % STROKES.length]}/>`;
      return `${swatch}${text(x + 32, 20, line.label, 'font-size="13"')}`;
    })
    .join('');
  return open(chart, LINE.width, LINE.height, 'stats-chart-line') + keys + grid.join('') + periodLabels + lines.join('') + '</svg>';
}

/**
 * The largest categories by `size`, largest first, and the rest folded into one "other"
 * entry at the end: a chart of 33 departments is unreadable, and the table lists them all.
 */
export function largestWithRest<T>(items: readonly T[], size: (item: T) => number, limit: number, fold: (rest: T[]) => T): T[] {
  const sorted = [...items].sort((a, b) => size(b) - size(a));
  if (sorted.length <= limit) return sorted;
  return [...sorted.slice(0, limit), fold(sorted.slice(limit))];
}
