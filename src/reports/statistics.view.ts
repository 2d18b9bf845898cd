import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { enUS, es } from 'date-fns/locale';
import type { TFunction } from 'i18next';
import { accountSchemas } from '../accounts/index.js';
import { largestWithRest, type Bar, type LineSeries, type StackedBar } from './statistics.charts.js';
import { type Measure, type MonthPoint, type ParticipationGroup, type ParticipationResult } from './statistics.service.js';
import { valueLabel } from './statistics.table.js';

/**
 * The participation figures in words and formatted numbers, for the dashboard and the
 * printed report alike: the totals sentence funders quote, the table, and what each
 * chart and its table show. Spanish numbers have a decimal comma ("85,3 %").
 */

/** Departments drawn one by one; the rest share an "other departments" bar (the table lists them all). */
export const CHART_DEPARTMENTS = 15;

type Sex = (typeof accountSchemas.SEXES)[number];

export interface Formats {
  count(value: number): string;
  /** "85,3 %" */
  share(value: number): string;
}

export function formatsFor(t: TFunction, language: string): Formats {
  const locale = language === 'en' ? 'en-US' : 'es-CO';
  const counts = new Intl.NumberFormat(locale);
  const shares = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return {
    count: (value) => counts.format(value),
    share: (value) => t('reports:dashboard.percent', { value: shares.format(value) }),
  };
}

const isSex = (value: string | null | undefined): value is Sex => (accountSchemas.SEXES as readonly string[]).includes(value ?? '');

/**
 * "218 inscritos: 186 mujeres (85,3 %), 32 hombres (14,7 %)", from a result grouped by
 * sex alone; sexes nobody has are left out, a suppressed one is named without its count.
 */
export function totalsSentence(bySex: ParticipationResult, t: TFunction, formats: Formats): string {
  const enrolled = bySex.totals.enrolled;
  const total = t('reports:dashboard.totals.enrolled', { count: enrolled, number: formats.count(enrolled) });
  const parts = bySex.groups.flatMap((group) => {
    const sex = group.key.sex;
    const key = isSex(sex) ? sex : 'missing';
    if (group.enrolled === null) return [t(`reports:dashboard.totals.suppressed.${key}`)];
    if (group.enrolled === 0) return [];
    const people = t(`reports:dashboard.totals.sex.${key}`, { count: group.enrolled, number: formats.count(group.enrolled) });
    return [`${people} (${formats.share(group.share.enrolled ?? 0)})`];
  });
  return parts.length > 0 ? `${total}: ${parts.join(', ')}` : total;
}

export interface TableView {
  columns: Array<{ label: string; isNumeric: boolean }>;
  rows: string[][];
  /** The total line (also the last row of the printed table). */
  total?: string[];
}

/** A table whose first column names the row and whose others are figures. */
const namedRows = (labels: readonly string[]): TableView['columns'] => labels.map((label, index) => ({ label, isNumeric: index > 0 }));

const TABLE_MEASURES: ReadonlyArray<Measure | 'share'> = ['enrolled', 'share', 'active', 'completed', 'certified', 'attendedLiveSessions'];

/** One row per group: its values by name, then the counts and the share of the enrolled. */
export function participationTableView(result: ParticipationResult, t: TFunction, formats: Formats): Required<TableView> {
  const { by } = result.filters;
  const suppressed = t('reports:values.suppressed');
  const cell = (group: ParticipationGroup, measure: Measure | 'share'): string => {
    const value = measure === 'share' ? group.share.enrolled : group[measure];
    if (value === null) return suppressed;
    return measure === 'share' ? formats.share(value) : formats.count(value);
  };
  return {
    columns: [
      ...by.map((dimension) => ({ label: t(`reports:dimensions.${dimension}`), isNumeric: false })),
      ...TABLE_MEASURES.map((measure) => ({ label: t(measure === 'share' ? 'reports:columns.share.enrolled' : `reports:columns.${measure}`), isNumeric: true })),
    ],
    rows: result.groups.map((group) => [...by.map((dimension) => valueLabel(dimension, group.key[dimension], t)), ...TABLE_MEASURES.map((measure) => cell(group, measure))]),
    total: [
      t('reports:values.total'),
      ...by.slice(1).map(() => ''),
      ...TABLE_MEASURES.map((measure) => (measure === 'share' ? formats.share(result.totals.enrolled > 0 ? 100 : 0) : formats.count(result.totals[measure]))),
    ],
  };
}

