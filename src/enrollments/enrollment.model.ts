import { Schema, type Connection } from 'mongoose';

/**
 * One person in one course (unique by index: never check-then-insert). What counts for
 * completion is recorded as facts (lessons done, quizzes passed, sessions attended);
 * progress is computed from them and the course's current structure. The profile
 * fields statistics group by are copied at enrollment, as the reports count them "at
 * enrollment" and they survive the account's anonymisation.
 */
const enrollmentSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    courseSlug: { type: String, required: true },
    cohortId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['active', 'completed'], default: 'active', required: true },
    enrolledAt: { type: Date, required: true },
    enrolledBy: { type: String, enum: ['self', 'manager'], required: true },
    completedLessons: { type: [String], default: [] },
    passedQuizzes: { type: [String], default: [] },
    attendedSessions: { type: Number, default: 0 },
    lastLessonSlug: String,
    lastActivityAt: Date,
    completedAt: Date,
    /**
     * Holds a valid certificate for this course: kept by the certificates module after
     * each issuance and revocation, so that statistics count it without a join.
     */
    certified: { type: Boolean, default: false },
    /** Set once every subscriber of enrollment.completed has run; null means "publish again". */
    completionPublishedAt: Date,
    profile: {
      type: new Schema(
        {
          sex: String,
          departmentCode: String,
          municipalityCode: String,
          ageBand: String,
          actorType: String,
          ethnicGroup: String,
          disability: String,
          migrationStatus: String,
        },
        { _id: false },
      ),
      default: {},
    },
  },
  { collection: 'enrollments', versionKey: false },
);
enrollmentSchema.index({ userId: 1, courseSlug: 1 }, { unique: true });
enrollmentSchema.index({ courseSlug: 1, cohortId: 1 });
enrollmentSchema.index({ status: 1, completionPublishedAt: 1 });
// The participation statistics' filters (participation-counts.ts): course, cohort, department, each with the date range.
enrollmentSchema.index({ courseSlug: 1, enrolledAt: 1 });
enrollmentSchema.index({ cohortId: 1, enrolledAt: 1 });
enrollmentSchema.index({ 'profile.departmentCode': 1, enrolledAt: 1 });
enrollmentSchema.index({ enrolledAt: 1 });

const cohortSchema = new Schema(
  {
    courseSlug: { type: String, required: true },
    name: { type: String, required: true },
    enrollmentOpensAt: { type: Date, required: true },
    enrollmentClosesAt: { type: Date, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    capacity: { type: Number, default: null },
    targetDepartments: { type: [String], default: [] },
    /** Seats taken: reserved atomically before an enrollment is written (see enrollments.service). */
    enrolledCount: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
  },
  { collection: 'cohorts', versionKey: false },
);
cohortSchema.index({ courseSlug: 1, startsAt: 1 });

const compileEnrollment = (connection: Connection) => connection.model('Enrollment', enrollmentSchema);
const compileCohort = (connection: Connection) => connection.model('Cohort', cohortSchema);

export interface EnrollmentModels {
  Enrollment: ReturnType<typeof compileEnrollment>;
  Cohort: ReturnType<typeof compileCohort>;
}

export function enrollmentModels(connection: Connection): EnrollmentModels {
  return {
    Enrollment: (connection.models.Enrollment as EnrollmentModels['Enrollment'] | undefined) ?? compileEnrollment(connection),
    Cohort: (connection.models.Cohort as EnrollmentModels['Cohort'] | undefined) ?? compileCohort(connection),
  };
}
