import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { TFunction } from 'i18next';
import { departmentName, municipalityName } from '../territories/index.js';
import { MEASURES, TIME_ZONE, type Dimension, type MonthPoint, type ParticipationResult } from './statistics.service.js';

/**
 * The tables every export shows (CSV, XLSX, the printed report), labelled in the
 * reader's language: one place for the columns, the value names and the total row.
 * Counts stay numbers; a suppressed cell is a word, never a number that could be summed.
 */

export type TableCell = string | number;

export interface Table {
  header: string[];
  rows: TableCell[][];
}

/** Which profile values have names in the accounts catalogue (`accounts:enums.<dimension>.<value>`). */
const ENUM_DIMENSIONS: ReadonlySet<Dimension> = new Set(['sex', 'actorType', 'ethnicGroup', 'disability', 'migrationStatus']);

/** A group's value as people read it: "Mujer", "Nariño", "Pasto"; "Sin dato" where the profile had none. */
export function valueLabel(dimension: Dimension, value: string | null | undefined, t: TFunction): string {
  if (value === null || value === undefined || value === '') return t('reports:values.missing');
  if (ENUM_DIMENSIONS.has(dimension)) return t(`accounts:enums.${dimension}.${value}`, { defaultValue: value });
  if (dimension === 'departmentCode') return departmentName(value) ?? value;
  if (dimension === 'municipalityCode') return municipalityName(value) ?? value;
  return value;
}

/** One row per group and a final total row; counts, then each count's share of its total. */
export function participationTable(result: ParticipationResult, t: TFunction): Table {
  const { by } = result.filters;
  const suppressed = t('reports:values.suppressed');
  const header = [
    ...by.map((dimension) => t(`reports:dimensions.${dimension}`)),
    ...MEASURES.map((measure) => t(`reports:columns.${measure}`)),
    ...MEASURES.map((measure) => t(`reports:columns.share.${measure}`)),
  ];
  const rows: TableCell[][] = result.groups.map((group) => [
    ...by.map((dimension) => valueLabel(dimension, group.key[dimension], t)),
    ...MEASURES.map((measure) => group[measure] ?? suppressed),
    ...MEASURES.map((measure) => group.share[measure] ?? suppressed),
  ]);
  const totalRow: TableCell[] = [
    t('reports:values.total'),
    ...by.slice(1).map(() => ''),
    ...MEASURES.map((measure) => result.totals[measure]),
    ...MEASURES.map((measure) => (result.totals[measure] > 0 ? 100 : 0)),
  ];
  return { header, rows: [...rows, totalRow] };
}

export function monthsTable(points: readonly MonthPoint[], t: TFunction): Table {
  return {
    header: [t('reports:columns.period'), t('reports:columns.enrolled'), t('reports:columns.completed')],
    rows: points.map((point) => [point.period, point.enrolled, point.completed]),
  };
}

/** What was counted, in words: the filters sheet of the workbook and the header of the printed report. */
export function filtersTable(result: ParticipationResult, t: TFunction, generatedAt: Date): Table {
  const { filters } = result;
  const all = t('reports:values.all');
  const label = (key: string): string => t(`reports:values.filters.${key}`);
  const rows: TableCell[][] = [
    [label('course'), filters.course ?? all],
    ...(filters.courses ? [[label('courses'), filters.courses.length > 0 ? filters.courses.join(', ') : t('reports:values.none')]] : []),
    [label('cohort'), filters.cohort ?? all],
    [label('from'), filters.from ?? ''],
    [label('to'), filters.to ?? ''],
    [label('department'), filters.department ? valueLabel('departmentCode', filters.department, t) : all],
    [label('by'), filters.by.map((dimension) => t(`reports:dimensions.${dimension}`)).join(', ')],
    [label('k'), filters.k ?? ''],
    [label('generatedAt'), format(new TZDate(generatedAt.getTime(), TIME_ZONE), 'yyyy-MM-dd HH:mm')],
    ...(filters.k ? [['', label('suppressionNote')]] : []),
  ];
  return { header: [t('reports:columns.filter'), t('reports:columns.value')], rows };
}
