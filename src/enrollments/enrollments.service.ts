import { Types, type Connection } from 'mongoose';
import type { Profile } from '../accounts/index.js';
import type { CoursesService, CourseView, LessonView } from '../courses/index.js';
import { ageBandOf } from '../shared/age-band.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { EventBus } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import { progressOf } from './completion-rules.js';
import { enrollmentModels } from './enrollment.model.js';
import { participationCounter } from './participation-counts.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

export interface EnrollmentsDependencies {
  connection: Connection;
  courses: CoursesService;
  /** The profile of an active account, or undefined. */
  profileOf(userId: string): Promise<Profile | undefined>;
  /** The ids among `ids` that name no usable account. */
  unknownUserIds(ids: string[]): Promise<string[]>;
  /** Names and emails by user id (anonymised accounts have none). */
  contactsOf(ids: string[]): Promise<Map<string, { name: string; email: string | null }>>;
  events: EventBus;
  /**
   * Course slug → code of the person's valid certificate (from certificates, which
   * depends on this module: services.ts hands it over rather than an import).
   */
  certificateCodesOf(userId: string): Promise<ReadonlyMap<string, string>>;
  clock: Clock;
  logger: Logger;
}

export interface CohortInput {
  name: string;
  enrollmentOpensAt: Date;
  enrollmentClosesAt: Date;
  startsAt: Date;
  endsAt: Date;
  capacity?: number | undefined;
  targetDepartments?: string[] | undefined;
}

export interface CohortView {
  id: string;
  courseSlug: string;
  name: string;
  enrollmentOpensAt: string;
  enrollmentClosesAt: string;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  targetDepartments: string[];
  enrolledCount: number;
}

export interface EnrollmentView {
  id: string;
  userId: string;
  courseSlug: string;
  cohortId: string | null;
  status: 'active' | 'completed';
  progress: number;
  enrolledAt: string;
  completedAt: string | null;
  lastLessonSlug: string | null;
}

/** One of a person's own enrollments, with the code of the certificate it earned while that is valid. */
export interface MyEnrollmentView extends EnrollmentView {
  certificateCode: string | null;
}

/** An enrollment in the course team's list: who it is, and the live sessions they attended (non-cancelled ones). */
export interface CourseEnrollmentView extends EnrollmentView {
  name: string;
  email: string | null;
  attendedSessions: number;
}

/** An enrollment with the facts its progress is counted from: lessons done, module quizzes passed. */
export interface EnrollmentDetail extends EnrollmentView {
  completedLessons: string[];
  passedQuizzes: string[];
}

/** A lesson as its reader gets it: done or not, and their enrollment (none for the course's team). */
export interface LessonReading extends LessonView {
  completed: boolean;
  enrollment: EnrollmentDetail | undefined;
}

interface StoredEnrollment {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  courseSlug: string;
  cohortId: Types.ObjectId | null;
  status: 'active' | 'completed';
  enrolledAt: Date;
  completedAt?: Date;
  completedLessons: string[];
  passedQuizzes: string[];
  attendedSessions: number;
  lastLessonSlug?: string;
  lastActivityAt?: Date;
}

interface StoredCohort {
  _id: Types.ObjectId;
  courseSlug: string;
  name: string;
  enrollmentOpensAt: Date;
  enrollmentClosesAt: Date;
  startsAt: Date;
  endsAt: Date;
  capacity: number | null;
  targetDepartments: string[];
  enrolledCount: number;
}

function cohortView(cohort: StoredCohort): CohortView {
  return {
    id: cohort._id.toHexString(),
    courseSlug: cohort.courseSlug,
    name: cohort.name,
    enrollmentOpensAt: cohort.enrollmentOpensAt.toISOString(),
    enrollmentClosesAt: cohort.enrollmentClosesAt.toISOString(),
    startsAt: cohort.startsAt.toISOString(),
    endsAt: cohort.endsAt.toISOString(),
    capacity: cohort.capacity ?? null,
    targetDepartments: cohort.targetDepartments ?? [],
    enrolledCount: cohort.enrolledCount,
  };
}


