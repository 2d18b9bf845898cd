import { MongoBulkWriteError, type Db, type Document, type ObjectId } from 'mongodb';
import type { Connection } from 'mongoose';
import { newCertificateCode, searchableText } from '../certificates/index.js';
import type { CourseView, CoursesService } from '../courses/index.js';
import { ageBandOf } from '../shared/age-band.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';
import { accountSchemas } from '../accounts/index.js';
import type { Clock } from '../shared/clock.js';
import { personFactory, DEMO_EMAIL_DOMAIN, type DemoPerson } from './people.js';
import { seededRandom, weighted, type Random } from './random.js';

/**
 * Synthetic learners with a year of history: enrollments in the imported courses with
 * their profile snapshot, progress, quiz attempts, live-session attendance and
 * certificates, written in bulk straight to the collections (mongoose validation and
 * the services' one-by-one writes would take hours for 100,000 people).
 *
 * Every document written carries `demo: true`, which is how removeDemoData finds them
 * and the only thing it deletes. What the app would do after such facts is recorded as
 * done (completions published, passes recorded, certificates mailed), so that starting
 * the server does not announce 50,000 completions or mail 50,000 PDFs.
 */

export { DEMO_EMAIL_DOMAIN };

/** The collections the generator writes (as the modules' models name them). */
export const DEMO_COLLECTIONS = ['users', 'cohorts', 'enrollments', 'quiz_attempts', 'live_sessions', 'certificates'] as const;

/**
 * No one can sign in as a demo person: argon2 refuses this as a hash, so the login check
 * answers "wrong password" (hashing 100,000 real passwords would take half an hour).
 */
const UNUSABLE_PASSWORD_HASH = '!demo-account-without-password';

const DAY = 86_400_000;
const HISTORY_DAYS = 365;
const WRITE_BATCH = 5_000;

export interface DemoDataDependencies {
  connection: Connection;
  courses: CoursesService;
  /** What certificates print as issuer (settings). */
  institution(): Promise<{ name: string; city: string }>;
  clock: Clock;
}

export interface DemoDataOptions {
  learners: number;
  seed: number;
  onProgress?(learnersWritten: number): void;
}

export interface DemoSummary {
  learners: number;
  women: number;
  enrollments: number;
  completed: number;
  quizAttempts: number;
  liveSessions: number;
  attendances: number;
  certificates: number;
  cohorts: number;
}

type ProgressItem =
  | { kind: 'lesson'; slug: string }
  | { kind: 'quiz'; moduleSlug: string; quizId: string; questionEase: Array<{ id: string; ease: number }>; passingScore: number; timeLimitMinutes: number | null };

interface SessionPlan {
  _id: ObjectId;
  startsAt: Date;
  title: string;
  attendees: ObjectId[];
}

interface CohortPlan {
  _id: ObjectId;
  name: string;
  enrollmentOpensAt: Date;
  enrollmentClosesAt: Date;
  startsAt: Date;
  endsAt: Date;
  enrolledCount: number;
}

interface CoursePlan {
  course: CourseView;
  items: ProgressItem[];
  sessions: SessionPlan[];
  /** Only for courses taken in cohorts. */
  cohorts: CohortPlan[] | null;
}

function db(connection: Connection): Db {
  if (!connection.db) throw new Error('the database connection is not open');
  return connection.db;
}

export async function hasDemoData(connection: Connection): Promise<boolean> {
  return (await db(connection).collection('users').countDocuments({ demo: true }, { limit: 1 })) > 0;
}

/** Deletes the documents marked `demo: true`, and nothing else; returns how many per collection. */
export async function removeDemoData(connection: Connection): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const name of DEMO_COLLECTIONS) removed[name] = (await db(connection).collection(name).deleteMany({ demo: true })).deletedCount;
  return removed;
}

