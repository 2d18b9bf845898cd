import { Router, type RequestHandler } from 'express';
import type { TFunction } from 'i18next';
import type { CatalogEntry, CoursesService } from '../courses/index.js';
import type { CohortView, EnrollmentsService } from '../enrollments/index.js';
import type { Actor } from '../shared/authorization.js';
import { departments } from '../territories/index.js';
import { errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, readForm, type FieldMessages, type FormValues } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import { barChart, lineChart, stackedBarChart } from './statistics.charts.js';
import { participationQuerySchema } from './statistics.schemas.js';
import { DIMENSIONS, type ParticipationQuery, type StatisticsService } from './statistics.service.js';
import { departmentsBySex, formatsFor, monthsView, participationTableView, sexBars, sexTable, totalsSentence } from './statistics.view.js';

/**
 * The statistics dashboard (GET /stats): a filter form, the totals sentence, the
 * participation table, and three server-drawn charts each followed by its table (the
 * accessible equivalent); and the downloads with the same filters under the web session.
 * Facilitators see their own courses only: the service decides, the form offers only those.
 */

export interface StatisticsPagesDependencies {
  statistics: Pick<StatisticsService, 'participation' | 'enrollmentsOverTime'>;
  courses: Pick<CoursesService, 'listCourses' | 'facilitatedCourseSlugs'>;
  cohorts: Pick<EnrollmentsService, 'listCohorts'>;
  /**
   * The API's statistics routes (statistics.api.ts): the CSV, XLSX and PDF downloads are
   * its very handlers, reached here with the session instead of a bearer token.
   */
  downloads: RequestHandler;
}

const BASE = '/stats';
const FILTERS = ['course', 'cohort', 'from', 'to', 'department', 'by', 'by2', 'k'] as const;
const DOWNLOADS = ['csv', 'xlsx', 'pdf'] as const;
/** As the API: by sex unless asked otherwise. */
const DEFAULT_GROUPING = 'sex';

/**
 * The form's two "group by" choices (the API takes three; a three-way table is for
 * spreadsheets, not a screen) become the API's comma list, so that the download links
 * carry the very query the API reads.
 */
function apiQueryOf(values: FormValues): Record<string, string | undefined> {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const by = [text('by') ?? DEFAULT_GROUPING, text('by2')].filter(Boolean).join(',');
  return { course: text('course'), cohort: text('cohort'), from: text('from'), to: text('to'), department: text('department'), k: text('k'), by };
}

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
  return search ? `${path}?${search}` : path;
}

const isProgrammeWide = (actor: Actor): boolean => actor.roles.includes('manager') || actor.roles.includes('admin');

function filterFields(t: TFunction, state: FormState, courses: readonly CatalogEntry[], cohorts: readonly CohortView[] | undefined, isFacilitator: boolean) {
  const field = fieldBuilder(state);
  const dimensions = DIMENSIONS.map((dimension) => ({ value: dimension, label: t(`reports:dimensions.${dimension}`) }));
  return [
    field.select('course', {
      label: t('reports:dashboard.filters.course'),
      choices: courses.map((course) => ({ value: course.slug, label: course.title })),
      placeholder: t(isFacilitator ? 'reports:dashboard.filters.allMyCourses' : 'reports:dashboard.filters.allCourses'),
    }),
    ...(cohorts
      ? [
          field.select('cohort', {
            label: t('reports:dashboard.filters.cohort'),
            choices: cohorts.map((cohort) => ({ value: cohort.id, label: cohort.name })),
            placeholder: t('reports:dashboard.filters.allCohorts'),
          }),
        ]
      : []),
    field.input('from', { label: t('reports:dashboard.filters.from'), type: 'date' }),
    field.input('to', { label: t('reports:dashboard.filters.to'), type: 'date' }),
    field.select('department', {
      label: t('reports:dashboard.filters.department'),
      choices: departments().map((department) => ({ value: department.code, label: department.name })),
      placeholder: t('reports:dashboard.filters.allDepartments'),
    }),
    field.select('by', { label: t('reports:dashboard.filters.by'), choices: dimensions }),
    field.select('by2', { label: t('reports:dashboard.filters.by2'), choices: dimensions, placeholder: t('reports:dashboard.filters.by2None') }),
    field.input('k', { label: t('reports:dashboard.filters.k'), hint: t('reports:dashboard.filters.kHint'), type: 'number', inputMode: 'numeric' }),
  ];
}

