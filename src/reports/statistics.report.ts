import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { TFunction } from 'i18next';
import type { CoursesService } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { TIME_ZONE, formatCalendarDay, formatDateTime } from '../web/dates.js';
import { renderParticipationReportPdf, type ParticipationReportDocument } from './statistics.pdf.js';
import type { ParticipationQuery, ParticipationResult, StatisticsService } from './statistics.service.js';
import { valueLabel } from './statistics.table.js';
import { formatsFor, monthsView, participationTableView, sexBars, totalsSentence } from './statistics.view.js';

/**
 * The printable participation report, put together for the API (`GET
 * /api/v1/stats/participation.pdf`) and the dashboard's download alike: the figures
 * from the service, worded in the reader's language, laid out by statistics.pdf.ts.
 */

export interface ParticipationReportDependencies {
  statistics: Pick<StatisticsService, 'participation' | 'enrollmentsOverTime'>;
  courses: Pick<CoursesService, 'getCourse' | 'listCourses'>;
  cohorts: Pick<EnrollmentsService, 'listCohorts'>;
  institution: () => Promise<{ name: string }>;
  clock: Clock;
}

export interface ParticipationReport {
  pdf: Buffer;
  filename: string;
}

/** What was counted, in words: names rather than slugs, codes and ids. */
async function filtersInWords(deps: ParticipationReportDependencies, result: ParticipationResult, t: TFunction, language: string): Promise<ParticipationReportDocument['filters']> {
  const { filters } = result;
  const all = t('reports:values.all');
  const label = (key: string): string => t(`reports:values.filters.${key}`);
  const titles = new Map((await deps.courses.listCourses()).map((course) => [course.slug, course.title]));
  const titleOf = (slug: string): string => titles.get(slug) ?? slug;
  const cohortName = filters.course && filters.cohort ? (await deps.cohorts.listCohorts(filters.course)).find((cohort) => cohort.id === filters.cohort)?.name : undefined;
  return [
    { label: label('course'), value: filters.course ? titleOf(filters.course) : all },
    // A facilitator counts only the courses they are on: which ones, so the reader knows what "all" means.
    ...(filters.courses && !filters.course ? [{ label: label('courses'), value: filters.courses.length > 0 ? filters.courses.map(titleOf).join('; ') : t('reports:values.none') }] : []),
    { label: label('cohort'), value: filters.cohort ? (cohortName ?? filters.cohort) : all },
    ...(filters.from ? [{ label: label('from'), value: formatCalendarDay(filters.from, language) }] : []),
    ...(filters.to ? [{ label: label('to'), value: formatCalendarDay(filters.to, language) }] : []),
    { label: label('department'), value: filters.department ? valueLabel('departmentCode', filters.department, t) : all },
    { label: label('by'), value: filters.by.map((dimension) => t(`reports:dimensions.${dimension}`)).join(', ') },
    ...(filters.k ? [{ label: label('k'), value: String(filters.k) }] : []),
  ];
}

export async function participationReport(
  deps: ParticipationReportDependencies,
  actor: Actor,
  query: ParticipationQuery,
  t: TFunction,
  language: string,
): Promise<ParticipationReport> {
  const by = query.by && query.by.length > 0 ? query.by : ['sex' as const];
  const isBySex = by.length === 1 && by[0] === 'sex';
  const [table, bySex, months, institution] = await Promise.all([
    deps.statistics.participation(actor, query),
    isBySex ? undefined : deps.statistics.participation(actor, { ...query, by: ['sex'] }),
    deps.statistics.enrollmentsOverTime(actor, query),
    deps.institution(),
  ]);
  const formats = formatsFor(t, language);
  const sexes = bySex ?? table;
  const generatedAt = deps.clock.now();
  const participation = participationTableView(table, t, formats);
  const timeline = monthsView(months, t, formats, language);
  const pdf = await renderParticipationReportPdf({
    title: t('reports:report.title'),
    institutionName: institution.name,
    generatedLine: t('reports:report.generated', { when: formatDateTime(generatedAt, language) }),
    generatedAt,
    filtersHeading: t('reports:report.filters'),
    filters: await filtersInWords(deps, table, t, language),
    totals: totalsSentence(sexes, t, formats),
    chart: { heading: t('reports:dashboard.charts.bySex.title'), bars: sexBars(sexes, t, formats) },
    tables: [
      {
        heading: t('reports:report.participationTable'),
        columns: participation.columns,
        rows: [...participation.rows, participation.total],
        ...(table.filters.k ? { note: t('reports:values.filters.suppressionNote') } : {}),
      },
      ...(months.length > 0
        ? [{ heading: t('reports:dashboard.charts.months.title'), columns: timeline.table.columns, rows: timeline.table.rows }]
        : []),
    ],
    pageLabel: (page, pages) => t('reports:report.page', { page, pages }),
  });
  return { pdf, filename: `${t('reports:report.filename')}-${format(new TZDate(generatedAt.getTime(), TIME_ZONE), 'yyyy-MM-dd')}.pdf` };
}