/** Inserts in batches, unordered, without mongoose: the write path is the cost here. */
async function insertAll(database: Db, name: string, documents: Document[]): Promise<void> {
  for (let start = 0; start < documents.length; start += WRITE_BATCH) {
    await database.collection(name).insertMany(documents.slice(start, start + WRITE_BATCH), { ordered: false });
  }
}

/** Certificates draw random codes (2^40 of them); the rare code already taken is drawn again. */
async function insertCertificates(database: Db, certificates: Document[]): Promise<void> {
  let pending = certificates;
  for (let draw = 1; pending.length > 0; draw += 1) {
    try {
      await insertAll(database, 'certificates', pending);
      return;
    } catch (error) {
      const taken = error instanceof MongoBulkWriteError ? error.writeErrors : [];
      const writeErrors = Array.isArray(taken) ? taken : [taken];
      if (draw >= 5 || writeErrors.length === 0 || writeErrors.some((writeError) => !isDuplicateKey(writeError))) throw error;
      pending = writeErrors.map((writeError) => {
        const certificate = pending[writeError.index]!;
        const code = newCertificateCode();
        const holder = certificate.holder as { fullName: string; documentNumber: string };
        return { ...certificate, code, searchText: searchableText(`${holder.fullName} ${holder.documentNumber} ${code}`) };
      });
    }
  }
}

async function planCourses(deps: DemoDataDependencies, random: Random, now: Date): Promise<CoursePlan[]> {
  const plans: CoursePlan[] = [];
  for (const entry of await deps.courses.listCourses()) {
    const course = await deps.courses.getCourse(entry.slug);
    const items: ProgressItem[] = [];
    for (const module of course.modules) {
      for (const lesson of module.lessons) items.push({ kind: 'lesson', slug: lesson.slug });
      if (module.quiz) {
        const quiz = await deps.courses.getQuiz(module.quiz.id);
        items.push({
          kind: 'quiz',
          moduleSlug: module.slug,
          quizId: quiz.id,
          // Some questions are harder than others, so the quiz reports show a spread.
          questionEase: quiz.questions.map((question) => ({ id: question.id, ease: 0.55 + random.next() * 0.4 })),
          passingScore: quiz.settings.passingScore,
          timeLimitMinutes: quiz.settings.timeLimitMinutes ?? null,
        });
      }
    }
    // A live session every two weeks over the year, at 10:00 in Bogotá (15:00 UTC).
    const sessions: SessionPlan[] = [];
    for (let day = HISTORY_DAYS - 3; day > 0; day -= 14) {
      const startsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day, 15));
      const module = course.modules[sessions.length % course.modules.length];
      sessions.push({
        _id: random.objectId(new Date(startsAt.getTime() - 14 * DAY)),
        startsAt,
        title: `Encuentro en vivo ${sessions.length + 1}${module ? `: ${module.title}` : ''}`,
        attendees: [],
      });
    }
    // Cohorts every ten weeks, each open for enrollment six weeks.
    const cohorts =
      course.enrollment === 'cohort_only'
        ? Array.from({ length: 5 }, (_, index): CohortPlan => {
            const enrollmentOpensAt = new Date(now.getTime() - (HISTORY_DAYS - index * 70) * DAY);
            const enrollmentClosesAt = new Date(enrollmentOpensAt.getTime() + 42 * DAY);
            return {
              _id: random.objectId(enrollmentOpensAt),
              name: `Cohorte ${index + 1} · ${enrollmentOpensAt.toLocaleDateString('es-CO', { month: 'long', year: 'numeric', timeZone: 'America/Bogota' })}`,
              enrollmentOpensAt,
              enrollmentClosesAt,
              startsAt: enrollmentClosesAt,
              endsAt: new Date(enrollmentClosesAt.getTime() + 90 * DAY),
              enrolledCount: 0,
            };
          })
        : null;
    plans.push({ course, items, sessions, cohorts });
  }
  return plans;
}

