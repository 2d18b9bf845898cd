import { Types, type PipelineStage } from 'mongoose';
import type { EnrollmentModels } from './enrollment.model.js';

/**
 * The counts the participation statistics are made of (src/reports/README.md), as
 * aggregation pipelines over the enrollments: here because the model is this module's
 * own; the statistics module adds shares, suppression and labels. Only standard
 * operators, so that the embedded engine and MongoDB give the same numbers.
 */

/** The profile fields copied at enrollment that counts can be grouped by. */
export const PROFILE_DIMENSIONS = ['sex', 'departmentCode', 'municipalityCode', 'ageBand', 'actorType', 'ethnicGroup', 'disability', 'migrationStatus'] as const;
export type ProfileDimension = (typeof PROFILE_DIMENSIONS)[number];

export const PARTICIPATION_MEASURES = ['enrolled', 'active', 'completed', 'certified', 'attendedLiveSessions'] as const;
export type ParticipationMeasure = (typeof PARTICIPATION_MEASURES)[number];
export type ParticipationCounts = Record<ParticipationMeasure, number>;

/** Which enrollments are counted. Every field narrows; absent fields do not. */
export interface ParticipationFilter {
  /** Only these courses (a facilitator's, or the one asked for); absent: every course. */
  courseSlugs?: readonly string[];
  cohortId?: string;
  /** enrolledAt ≥ this instant. */
  enrolledFrom?: Date;
  /** enrolledAt < this instant. */
  enrolledBefore?: Date;
  departmentCode?: string;
}

export interface ParticipationGroupCounts extends ParticipationCounts {
  /** The group's value of each dimension; null where the profile has none. */
  key: Partial<Record<ProfileDimension, string | null>>;
}

export interface MonthCount {
  /** YYYY-MM in Bogotá time. */
  period: string;
  count: number;
}

/** Bogotá has had no daylight saving since 1993; the name is kept for readers, both stores know it. */
const TIME_ZONE = 'America/Bogota';

function matchOf(filter: ParticipationFilter): Record<string, unknown> {
  const match: Record<string, unknown> = {};
  if (filter.courseSlugs) match.courseSlug = filter.courseSlugs.length === 1 ? filter.courseSlugs[0] : { $in: [...filter.courseSlugs] };
  if (filter.cohortId) match.cohortId = new Types.ObjectId(filter.cohortId);
  if (filter.departmentCode) match['profile.departmentCode'] = filter.departmentCode;
  if (filter.enrolledFrom || filter.enrolledBefore) {
    match.enrolledAt = { ...(filter.enrolledFrom ? { $gte: filter.enrolledFrom } : {}), ...(filter.enrolledBefore ? { $lt: filter.enrolledBefore } : {}) };
  }
  return match;
}

const countIf = (condition: unknown) => ({ $sum: { $cond: [condition, 1, 0] } });

/**
 * One pipeline: the indexed $match, then one $group whose accumulators count every
 * measure in the same pass. The definitions (README) are the conditions below.
 */
export function participationPipeline(filter: ParticipationFilter, dimensions: readonly ProfileDimension[]): PipelineStage[] {
  // $ifNull: a missing field would otherwise leave the key out of _id and make a second "no value" group beside null.
  const groupKey = Object.fromEntries(dimensions.map((dimension) => [dimension, { $ifNull: [`$profile.${dimension}`, null] }]));
  return [
    { $match: matchOf(filter) },
    {
      $group: {
        _id: groupKey,
        // Conditions read fields as booleans where they can ($cond's standard coercion: missing,
        // null, false and 0 are false; a date is true): each operator costs time on every document.
        enrolled: { $sum: 1 },
        // Started: any trace of learning — a lesson opened or done, a live session attended, or the course completed.
        active: countIf({ $or: ['$lastActivityAt', '$attendedSessions', { $eq: ['$status', 'completed'] }] }),
        completed: countIf({ $eq: ['$status', 'completed'] }),
        certified: countIf('$certified'),
        attendedLiveSessions: countIf('$attendedSessions'),
      },
    },
  ];
}

/** Enrollments by month of enrolment and completions by month of completion, of the same enrollments (one pipeline). */
export function monthlyPipeline(filter: ParticipationFilter): PipelineStage[] {
  const monthOf = (field: string) => ({ $dateToString: { format: '%Y-%m', date: field, timezone: TIME_ZONE } });
  return [
    { $match: matchOf(filter) },
    {
      $facet: {
        enrolled: [{ $group: { _id: monthOf('$enrolledAt'), count: { $sum: 1 } } }],
        completed: [{ $match: { status: 'completed', completedAt: { $type: 'date' } } }, { $group: { _id: monthOf('$completedAt'), count: { $sum: 1 } } }],
      },
    },
  ];
}

export function participationCounter({ Enrollment }: Pick<EnrollmentModels, 'Enrollment'>) {
  return {
    async countParticipation(filter: ParticipationFilter, dimensions: readonly ProfileDimension[]): Promise<ParticipationGroupCounts[]> {
      const rows = await Enrollment.aggregate<ParticipationCounts & { _id: Record<string, string | null> }>(participationPipeline(filter, dimensions));
      return rows.map(({ _id, ...counts }) => ({
        key: Object.fromEntries(dimensions.map((dimension) => [dimension, _id[dimension] ?? null])),
        enrolled: counts.enrolled,
        active: counts.active,
        completed: counts.completed,
        certified: counts.certified,
        attendedLiveSessions: counts.attendedLiveSessions,
      }));
    },

    async countByMonth(filter: ParticipationFilter): Promise<{ enrolled: MonthCount[]; completed: MonthCount[] }> {
      const [result] = await Enrollment.aggregate<Record<'enrolled' | 'completed', Array<{ _id: string; count: number }>>>(monthlyPipeline(filter));
      const months = (rows: Array<{ _id: string; count: number }> = []): MonthCount[] => rows.map((row) => ({ period: row._id, count: row.count }));
      return { enrolled: months(result?.enrolled), completed: months(result?.completed) };
    },
  };
}