export function createEnrollmentsService(deps: EnrollmentsDependencies) {
  const { Enrollment, Cohort } = enrollmentModels(deps.connection);
  const { countParticipation, countByMonth } = participationCounter({ Enrollment });

  function view(enrollment: StoredEnrollment, course: CourseView): EnrollmentView {
    return {
      id: enrollment._id.toHexString(),
      userId: enrollment.userId.toHexString(),
      courseSlug: enrollment.courseSlug,
      cohortId: enrollment.cohortId ? enrollment.cohortId.toHexString() : null,
      status: enrollment.status,
      progress: enrollment.status === 'completed' ? 100 : progressOf(course, enrollment).progress,
      enrolledAt: enrollment.enrolledAt.toISOString(),
      completedAt: enrollment.completedAt ? enrollment.completedAt.toISOString() : null,
      lastLessonSlug: enrollment.lastLessonSlug ?? null,
    };
  }

  async function findEnrollment(userId: string, courseSlug: string): Promise<StoredEnrollment | null> {
    if (!Types.ObjectId.isValid(userId)) return null;
    return Enrollment.findOne({ userId: new Types.ObjectId(userId), courseSlug }).lean<StoredEnrollment>();
  }

  async function findCohort(courseSlug: string, cohortId: string): Promise<StoredCohort> {
    const cohort = Types.ObjectId.isValid(cohortId) ? await Cohort.findOne({ _id: cohortId, courseSlug }).lean<StoredCohort>() : null;
    if (!cohort) throw new AppError('validation_failed', 'No such cohort in this course.', { fields: { cohortId: 'validation.invalid' } });
    return cohort;
  }

  /**
   * Takes `seats` seats of a cohort in one atomic update, or none. Two hundred people
   * racing for fifty seats: the condition on the counter lets exactly fifty through.
   */
  async function reserveSeats(cohort: StoredCohort, seats: number): Promise<boolean> {
    if (seats === 0) return true;
    const condition = cohort.capacity === null || cohort.capacity === undefined ? {} : { enrolledCount: { $lte: cohort.capacity - seats } };
    const result = await Cohort.updateOne({ _id: cohort._id, ...condition }, { $inc: { enrolledCount: seats } });
    return result.modifiedCount === 1;
  }

  async function releaseSeats(cohortId: Types.ObjectId | null, seats: number): Promise<void> {
    if (cohortId && seats > 0) await Cohort.updateOne({ _id: cohortId }, { $inc: { enrolledCount: -seats } });
  }

  function snapshotOf(profile: Profile | undefined, now: Date): Record<string, string | undefined> {
    if (!profile) return {};
    return {
      sex: profile.sex ?? undefined,
      departmentCode: profile.departmentCode ?? undefined,
      municipalityCode: profile.municipalityCode ?? undefined,
      ageBand: profile.birthDate ? ageBandOf(new Date(`${profile.birthDate}T00:00:00Z`), now) : undefined,
      actorType: profile.actorType ?? undefined,
      ethnicGroup: profile.ethnicGroup ?? undefined,
      disability: profile.disability ?? undefined,
      migrationStatus: profile.migrationStatus ?? undefined,
    };
  }

  /** Completion in one place: record it once, then tell the subscribers (see README.md). */
  async function evaluateCompletion(enrollment: StoredEnrollment, course: CourseView): Promise<StoredEnrollment> {
    if (enrollment.status === 'completed' || !progressOf(course, enrollment).isComplete) return enrollment;
    const now = deps.clock.now();
    const completed = await Enrollment.findOneAndUpdate(
      { _id: enrollment._id, status: 'active' },
      { $set: { status: 'completed', completedAt: now, completionPublishedAt: null } },
      { returnDocument: 'after', lean: true },
    );
    if (!completed) return (await Enrollment.findById(enrollment._id).lean<StoredEnrollment>()) ?? enrollment;
    await publishCompletion(completed as unknown as StoredEnrollment & { completedAt: Date });
    return completed as unknown as StoredEnrollment;
  }

  async function publishCompletion(enrollment: StoredEnrollment & { completedAt?: Date }): Promise<void> {
    const { failures } = await deps.events.publish('enrollment.completed', {
      enrollmentId: enrollment._id.toHexString(),
      userId: enrollment.userId.toHexString(),
      courseSlug: enrollment.courseSlug,
      completedAt: enrollment.completedAt ?? deps.clock.now(),
    });
    if (failures === 0) await Enrollment.updateOne({ _id: enrollment._id }, { $set: { completionPublishedAt: deps.clock.now() } });
  }

  /**
   * Only a move to another lesson is written: opening the same lesson again changes
   * neither `lastLessonSlug` nor whether `lastActivityAt` is set (all that the statistics
   * read of it), so a page view costs no write.
   */
  async function openLesson(actor: Actor, course: CourseView, lesson: LessonView): Promise<LessonReading> {
    const enrollment = await findEnrollment(actor.id, course.slug);
    if (!enrollment) {
      if (await deps.courses.isFacilitatorOf(actor, course.slug)) return { ...lesson, completed: false, enrollment: undefined };
      throw new AppError('forbidden', 'You are not enrolled in this course.', { reason: 'not_enrolled' });
    }
    if (enrollment.lastLessonSlug !== lesson.slug || !enrollment.lastActivityAt) {
      const now = deps.clock.now();
      await Enrollment.updateOne({ _id: enrollment._id }, { $set: { lastLessonSlug: lesson.slug, lastActivityAt: now } });
      enrollment.lastLessonSlug = lesson.slug;
      enrollment.lastActivityAt = now;
    }
    return { ...lesson, completed: enrollment.completedLessons.includes(lesson.slug), enrollment: detailOf(enrollment, course) };
  }

  function detailOf(enrollment: StoredEnrollment, course: CourseView): EnrollmentDetail {
    return { ...view(enrollment, course), completedLessons: [...enrollment.completedLessons], passedQuizzes: [...enrollment.passedQuizzes] };
  }

  async function enrolledOrThrow(actor: Actor, courseSlug: string): Promise<StoredEnrollment> {
    const enrollment = await findEnrollment(actor.id, courseSlug);
    if (!enrollment) throw new AppError('forbidden', 'You are not enrolled in this course.', { reason: 'not_enrolled' });
    return enrollment;
  }

  return {
    async createCohort(courseSlug: string, input: CohortInput): Promise<CohortView> {
      await deps.courses.getCourse(courseSlug);
      const cohort = await Cohort.create({ ...input, courseSlug, capacity: input.capacity ?? null, targetDepartments: input.targetDepartments ?? [], createdAt: deps.clock.now() });
      return cohortView(cohort.toObject() as unknown as StoredCohort);
    },

    async listCohorts(courseSlug: string): Promise<CohortView[]> {
      await deps.courses.getCourse(courseSlug);
      const cohorts = await Cohort.find({ courseSlug }).sort({ startsAt: 1 }).lean<StoredCohort[]>();
      return cohorts.map(cohortView);
    },

    /** Self-enrollment, into the course or one of its cohorts (API.md, "Enrollment and progress"). */
    async enroll(actor: Actor, courseSlug: string, cohortId?: string): Promise<EnrollmentView> {
      const course = await deps.courses.getCourse(courseSlug);
      if (await findEnrollment(actor.id, courseSlug)) throw new AppError('conflict', 'You are already enrolled in this course.', { reason: 'already_enrolled' });
      const now = deps.clock.now();
      const profile = await deps.profileOf(actor.id);
      let cohort: StoredCohort | undefined;
      if (cohortId) {
        cohort = await findCohort(courseSlug, cohortId);
        if (now < cohort.enrollmentOpensAt || now > cohort.enrollmentClosesAt) {
          throw new AppError('conflict', 'Enrollment in this cohort is not open.', { reason: 'closed' });
        }
        if (cohort.targetDepartments.length > 0 && !cohort.targetDepartments.includes(profile?.departmentCode ?? '')) {
          throw new AppError('conflict', 'This cohort is for other departments.', { reason: 'department' });
        }
        if (!(await reserveSeats(cohort, 1))) throw new AppError('conflict', 'This cohort is full.', { reason: 'full' });
      } else if (course.enrollment === 'cohort_only') {
        throw new AppError('conflict', 'This course is taken in cohorts: choose one.', { reason: 'cohort_required' });
      }
      try {
        const created = await Enrollment.create({
          userId: new Types.ObjectId(actor.id),
          courseSlug,
          cohortId: cohort?._id ?? null,
          enrolledAt: now,
          enrolledBy: 'self',
          profile: snapshotOf(profile, now),
        });
        return view(created.toObject() as unknown as StoredEnrollment, course);
      } catch (error) {
        await releaseSeats(cohort?._id ?? null, 1);
        if (isDuplicateKey(error)) throw new AppError('conflict', 'You are already enrolled in this course.', { reason: 'already_enrolled' });
        throw error;
      }
    },

    /** Managers enroll lists of people; unknown ids refuse the whole list. */
    async enrollMany(courseSlug: string, userIds: string[], cohortId?: string): Promise<{ enrolled: number; alreadyEnrolled: number }> {
      const course = await deps.courses.getCourse(courseSlug);
      const unique = [...new Set(userIds)];
      const unknown = await deps.unknownUserIds(unique);
      if (unknown.length > 0) throw new AppError('validation_failed', 'Some user ids do not exist.', { fields: { userIds: 'validation.unknownUsers' }, unknownIds: unknown });
      const cohort = cohortId ? await findCohort(courseSlug, cohortId) : undefined;
      const existing = await Enrollment.find({ courseSlug, userId: { $in: unique.map((id) => new Types.ObjectId(id)) } }, { userId: 1 }).lean();
      const already = new Set(existing.map((enrollment) => enrollment.userId.toHexString()));
      const newcomers = unique.filter((id) => !already.has(id));
      if (cohort && !(await reserveSeats(cohort, newcomers.length))) {
        throw new AppError('conflict', 'The cohort does not have seats for everyone on the list.', { reason: 'full' });
      }
      const now = deps.clock.now();
      const documents = await Promise.all(
        newcomers.map(async (id) => ({
          userId: new Types.ObjectId(id),
          courseSlug,
          cohortId: cohort?._id ?? null,
          enrolledAt: now,
          enrolledBy: 'manager',
          profile: snapshotOf(await deps.profileOf(id), now),
        })),
      );
      let enrolled = documents.length;
      try {
        if (documents.length > 0) await Enrollment.insertMany(documents, { ordered: false });
      } catch (error) {
        const failures = (error as { writeErrors?: unknown[] }).writeErrors?.length ?? 0;
        if (failures === 0) throw error;
        // Enrolled meanwhile by themselves: counted as already enrolled, seats given back.
        enrolled -= failures;
        await releaseSeats(cohort?._id ?? null, failures);
      }
      return { enrolled, alreadyEnrolled: unique.length - enrolled };
    },

    async myEnrollments(userId: string): Promise<MyEnrollmentView[]> {
      const [enrollments, certificateCodes] = await Promise.all([
        Enrollment.find({ userId: new Types.ObjectId(userId) }).sort({ enrolledAt: 1 }).lean<StoredEnrollment[]>(),
        deps.certificateCodesOf(userId),
      ]);
      return Promise.all(
        enrollments.map(async (enrollment) => ({
          ...view(enrollment, await deps.courses.getCourse(enrollment.courseSlug)),
          certificateCode: certificateCodes.get(enrollment.courseSlug) ?? null,
        })),
      );
    },

    /** One person's enrollment in a course, with what they have done (the course page ticks lessons off). */
    async enrollmentOf(userId: string, courseSlug: string): Promise<EnrollmentDetail | undefined> {
      const enrollment = await findEnrollment(userId, courseSlug);
      if (!enrollment) return undefined;
      return detailOf(enrollment, await deps.courses.getCourse(courseSlug));
    },

    /** Whether the person is enrolled in the course: one small read, no course (the quiz engine's check). */
    async isEnrolled(userId: string, courseSlug: string): Promise<boolean> {
      if (!Types.ObjectId.isValid(userId)) return false;
      return (await Enrollment.exists({ userId: new Types.ObjectId(userId), courseSlug })) !== null;
    },

    /**
     * A lesson for someone allowed to read it: enrolled learners (whose "continue where
     * I left off" moves here), the course's facilitators and managers.
     */
    async readLesson(actor: Actor, courseSlug: string, lessonSlug: string): Promise<LessonReading> {
      const { course, lesson } = await deps.courses.getCourseWithLesson(courseSlug, lessonSlug);
      return openLesson(actor, course, lesson);
    },

    /**
     * readLesson for a caller that has already read the course and the lesson (the lesson
     * page): the reader's enrollment comes back with it, from the same read.
     */
    openLesson,

    /** Marks a lesson done; repeating it changes nothing. Resolves with the new progress. */
    async completeLesson(actor: Actor, courseSlug: string, lessonSlug: string): Promise<{ progress: number }> {
      await deps.courses.getLesson(courseSlug, lessonSlug);
      const enrollment = await enrolledOrThrow(actor, courseSlug);
      const updated = await Enrollment.findOneAndUpdate(
        { _id: enrollment._id },
        { $addToSet: { completedLessons: lessonSlug }, $set: { lastLessonSlug: lessonSlug, lastActivityAt: deps.clock.now() } },
        { returnDocument: 'after', lean: true },
      );
      const course = await deps.courses.getCourse(courseSlug);
      const evaluated = await evaluateCompletion(updated as unknown as StoredEnrollment, course);
      return { progress: view(evaluated, course).progress };
    },

    /** A module quiz passed (the quiz engine calls this); counts toward completion. */
    async recordQuizPassed(userId: string, courseSlug: string, moduleSlug: string): Promise<void> {
      const updated = await Enrollment.findOneAndUpdate(
        { userId: new Types.ObjectId(userId), courseSlug },
        { $addToSet: { passedQuizzes: moduleSlug } },
        { returnDocument: 'after', lean: true },
      );
      // A completed enrollment has nothing left to evaluate: no need to read the course for it.
      if (updated && updated.status !== 'completed') await evaluateCompletion(updated as unknown as StoredEnrollment, await deps.courses.getCourse(courseSlug));
    },

    /** The courses a person is enrolled in, with their cohort (which live sessions are theirs). No course is read. */
    async enrolledCoursesOf(userId: string): Promise<Array<{ courseSlug: string; cohortId: string | null }>> {
      if (!Types.ObjectId.isValid(userId)) return [];
      const enrollments = await Enrollment.find({ userId: new Types.ObjectId(userId) }, { courseSlug: 1, cohortId: 1 })
        .sort({ courseSlug: 1 })
        .lean<Array<Pick<StoredEnrollment, 'courseSlug' | 'cohortId'>>>();
      return enrollments.map((enrollment) => ({ courseSlug: enrollment.courseSlug, cohortId: enrollment.cohortId ? enrollment.cohortId.toHexString() : null }));
    },

    /** The user ids enrolled in a course, or in one of its cohorts (live-session invitees). */
    async enrolledUserIds(courseSlug: string, cohortId: string | null): Promise<string[]> {
      const filter: Record<string, unknown> = { courseSlug };
      if (cohortId) filter.cohortId = new Types.ObjectId(cohortId);
      const enrollments = await Enrollment.find(filter, { userId: 1 }).lean<Array<{ userId: Types.ObjectId }>>();
      return enrollments.map((enrollment) => enrollment.userId.toHexString());
    },

    /**
     * Live-session attendance (the live-sessions module counts, per learner, the
     * non-cancelled sessions of the course they attended): sets each count and evaluates
     * completion. Setting the same counts again changes nothing; a completion already
     * recorded stays recorded.
     */
    async setAttendedSessions(courseSlug: string, counts: ReadonlyMap<string, number>): Promise<void> {
      if (counts.size === 0) return;
      const course = await deps.courses.getCourse(courseSlug);
      for (const [userId, count] of counts) {
        if (!Types.ObjectId.isValid(userId)) continue;
        const updated = await Enrollment.findOneAndUpdate(
          { userId: new Types.ObjectId(userId), courseSlug },
          { $set: { attendedSessions: count } },
          { returnDocument: 'after', lean: true },
        );
        if (updated) await evaluateCompletion(updated as unknown as StoredEnrollment, course);
      }
    },

    /**
     * At start-up: completions recorded but not yet handed to every subscriber (the
     * process died in between) are published again. Subscribers are idempotent.
     */
    async republishPendingCompletions(): Promise<number> {
      const pending = await Enrollment.find({ status: 'completed', completionPublishedAt: null }).lean<StoredEnrollment[]>();
      for (const enrollment of pending) await publishCompletion(enrollment);
      return pending.length;
    },

    /**
     * At start-up: a process that died between taking a seat and writing the enrollment
     * left a seat taken by nobody. Each cohort's count is set back to its enrollments.
     */
    async reconcileCohortCounts(): Promise<void> {
      const counts = await Enrollment.aggregate<{ _id: Types.ObjectId; count: number }>([
        { $match: { cohortId: { $ne: null } } },
        { $group: { _id: '$cohortId', count: { $sum: 1 } } },
      ]);
      const byCohort = new Map(counts.map((entry) => [entry._id.toHexString(), entry.count]));
      for (const cohort of await Cohort.find({}, { enrolledCount: 1 }).lean<StoredCohort[]>()) {
        const actual = byCohort.get(cohort._id.toHexString()) ?? 0;
        if (actual !== cohort.enrolledCount) await Cohort.updateOne({ _id: cohort._id }, { $set: { enrolledCount: actual } });
      }
    },

    /** The participation statistics' counts (participation-counts.ts). */
    countParticipation,
    countByMonth,

    /**
     * Whether the person holds a valid certificate for the course, as the certificates
     * module says after each issuance or revocation. Setting the same value again
     * changes nothing; a certificate without an enrollment (issued by hand) has nothing to mark.
     */
    async setCertified(userId: string, courseSlug: string, isCertified: boolean): Promise<void> {
      if (!Types.ObjectId.isValid(userId)) return;
      await Enrollment.updateOne({ userId: new Types.ObjectId(userId), courseSlug, certified: { $ne: isCertified } }, { $set: { certified: isCertified } });
    },

    /**
     * At start-up: a process that died between a certificate write and setCertified left
     * the mark wrong. `certifiedPairs` are the people and courses with a valid
     * certificate; only the marks that differ are written.
     */
    async reconcileCertified(certifiedPairs: Iterable<{ userId: string; courseSlug: string }>): Promise<{ marked: number; cleared: number }> {
      const shouldBe = new Map<string, { userId: string; courseSlug: string }>();
      for (const pair of certifiedPairs) shouldBe.set(`${pair.userId}:${pair.courseSlug}`, pair);
      const marked = await Enrollment.find({ certified: true }, { userId: 1, courseSlug: 1 }).lean<Array<{ _id: Types.ObjectId; userId: Types.ObjectId; courseSlug: string }>>();
      const isMarked = new Set(marked.map((enrollment) => `${enrollment.userId.toHexString()}:${enrollment.courseSlug}`));
      const toClear = marked.filter((enrollment) => !shouldBe.has(`${enrollment.userId.toHexString()}:${enrollment.courseSlug}`)).map((enrollment) => enrollment._id);
      const toMark = [...shouldBe].filter(([key]) => !isMarked.has(key)).map(([, pair]) => pair);
      if (toClear.length > 0) await Enrollment.updateMany({ _id: { $in: toClear } }, { $set: { certified: false } });
      let markedCount = 0;
      if (toMark.length > 0) {
        const result = await Enrollment.bulkWrite(
          toMark.map(({ userId, courseSlug }) => ({ updateOne: { filter: { userId: new Types.ObjectId(userId), courseSlug }, update: { $set: { certified: true } } } })),
          { ordered: false },
        );
        markedCount = result.modifiedCount;
      }
      return { marked: markedCount, cleared: toClear.length };
    },

    /** Who is enrolled, how far they are and how many live sessions they attended (facilitators of the course, managers). */
    async courseEnrollments(courseSlug: string, cohortId?: string): Promise<CourseEnrollmentView[]> {
      const course = await deps.courses.getCourse(courseSlug);
      const filter: Record<string, unknown> = { courseSlug };
      if (cohortId) {
        if (!Types.ObjectId.isValid(cohortId)) throw new AppError('validation_failed', 'Invalid cohort.', { fields: { cohort: 'validation.invalid' } });
        filter.cohortId = new Types.ObjectId(cohortId);
      }
      const enrollments = await Enrollment.find(filter).sort({ enrolledAt: 1 }).lean<StoredEnrollment[]>();
      const contacts = await deps.contactsOf(enrollments.map((enrollment) => enrollment.userId.toHexString()));
      return enrollments.map((enrollment) => {
        const contact = contacts.get(enrollment.userId.toHexString());
        return { ...view(enrollment, course), name: contact?.name ?? '', email: contact?.email ?? null, attendedSessions: enrollment.attendedSessions ?? 0 };
      });
    },
  };
}

export type EnrollmentsService = ReturnType<typeof createEnrollmentsService>;