/** The profile an enrollment copies, as the enrollments service takes it (the age band on the day). */
export function profileSnapshotOf(person: DemoPerson, at: Date): Document {
  return {
    sex: person.sex,
    departmentCode: person.departmentCode,
    municipalityCode: person.municipalityCode,
    ageBand: ageBandOf(person.birthDate, at),
    actorType: person.actorType,
    ...(person.ethnicGroup ? { ethnicGroup: person.ethnicGroup } : {}),
    ...(person.disability ? { disability: person.disability } : {}),
    ...(person.migrationStatus ? { migrationStatus: person.migrationStatus } : {}),
  };
}

/** Marks per question for one attempt, nudged to land on the side of the pass mark asked for. */
function gradedFractions(random: Random, quiz: Extract<ProgressItem, { kind: 'quiz' }>, passed: boolean): Document {
  const marks = quiz.questionEase.map(({ ease }) => (random.chance(ease) ? 1 : 0));
  const scoreOf = (): number => (marks.length === 0 ? 100 : Math.round((marks.reduce((sum: number, mark) => sum + mark, 0) / marks.length) * 1000) / 10);
  for (let index = 0; index < marks.length && scoreOf() >= quiz.passingScore !== passed; index += 1) marks[index] = passed ? 1 : 0;
  const score = scoreOf();
  return {
    score,
    passed: score >= quiz.passingScore,
    correctCount: marks.filter((mark) => mark === 1).length,
    questionCount: marks.length,
    fractions: Object.fromEntries(quiz.questionEase.map(({ id }, index) => [id, marks[index]!])),
  };
}

const learnerCoursesCount = weighted({ one: 60, two: 28, three: 12 });
const COURSE_COUNTS = { one: 1, two: 2, three: 3 } as const;
const failedAttemptsBeforePass = weighted({ none: 75, one: 20, two: 5 });
const FAILURES = { none: 0, one: 1, two: 2 } as const;

