import { Types } from 'mongoose';
import type { CoursesService } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import type { Actor } from '../shared/authorization.js';

export interface SessionScopeDependencies {
  courses: Pick<CoursesService, 'facilitatedCourseSlugs'>;
  enrollments: Pick<EnrollmentsService, 'enrolledCoursesOf'>;
}

/**
 * The sessions that are a person's own, across courses, as one query condition: those
 * of the courses they are enrolled in (their cohort's and the cohort-less), of the
 * courses they are assigned to, and the ones they lead. A manager counts as on the team
 * of the courses assigned to them only; "every course" would flood their calendar.
 */
export async function ownSessionsCondition(actor: Actor, deps: SessionScopeDependencies): Promise<Record<string, unknown>> {
  const [enrolled, facilitated] = await Promise.all([deps.enrollments.enrolledCoursesOf(actor.id), deps.courses.facilitatedCourseSlugs(actor)]);
  return {
    $or: [
      ...enrolled.map(({ courseSlug, cohortId }) => ({ courseSlug, cohortId: { $in: [null, ...(cohortId ? [new Types.ObjectId(cohortId)] : [])] } })),
      ...(facilitated.length > 0 ? [{ courseSlug: { $in: facilitated } }] : []),
      { facilitatorId: new Types.ObjectId(actor.id) },
    ],
  };
}