/** The bars by sex: each sex somebody has (or whose count is hidden), with its count and share. */
export function sexBars(bySex: ParticipationResult, t: TFunction, formats: Formats): Bar[] {
  return bySex.groups
    .filter((group) => group.enrolled !== 0)
    .map((group) => ({
      label: valueLabel('sex', group.key.sex, t),
      value: group.enrolled,
      text: group.enrolled === null ? t('reports:values.suppressed') : `${formats.count(group.enrolled)} (${formats.share(group.share.enrolled ?? 0)})`,
    }));
}

/** The bars' table: each sex with its count and share. */
export function sexTable(bars: readonly Bar[], t: TFunction): TableView {
  return { columns: namedRows([t('reports:dimensions.sex'), t('reports:dashboard.charts.bySex.column')]), rows: bars.map((bar) => [bar.label, bar.text]) };
}

interface DepartmentRow {
  label: string;
  /** Per sex of `sexes`, null where suppressed. */
  values: Array<number | null>;
  /** Some count in the row is hidden: its total is only what is known. */
  hasHidden: boolean;
}

export interface StackedView {
  series: string[];
  bars: StackedBar[];
  table: TableView;
}

const knownSum = (values: ReadonlyArray<number | null>): number => values.reduce<number>((sum, value) => sum + (value ?? 0), 0);

/**
 * Department × sex, from a result grouped by department then sex: the chart's bars (the
 * largest departments, the rest folded) and its table (every department).
 */
export function departmentsBySex(result: ParticipationResult, t: TFunction, formats: Formats): StackedView {
  const suppressed = t('reports:values.suppressed');
  // Only the sexes somebody has: four columns of zeros would hide the ones that count.
  const sexes = accountSchemas.SEXES.filter((sex) => result.groups.some((group) => group.key.sex === sex && group.enrolled !== 0));
  const departments = new Map<string | null, DepartmentRow>();
  for (const group of result.groups) {
    const code = group.key.departmentCode ?? null;
    let row = departments.get(code);
    if (!row) {
      row = { label: valueLabel('departmentCode', code, t), values: sexes.map(() => 0), hasHidden: false };
      departments.set(code, row);
    }
    const index = sexes.indexOf(group.key.sex as Sex);
    if (index >= 0) row.values[index] = group.enrolled;
    if (group.enrolled === null) row.hasHidden = true;
  }
  const rows = [...departments.values()].filter((row) => row.values.some((value) => value !== 0)).sort((a, b) => knownSum(b.values) - knownSum(a.values));
  const totalText = (row: DepartmentRow): string => {
    const known = formats.count(knownSum(row.values));
    return row.hasHidden ? t('reports:dashboard.charts.partialTotal', { known, suppressed }) : known;
  };
  const cell = (value: number | null): string => (value === null ? suppressed : formats.count(value));
  const folded = largestWithRest(rows, (row) => knownSum(row.values), CHART_DEPARTMENTS, (rest) => ({
    label: t('reports:dashboard.charts.otherDepartments', { count: rest.length }),
    // A hidden count stays hidden in the sum: the folded bar shows what is known and says so.
    values: sexes.map((_, index) => knownSum(rest.map((row) => row.values[index] ?? null))),
    hasHidden: rest.some((row) => row.hasHidden),
  }));
  return {
    series: sexes.map((sex) => valueLabel('sex', sex, t)),
    bars: folded.map((row) => ({ label: row.label, values: row.values, text: totalText(row) })),
    table: {
      columns: namedRows([t('reports:dimensions.departmentCode'), ...sexes.map((sex) => valueLabel('sex', sex, t)), t('reports:values.total')]),
      rows: rows.map((row) => [row.label, ...row.values.map(cell), totalText(row)]),
    },
  };
}

/** "ene 2026" for the chart's axis and its table. */
export function monthLabel(period: string, language: string): string {
  const [year = 0, month = 1] = period.split('-').map(Number);
  return format(new TZDate(year, month - 1, 1, 'America/Bogota'), 'MMM yyyy', { locale: language === 'en' ? enUS : es });
}

export function monthsView(points: readonly MonthPoint[], t: TFunction, formats: Formats, language: string): { periods: string[]; series: LineSeries[]; table: TableView } {
  return {
    periods: points.map((point) => monthLabel(point.period, language)),
    series: [
      { label: t('reports:columns.enrolled'), values: points.map((point) => point.enrolled) },
      { label: t('reports:columns.completed'), values: points.map((point) => point.completed) },
    ],
    table: {
      columns: namedRows([t('reports:columns.period'), t('reports:columns.enrolled'), t('reports:columns.completed')]),
      rows: points.map((point) => [monthLabel(point.period, language), formats.count(point.enrolled), formats.count(point.completed)]),
    },
  };
}