export async function generateDemoData(deps: DemoDataDependencies, options: DemoDataOptions): Promise<DemoSummary> {
  const database = db(deps.connection);
  // The app's models are compiled by now (buildServices); their unique indexes must exist
  // before the bulk writes, so that these are checked as the app's own writes are.
  await Promise.all(Object.values(deps.connection.models).map((model) => model.createIndexes()));
  const random = seededRandom(options.seed);
  // History ends at the start of today (UTC), so a seed gives the same data all day long.
  const today = deps.clock.now();
  const now = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const institution = await deps.institution();
  const plans = await planCourses(deps, random, now);
  if (plans.length === 0) throw new Error('no courses imported: run npm run courses:import first');
  const popularity = weighted(Object.fromEntries(plans.map((plan, index) => [String(index), plan.course.enrollment === 'cohort_only' ? 15 : 30])));
  const induction = plans.find((plan) => plan.course.enrollment === 'cohort_only');
  const people = personFactory();

  const summary: DemoSummary = { learners: 0, women: 0, enrollments: 0, completed: 0, quizAttempts: 0, liveSessions: 0, attendances: 0, certificates: 0, cohorts: 0 };
  // One round per batch of learners: their documents are written, then let go.
  for (let first = 0; first < options.learners; first += WRITE_BATCH) {
    const users: Document[] = [];
    const enrollments: Document[] = [];
    const attempts: Document[] = [];
    const certificates: Document[] = [];
    for (let index = first; index < Math.min(first + WRITE_BATCH, options.learners); index += 1) {
      const person = people.person(index + 1, random, now);
      // Spouses of mayors and governors come for the induction course first.
      const chosen = new Set<CoursePlan>(person.actorType.startsWith('spouse_of_') && induction ? [induction] : []);
      const wanted = Math.min(COURSE_COUNTS[learnerCoursesCount(random)], plans.length);
      while (chosen.size < wanted) chosen.add(plans[Number(popularity(random))]!);

      const entries = [...chosen].map((plan) => {
        if (!plan.cohorts) return { plan, cohort: null, enrolledAt: new Date(now.getTime() - random.next() * HISTORY_DAYS * DAY) };
        const cohort = random.pick(plan.cohorts);
        const windowMs = Math.min(cohort.enrollmentClosesAt.getTime(), now.getTime()) - cohort.enrollmentOpensAt.getTime();
        cohort.enrolledCount += 1;
        return { plan, cohort, enrolledAt: new Date(cohort.enrollmentOpensAt.getTime() + random.next() * windowMs) };
      });
      const registeredAt = new Date(Math.min(...entries.map(({ enrolledAt }) => enrolledAt.getTime())) - random.next() * 3 * DAY);
      const userId = random.objectId(registeredAt);
      let lastActivityAt = registeredAt;

      for (const { plan, cohort, enrolledAt } of entries) {
        const enrollmentId = random.objectId(enrolledAt);
        const elapsedDays = (now.getTime() - enrolledAt.getTime()) / DAY;
        const minSessions = plan.course.completion.minLiveSessionsAttended;
        const sessionsSince = plan.sessions.filter((session) => session.startsAt > enrolledAt && session.startsAt < now);

        // About 60 % of those enrolled two months or more ago have finished; fewer of the newcomers.
        let completedAt: Date | null = null;
        if (random.chance(0.6 * Math.min(1, elapsedDays / 60))) {
          completedAt = new Date(enrolledAt.getTime() + random.between(7, Math.max(7, Math.min(90, Math.floor(elapsedDays)))) * DAY);
          // A course asking for live sessions is finished only after the last one it needs.
          const needed = sessionsSince[minSessions - 1];
          if (minSessions > 0 && (!needed || needed.startsAt > completedAt)) completedAt = needed ? new Date(needed.startsAt.getTime() + random.next() * 7 * DAY) : null;
          if (completedAt && completedAt > now) completedAt = null;
        }
        const isCompleted = completedAt !== null;
        const doneCount = isCompleted ? plan.items.length : random.chance(0.25) ? 0 : random.int(plan.items.length);
        const activityEnd = completedAt ?? new Date(enrolledAt.getTime() + random.next() * (now.getTime() - enrolledAt.getTime()));

        // Attendance: the sessions held while they were taking the course.
        const attended = sessionsSince.filter((session) => session.startsAt <= activityEnd && random.chance(0.35));
        if (isCompleted && attended.length < minSessions) attended.splice(0, attended.length, ...sessionsSince.slice(0, minSessions));
        const attends = attended.length >= minSessions && (minSessions > 0 || random.chance(0.45));
        const attendedSessions = attends ? attended : [];
        for (const session of attendedSessions) session.attendees.push(userId);

        const completedLessons: string[] = [];
        const passedQuizzes: string[] = [];
        // Items are done in order, spread over the time they spent on the course.
        const timeOf = (itemIndex: number): Date =>
          new Date(enrolledAt.getTime() + ((itemIndex + 1) / (doneCount + 1)) * (activityEnd.getTime() - enrolledAt.getTime()));
        const attemptsAt = (quiz: Extract<ProgressItem, { kind: 'quiz' }>, at: Date, failures: number, passes: boolean): void => {
          for (let number = 1; number <= failures + (passes ? 1 : 0); number += 1) {
            const startedAt = new Date(at.getTime() - (failures + 1 - number) * 3_600_000 - 30 * 60_000);
            const submittedAt = new Date(startedAt.getTime() + random.between(4, 25) * 60_000);
            const isPass = passes && number === failures + 1;
            attempts.push({
              _id: random.objectId(startedAt),
              userId,
              quizId: quiz.quizId,
              courseSlug: plan.course.slug,
              moduleSlug: quiz.moduleSlug,
              number,
              status: 'submitted',
              startedAt,
              expiresAt: quiz.timeLimitMinutes ? new Date(startedAt.getTime() + quiz.timeLimitMinutes * 60_000) : null,
              passingScore: quiz.passingScore,
              // The questions asked and answers given are left out: a few KB per attempt,
              // gigabytes for 100,000 people. Results carry the marks per question.
              questions: [],
              answers: {},
              result: gradedFractions(random, quiz, isPass),
              submittedAt,
              passRecordedAt: isPass ? submittedAt : null,
              demo: true,
            });
          }
        };
        let lastLessonSlug: string | undefined;
        plan.items.slice(0, doneCount).forEach((item, itemIndex) => {
          if (item.kind === 'lesson') {
            completedLessons.push(item.slug);
            lastLessonSlug = item.slug;
          } else {
            passedQuizzes.push(item.moduleSlug);
            attemptsAt(item, timeOf(itemIndex), FAILURES[failedAttemptsBeforePass(random)], true);
          }
        });
        // Some stopped at a quiz they did not pass (yet).
        const next = plan.items[doneCount];
        if (!isCompleted && next?.kind === 'quiz' && random.chance(0.5)) attemptsAt(next, activityEnd, random.between(1, 2), false);

        // Half of those with nothing done never opened a lesson either: no activity at all.
        const enrollmentActivity = doneCount > 0 ? activityEnd : random.chance(0.5) ? new Date(enrolledAt.getTime() + random.next() * DAY) : undefined;
        if (enrollmentActivity && enrollmentActivity > lastActivityAt) lastActivityAt = enrollmentActivity;
        const hasCertificate = completedAt !== null && plan.course.certificate.enabled;
        enrollments.push({
          _id: enrollmentId,
          userId,
          courseSlug: plan.course.slug,
          cohortId: cohort?._id ?? null,
          status: isCompleted ? 'completed' : 'active',
          enrolledAt,
          enrolledBy: random.chance(0.2) ? 'manager' : 'self',
          completedLessons,
          passedQuizzes,
          attendedSessions: attendedSessions.length,
          ...(lastLessonSlug ? { lastLessonSlug } : {}),
          ...(enrollmentActivity ? { lastActivityAt: enrollmentActivity } : {}),
          ...(completedAt ? { completedAt, completionPublishedAt: completedAt } : {}),
          certified: hasCertificate,
          profile: profileSnapshotOf(person, enrolledAt),
          demo: true,
        });
        summary.enrollments += 1;
        if (isCompleted) summary.completed += 1;
        summary.attendances += attendedSessions.length;

        if (completedAt && hasCertificate) {
          const code = newCertificateCode();
          const fullName = `${person.givenName} ${person.familyName}`;
          const key = `${userId.toHexString()}:${plan.course.slug}`;
          certificates.push({
            _id: random.objectId(completedAt),
            code,
            userId,
            courseSlug: plan.course.slug,
            enrollmentId,
            cohortId: cohort?._id ?? null,
            status: 'valid',
            autoIssueKey: key,
            currentKey: key,
            holder: { fullName, documentType: person.documentType, documentNumber: person.documentNumber },
            course: { title: plan.course.title, hours: plan.course.hours },
            signatories: plan.course.certificate.signatories,
            institutionName: institution.name,
            city: institution.city,
            completedAt,
            issuedAt: new Date(completedAt.getTime() + random.between(1, 300) * 1000),
            issueReason: 'completion',
            issuedBy: null,
            issueNote: null,
            replaces: null,
            replacedBy: null,
            revokedAt: null,
            revokedBy: null,
            revokedReason: null,
            mailPending: false,
            searchText: searchableText(`${fullName} ${person.documentNumber} ${code}`),
            demo: true,
          });
        }
      }

      users.push({
        _id: userId,
        email: person.email,
        passwordHash: UNUSABLE_PASSWORD_HASH,
        roles: ['learner'],
        status: 'active',
        givenName: person.givenName,
        familyName: person.familyName,
        documentType: person.documentType,
        documentNumber: person.documentNumber,
        sex: person.sex,
        birthDate: person.birthDate,
        phone: person.phone,
        departmentCode: person.departmentCode,
        municipalityCode: person.municipalityCode,
        organization: person.organization,
        position: person.position,
        actorType: person.actorType,
        ...(person.ethnicGroup ? { ethnicGroup: person.ethnicGroup } : {}),
        ...(person.disability ? { disability: person.disability } : {}),
        ...(person.migrationStatus ? { migrationStatus: person.migrationStatus } : {}),
        consents: [{ policyVersion: accountSchemas.PRIVACY_POLICY_VERSION, acceptedAt: registeredAt, source: 'registration' }],
        locale: 'es',
        emailVerifiedAt: new Date(registeredAt.getTime() + random.between(1, 120) * 60_000),
        lastLoginAt: lastActivityAt,
        createdAt: registeredAt,
        updatedAt: lastActivityAt,
        demo: true,
      });
      summary.learners += 1;
      if (person.sex === 'female') summary.women += 1;
    }
    await insertAll(database, 'users', users);
    await insertAll(database, 'enrollments', enrollments);
    await insertAll(database, 'quiz_attempts', attempts);
    await insertCertificates(database, certificates);
    summary.quizAttempts += attempts.length;
    summary.certificates += certificates.length;
    options.onProgress?.(summary.learners);
  }

  // Sessions and cohorts last: their attendee lists and seat counts are complete only now.
  const facilitatorId = await demoFacilitator(database, random, now);
  const sessions = plans.flatMap((plan) =>
    plan.sessions.map((session) => ({
      _id: session._id,
      courseSlug: plan.course.slug,
      cohortId: null,
      facilitatorId,
      title: session.title,
      startsAt: session.startsAt,
      endsAt: new Date(session.startsAt.getTime() + 2 * 3_600_000),
      modality: 'virtual',
      meetingUrl: `https://meet.${DEMO_EMAIL_DOMAIN}/${plan.course.slug}-${session.startsAt.toISOString().slice(0, 10)}`,
      venue: null,
      municipalityCode: null,
      capacity: null,
      agenda: [],
      status: 'scheduled',
      sequence: 0,
      yesCount: 0,
      noCount: 0,
      seriesId: null,
      attendees: session.attendees,
      attendanceSavedAt: new Date(session.startsAt.getTime() + 3 * 3_600_000),
      noticesPending: false,
      remindersDue: [],
      createdAt: new Date(session.startsAt.getTime() - 14 * DAY),
      updatedAt: new Date(session.startsAt.getTime() + 3 * 3_600_000),
      demo: true,
    })),
  );
  await insertAll(database, 'live_sessions', sessions);
  summary.liveSessions = sessions.length;
  const cohorts = plans.flatMap((plan) =>
    (plan.cohorts ?? []).map((cohort) => ({ ...cohort, courseSlug: plan.course.slug, capacity: null, targetDepartments: [], createdAt: new Date(cohort.enrollmentOpensAt.getTime() - 7 * DAY), demo: true })),
  );
  await insertAll(database, 'cohorts', cohorts);
  summary.cohorts = cohorts.length;
  return summary;
}

/** Live sessions need a facilitator: one demo account, who cannot sign in either. */
async function demoFacilitator(database: Db, random: Random, now: Date): Promise<ObjectId> {
  const createdAt = new Date(now.getTime() - (HISTORY_DAYS + 30) * DAY);
  const _id = random.objectId(createdAt);
  await database.collection('users').insertOne({
    _id,
    email: `facilitacion@${DEMO_EMAIL_DOMAIN}`,
    passwordHash: UNUSABLE_PASSWORD_HASH,
    roles: ['facilitator'],
    status: 'active',
    givenName: 'Equipo',
    familyName: 'de Facilitación',
    consents: [],
    locale: 'es',
    createdAt,
    updatedAt: createdAt,
    demo: true,
  });
  return _id;
}