export function statisticsPagesRouter(deps: StatisticsPagesDependencies): Router {
  const router = Router();
  const canRead = authorize('statistics:read');

  /** The courses the form offers: every one to managers, their own to facilitators. */
  async function coursesFor(actor: Actor): Promise<CatalogEntry[]> {
    const courses = await deps.courses.listCourses();
    if (isProgrammeWide(actor)) return courses;
    const own = new Set(await deps.courses.facilitatedCourseSlugs(actor));
    return courses.filter((course) => own.has(course.slug));
  }

  async function figures(actor: Actor, query: ParticipationQuery, t: TFunction, language: string) {
    const by = query.by ?? [DEFAULT_GROUPING];
    const isBySex = by.length === 1 && by[0] === 'sex';
    const [table, bySexOnly, byDepartment, months] = await Promise.all([
      deps.statistics.participation(actor, query),
      isBySex ? undefined : deps.statistics.participation(actor, { ...query, by: ['sex'] }),
      deps.statistics.participation(actor, { ...query, by: ['departmentCode', 'sex'] }),
      deps.statistics.enrollmentsOverTime(actor, query),
    ]);
    const bySex = bySexOnly ?? table;
    const formats = formatsFor(t, language);
    const bars = sexBars(bySex, t, formats);
    const departmentsView = departmentsBySex(byDepartment, t, formats);
    const timeline = monthsView(months, t, formats, language);
    const chartText = (id: string, key: string) => ({ id, title: t(`reports:dashboard.charts.${key}.title`), description: t(`reports:dashboard.charts.${key}.description`) });
    return {
      totals: totalsSentence(bySex, t, formats),
      hasEnrollments: table.totals.enrolled > 0,
      isSuppressing: table.filters.k !== null,
      table: participationTableView(table, t, formats),
      groupedBy: table.filters.by.map((dimension) => t(`reports:dimensions.${dimension}`)).join(', '),
      sex: { svg: barChart(chartText('chart-sex', 'bySex'), bars), table: sexTable(bars, t) },
      departments: { svg: stackedBarChart(chartText('chart-departments', 'departments'), departmentsView.series, departmentsView.bars), table: departmentsView.table },
      months:
        months.length > 0
          ? { svg: lineChart(chartText('chart-months', 'months'), timeline.periods, timeline.series, formats.count), table: timeline.table }
          : undefined,
    };
  }

  router.get(BASE, canRead, async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const actor = signedInUser(request);
    const values = readForm(request.query, FILTERS);
    const courses = await coursesFor(actor);
    const course = courses.find((candidate) => candidate.slug === values.course);
    const cohorts = course ? await deps.cohorts.listCohorts(course.slug) : undefined;
    // A cohort left over from the previous choice of course is dropped rather than matching nothing.
    if (values.cohort && !cohorts?.some((cohort) => cohort.id === values.cohort)) delete values.cohort;
    const query = apiQueryOf(values);

    const errors: FieldMessages = {};
    let parsed: ParticipationQuery | undefined;
    try {
      parsed = parseInput(participationQuerySchema, query, t);
    } catch (error) {
      Object.assign(errors, fieldMessagesOf(error, t));
    }
    // The two groupings are one list to the API: a repeated one is the second choice's fault.
    if (errors.by && values.by2) {
      errors.by2 = errors.by;
      delete errors.by;
    }
    const fields = filterFields(t, { values: { by: DEFAULT_GROUPING, ...values }, errors }, courses, cohorts, !isProgrammeWide(actor));
    response.status(parsed ? 200 : 400).render('reports/dashboard', {
      title: t('reports:dashboard.title'),
      isFacilitator: !isProgrammeWide(actor),
      fields,
      summary: errorSummary(errors, fields),
      isFiltered: Object.keys(values).length > 0,
      downloads: parsed ? DOWNLOADS.map((format) => ({ href: withQuery(`${BASE}/participation.${format}`, query), text: t(`reports:dashboard.downloads.${format}`) })) : [],
      figures: parsed ? await figures(actor, parsed, t, language) : undefined,
    });
  });

  for (const format of DOWNLOADS) router.get(`${BASE}/participation.${format}`, canRead, deps.downloads);

  return router;
}
