import type { i18n } from 'i18next';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import { createAccounts, type Accounts, type ExportSection } from './accounts/index.js';
import { createCertificatesService, type CertificatesService } from './certificates/index.js';
import { createCoursesService, type CoursesService } from './courses/index.js';
import { createEnrollmentsService, type EnrollmentsService } from './enrollments/index.js';
import { createEventBus, type EventBus } from './shared/events.js';
import { createCalendarFeedService, createLiveSessionsService, type CalendarFeedService, type LiveSessionsService } from './live-sessions/index.js';
import { createNotifications, type Notifications } from './notifications/index.js';
import {
  createQuestionBankService,
  createQuizReportService,
  createQuizzesService,
  type QuestionBankService,
  type QuizReportService,
  type QuizzesService,
} from './quizzes/index.js';
import type { PeriodicJob } from './jobs/index.js';
import { createRateLimiter, type RateLimiter } from './rate-limits/index.js';
import { createSettingsService, type SettingsService } from './settings/index.js';
import { createStatisticsService, type StatisticsService } from './reports/index.js';
import { systemClock, type Clock } from './shared/clock.js';
import { isAppError } from './shared/errors.js';
import type { Logger } from './shared/logger.js';
import { createI18n } from './web/i18n.js';

/**
 * The composition root: every service built once, explicitly, with its dependencies
 * (ARCHITECTURE.md rule 5). server.ts and the tests call this; nothing is built at
 * import time.
 */
export interface Services {
  clock: Clock;
  i18n: i18n;
  notifications: Notifications;
  rateLimiter: RateLimiter;
  accounts: Accounts;
  courses: CoursesService;
  events: EventBus;
  enrollments: EnrollmentsService;
  quizzes: QuizzesService;
  questionBank: QuestionBankService;
  quizReports: QuizReportService;
  liveSessions: LiveSessionsService;
  calendarFeed: CalendarFeedService;
  certificates: CertificatesService;
  settings: SettingsService;
  statistics: StatisticsService;
  /** What the job scheduler runs (server.ts starts it). */
  jobs: PeriodicJob[];
  /** Finishes what requests that failed half-way left undone (idempotent). */
  repairHalfDoneRequests(): Promise<void>;
}

export interface ServiceDependencies {
  config: Readonly<Config>;
  logger: Logger;
  database: Database;
  clock?: Clock;
}

export function buildServices({ config, logger, database, clock = systemClock }: ServiceDependencies): Services {
  const i18n = createI18n();
  const { connection } = database;
  const notifications = createNotifications({ connection, config, logger, clock });
  const rateLimiter = createRateLimiter(connection, clock);
  const settings = createSettingsService({ connection, config, clock });
  // Filled below, once the modules that hold personal data exist: the data export asks each.
  const exportSections: ExportSection[] = [];
  const accounts = createAccounts({
    connection,
    mailer: notifications.mailer,
    rateLimiter,
    clock,
    config,
    i18n,
    logger,
    exportSections,
  });
  const courses = createCoursesService({
    connection,
    clock,
    i18n,
    coursesDir: config.coursesDir,
    areUsers: (ids) => accounts.service.unknownUserIds(ids),
  });
  const events = createEventBus(logger);
  const enrollments = createEnrollmentsService({
    connection,
    courses,
    profileOf: async (userId) => {
      const actor = await accounts.service.actorFor(userId);
      return actor ? accounts.service.getProfile(userId) : undefined;
    },
    unknownUserIds: (ids) => accounts.service.unknownUserIds(ids),
    contactsOf: (ids) => accounts.service.contactsOf(ids),
    events,
    // Late-bound: certificates is built below, from enrollments.
    certificateCodesOf: async (userId) =>
      new Map((await certificates.myCertificates({ id: userId })).filter(({ status }) => status === 'valid').map(({ courseSlug, code }) => [courseSlug, code])),
    clock,
    logger,
  });
  const quizzes = createQuizzesService({ connection, clock, courses, enrollments });
  const questionBank = createQuestionBankService({ connection, clock, courses });
  const quizReports = createQuizReportService({ connection, courses, contactsOf: (ids) => accounts.service.contactsOf(ids) });
  const liveSessions = createLiveSessionsService({
    connection,
    courses,
    enrollments,
    contactsOf: (ids) => accounts.service.contactsOf(ids),
    mailer: notifications.mailer,
    i18n,
    baseUrl: config.baseUrl,
    institutionName: async () => (await settings.institution()).name,
    clock,
    logger,
  });
  const calendarFeed = createCalendarFeedService({
    connection,
    courses,
    enrollments,
    actorFor: (userId) => accounts.service.actorFor(userId),
    secret: config.sessionSecret,
    baseUrl: config.baseUrl,
    rateLimiter,
    clock,
  });
  const certificates = createCertificatesService({
    connection,
    courses,
    enrollments,
    // Deactivated holders keep their certificates; only an anonymised account has no profile.
    profileOf: (userId) =>
      accounts.service.getProfile(userId).catch((error: unknown) => {
        if (isAppError(error) && error.code === 'not_found') return undefined;
        throw error;
      }),
    contactsOf: (ids) => accounts.service.contactsOf(ids),
    institution: () => settings.institution(),
    mailer: notifications.mailer,
    rateLimiter,
    i18n,
    baseUrl: config.baseUrl,
    coursesDir: config.coursesDir,
    clock,
    logger,
  });
  events.subscribe('enrollment.completed', async (completion) => {
    await certificates.issueOnCompletion(completion);
  });
  exportSections.push(
    { name: 'enrollments', collect: (userId) => enrollments.myEnrollments(userId) },
    {
      name: 'quizAttempts',
      collect: async (userId) => (await quizzes.myAttempts({ id: userId, email: '', roles: ['learner'] }, { limit: 100_000 })).items,
    },
    { name: 'certificates', collect: (userId) => certificates.personalDataOf(userId) },
  );
  const statistics = createStatisticsService({ enrollments, courses });
  // A request can fail half-way while the process lives on (the database dropped out
  // between a pass and its recording, a completion and its announcement, a registration
  // and its verification mail). These idempotent repairs run at start-up, when a cluster
  // worker dies, and every minute, so nothing waits for a restart.
  const repairHalfDoneRequests = async (): Promise<void> => {
    await accounts.auth.sendPendingWelcomeMails();
    await quizzes.recordPendingPasses();
    await enrollments.republishPendingCompletions();
  };
  const repairs: PeriodicJob = { name: 'repairs:half-done-requests', intervalMs: 60_000, run: repairHalfDoneRequests };
  const jobs = [...liveSessions.jobs, ...certificates.jobs, repairs];
  return { clock, i18n, notifications, rateLimiter, accounts, courses, events, enrollments, quizzes, questionBank, quizReports, liveSessions, calendarFeed, certificates, settings, statistics, jobs, repairHalfDoneRequests };
}
