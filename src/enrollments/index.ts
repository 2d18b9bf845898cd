/**
 * Enrollments: cohorts, enrollment (self and bulk, capacity-safe), lesson reading and
 * progress, and course completion (completion-rules.ts; see README.md).
 */
export { createEnrollmentsService, type EnrollmentsService, type EnrollmentView, type EnrollmentDetail, type CourseEnrollmentView, type CohortView, type EnrollmentsDependencies } from './enrollments.service.js';
export { enrollmentsApiRouter } from './enrollments.api.js';
export { enrollmentPagesRouter, type EnrollmentPagesDependencies } from './enrollments.web.js';
export { peoplePagesRouter, type PeoplePagesDependencies } from './people.web.js';
export { progressOf } from './completion-rules.js';
export {
  PROFILE_DIMENSIONS,
  PARTICIPATION_MEASURES,
  type ProfileDimension,
  type ParticipationMeasure,
  type ParticipationCounts,
  type ParticipationFilter,
  type ParticipationGroupCounts,
  type MonthCount,
} from './participation-counts.js';
