import { TZDate } from '@date-fns/tz';
import { addDays, format, startOfDay } from 'date-fns';
import { accountSchemas } from '../accounts/index.js';
import type { CoursesService } from '../courses/index.js';
import {
  PARTICIPATION_MEASURES,
  PROFILE_DIMENSIONS,
  type EnrollmentsService,
  type ParticipationFilter,
  type ParticipationGroupCounts,
  type ParticipationMeasure,
  type ProfileDimension,
} from '../enrollments/index.js';
import { AGE_BANDS } from '../shared/age-band.js';
import { ensureAllowed, type Actor } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import { sharesOf } from './shares.js';
import { cellsToSuppress } from './suppression.js';

/**
 * Participation statistics (README.md): who enrolled, started, completed, was certified
 * and attended a live session, grouped by the profile snapshot taken at enrollment.
 * The counting is one aggregation in the enrollments module; here: who may see what,
 * the shares, small-cell suppression, and the monthly series.
 */

export type Dimension = ProfileDimension;
export type Measure = ParticipationMeasure;
export const DIMENSIONS = PROFILE_DIMENSIONS;
export const MEASURES = PARTICIPATION_MEASURES;
export const MAX_DIMENSIONS = 3;
export const TIME_ZONE = 'America/Bogota';

export interface ParticipationQuery {
  course?: string | undefined;
  cohort?: string | undefined;
  /** The first day counted (its Bogotá calendar day), inclusive. */
  from?: Date | undefined;
  /** The last day counted (its Bogotá calendar day), inclusive. */
  to?: Date | undefined;
  department?: string | undefined;
  /** 1 to 3 dimensions; empty means ['sex']. */
  by?: readonly Dimension[] | undefined;
  /** Suppress counts from 1 to k−1; absent or 1: nothing is suppressed. */
  k?: number | undefined;
}

export type MeasureCounts = Record<Measure, number>;
export type GroupKey = Partial<Record<Dimension, string | null>>;

/** What was counted, as the result says it: days as YYYY-MM-DD; `courses` is a facilitator's scope (null: every course). */
export interface AppliedFilters {
  course: string | null;
  cohort: string | null;
  from: string | null;
  to: string | null;
  department: string | null;
  by: Dimension[];
  k: number | null;
  courses: string[] | null;
}

export interface ParticipationGroup {
  key: GroupKey;
  enrolled: number | null;
  active: number | null;
  completed: number | null;
  certified: number | null;
  attendedLiveSessions: number | null;
  share: Record<Measure, number | null>;
  suppressed?: true;
}

export interface ParticipationResult {
  filters: AppliedFilters;
  totals: MeasureCounts;
  groups: ParticipationGroup[];
}

export interface MonthPoint {
  /** YYYY-MM, Bogotá time. */
  period: string;
  enrolled: number;
  completed: number;
}

export interface StatisticsDependencies {
  enrollments: Pick<EnrollmentsService, 'countParticipation' | 'countByMonth'>;
  courses: Pick<CoursesService, 'getCourse' | 'facilitatedCourseSlugs'>;
}

/** The order values are listed in: the API's enumerations, then codes; "no value" last. */
const VALUE_ORDER: Partial<Record<Dimension, readonly string[]>> = {
  sex: accountSchemas.SEXES,
  ageBand: AGE_BANDS,
  actorType: accountSchemas.ACTOR_TYPES,
  ethnicGroup: accountSchemas.ETHNIC_GROUPS,
  disability: accountSchemas.DISABILITY_ANSWERS,
  migrationStatus: accountSchemas.MIGRATION_STATUSES,
};

function compareValues(dimension: Dimension, a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const order = VALUE_ORDER[dimension];
  const rank = (value: string): number => (order?.includes(value) ? order.indexOf(value) : Number.MAX_SAFE_INTEGER);
  return rank(a) - rank(b) || (a < b ? -1 : 1);
}

const emptyCounts = (): MeasureCounts => ({ enrolled: 0, active: 0, completed: 0, certified: 0, attendedLiveSessions: 0 });
const keyString = (key: GroupKey, dimensions: readonly Dimension[]): string => JSON.stringify(dimensions.map((dimension) => key[dimension] ?? null));
const dayOf = (instant: Date): string => format(new TZDate(instant.getTime(), TIME_ZONE), 'yyyy-MM-dd');
const startOfBogotaDay = (instant: Date): TZDate => startOfDay(new TZDate(instant.getTime(), TIME_ZONE));
/** Plain Dates for the query: the driver is given nothing but what it knows. */
const instantOf = (date: Date): Date => new Date(date.getTime());

function nextPeriod(period: string): string {
  const [year = 0, month = 0] = period.split('-').map(Number);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/**
 * Every sex is listed, zeros included (API.md, "Precise rules"): with other dimensions,
 * each of their observed combinations is crossed with every sex.
 */
function withEverySex(rows: ParticipationGroupCounts[], dimensions: readonly Dimension[]): ParticipationGroupCounts[] {
  if (!dimensions.includes('sex')) return rows;
  const others = dimensions.filter((dimension) => dimension !== 'sex');
  const byKey = new Map(rows.map((row) => [keyString(row.key, dimensions), row]));
  const combinations = new Map<string, GroupKey>();
  for (const row of rows) combinations.set(keyString(row.key, others), row.key);
  if (combinations.size === 0 && others.length === 0) combinations.set('[]', {});
  const complete = [...rows];
  for (const combination of combinations.values()) {
    for (const sex of accountSchemas.SEXES) {
      const key: GroupKey = Object.fromEntries(dimensions.map((dimension) => [dimension, dimension === 'sex' ? sex : (combination[dimension] ?? null)]));
      if (!byKey.has(keyString(key, dimensions))) complete.push({ key, ...emptyCounts() });
    }
  }
  return complete;
}

/** Shares of each measure's total, then the cells below k hidden with their shares. */
function publishedGroups(rows: ParticipationGroupCounts[], dimensions: readonly Dimension[], k: number | undefined): ParticipationGroup[] {
  const groups: ParticipationGroup[] = rows.map((row) => ({
    key: row.key,
    enrolled: row.enrolled,
    active: row.active,
    completed: row.completed,
    certified: row.certified,
    attendedLiveSessions: row.attendedLiveSessions,
    share: { enrolled: 0, active: 0, completed: 0, certified: 0, attendedLiveSessions: 0 },
  }));
  const keys = rows.map((row) => dimensions.map((dimension) => row.key[dimension] ?? null));
  for (const measure of MEASURES) {
    const counts = rows.map((row) => row[measure]);
    const shares = sharesOf(counts);
    const isHidden = k && k > 1 ? cellsToSuppress(keys, counts, k) : counts.map(() => false);
    groups.forEach((group, index) => {
      if (isHidden[index]) {
        group[measure] = null;
        group.share[measure] = null;
        group.suppressed = true;
      } else {
        group.share[measure] = shares[index] ?? 0;
      }
    });
  }
  return groups;
}

export function createStatisticsService(deps: StatisticsDependencies) {
  function dimensionsOf(query: ParticipationQuery): Dimension[] {
    const by = query.by && query.by.length > 0 ? [...query.by] : (['sex'] as Dimension[]);
    if (by.length > MAX_DIMENSIONS || new Set(by).size !== by.length || by.some((dimension) => !DIMENSIONS.includes(dimension))) {
      throw new AppError('validation_failed', 'Group by one to three different dimensions.', { fields: { by: 'validation.invalid' } });
    }
    return by;
  }

  /**
   * The enrollments an actor may count: managers and admins every course; facilitators
   * the courses they are assigned to, and a course of someone else's is refused.
   */
  async function filterFor(actor: Actor, query: ParticipationQuery): Promise<{ filter: ParticipationFilter; courses: string[] | null }> {
    ensureAllowed(actor, 'statistics:read');
    const isProgrammeWide = actor.roles.includes('manager') || actor.roles.includes('admin');
    if (query.course) await deps.courses.getCourse(query.course); // an unknown course is 404 for everyone
    let courseSlugs: string[] | undefined = query.course ? [query.course] : undefined;
    let courses: string[] | null = null;
    if (!isProgrammeWide) {
      const own = await deps.courses.facilitatedCourseSlugs(actor);
      if (query.course && !own.includes(query.course)) throw new AppError('forbidden', 'You do not facilitate this course.');
      courseSlugs ??= own;
      courses = own;
    }
    return {
      courses,
      filter: {
        ...(courseSlugs ? { courseSlugs } : {}),
        ...(query.cohort ? { cohortId: query.cohort } : {}),
        ...(query.department ? { departmentCode: query.department } : {}),
        ...(query.from ? { enrolledFrom: instantOf(startOfBogotaDay(query.from)) } : {}),
        ...(query.to ? { enrolledBefore: instantOf(addDays(startOfBogotaDay(query.to), 1)) } : {}),
      },
    };
  }

  return {
    /** API.md, "Statistics": counts, shares and suppression for any filter, grouped by up to three dimensions. */
    async participation(actor: Actor, query: ParticipationQuery): Promise<ParticipationResult> {
      const by = dimensionsOf(query);
      const { filter, courses } = await filterFor(actor, query);
      // A facilitator with no course counts nothing (an empty $in would mean the same, at the price of a scan).
      const counted = filter.courseSlugs?.length === 0 ? [] : await deps.enrollments.countParticipation(filter, by);
      const rows = withEverySex(counted, by).sort((a, b) => {
        for (const dimension of by) {
          const order = compareValues(dimension, a.key[dimension] ?? null, b.key[dimension] ?? null);
          if (order !== 0) return order;
        }
        return 0;
      });
      const totals = emptyCounts();
      for (const row of rows) for (const measure of MEASURES) totals[measure] += row[measure];
      return {
        filters: {
          course: query.course ?? null,
          cohort: query.cohort ?? null,
          from: query.from ? dayOf(query.from) : null,
          to: query.to ? dayOf(query.to) : null,
          department: query.department ?? null,
          by,
          k: query.k && query.k > 1 ? query.k : null,
          courses,
        },
        totals,
        groups: publishedGroups(rows, by, query.k),
      };
    },

    /**
     * The line chart: enrollments by month of enrolment and, of those same enrollments,
     * completions by month of completion (so each series adds up to the participation
     * totals). Every month from the first to the last is listed, empty ones as zeros.
     */
    async enrollmentsOverTime(actor: Actor, query: ParticipationQuery): Promise<MonthPoint[]> {
      const { filter } = await filterFor(actor, query);
      if (filter.courseSlugs?.length === 0) return [];
      const { enrolled, completed } = await deps.enrollments.countByMonth(filter);
      const points = new Map<string, MonthPoint>();
      const pointOf = (period: string): MonthPoint => {
        let point = points.get(period);
        if (!point) {
          point = { period, enrolled: 0, completed: 0 };
          points.set(period, point);
        }
        return point;
      };
      for (const month of enrolled) pointOf(month.period).enrolled += month.count;
      for (const month of completed) pointOf(month.period).completed += month.count;
      const periods = [...points.keys()].sort();
      const first = periods[0];
      const last = periods.at(-1);
      if (!first || !last) return [];
      for (let period = nextPeriod(first); period < last; period = nextPeriod(period)) pointOf(period);
      return [...points.values()].sort((a, b) => (a.period < b.period ? -1 : 1));
    },
  };
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;
