import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { courseFilesRouter, coursePagesRouter, coursesApiRouter } from './courses/index.js';
import { enrollmentPagesRouter, enrollmentsApiRouter, peoplePagesRouter } from './enrollments/index.js';
import { liveSessionPagesRouter, liveSessionsApiRouter, upcomingSessionLinks } from './live-sessions/index.js';
import { questionBankApiRouter, questionBankPagesRouter, quizPagesRouter, quizReportApiRouter, quizReportPagesRouter, quizzesApiRouter } from './quizzes/index.js';
import { accountsApiRouter, accountsWebRouter, adminUsersWebRouter, consentGate } from './accounts/index.js';
import { certificateAdminPagesRouter, certificateLinks, certificatePagesRouter, certificatesApiRouter } from './certificates/index.js';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import { buildServices, type Services } from './services.js';
import type { Logger } from './shared/logger.js';
import { adminSettingsWebRouter, institutionLogoRouter, LOGO_LIMITS, LOGO_UPLOAD_PATH } from './settings/index.js';
import { statisticsApiRouter, statisticsPagesRouter } from './reports/index.js';
import { territoriesApiRouter } from './territories/index.js';
import { bearerAuthentication } from './web/bearer.js';
import { errorHandler, notFound } from './web/errors.js';
import { authorize } from './web/guards.js';
import { observeDatabaseErrors, refuseWhileDatabaseUnreachable } from './web/database-gate.js';
import { healthRouter } from './web/health.js';
import { publicFiles } from './web/public-files.js';
import { homeRouter } from './web/home.web.js';
import { i18nMiddleware } from './web/i18n.js';
import { createWebPassport } from './web/passport.js';
import { configureViews } from './web/views.js';
import { endSessionsOf } from './web/session.js';
import { webShell } from './web/web-shell.js';

export interface AppDependencies {
  config: Readonly<Config>;
  logger: Logger;
  database: Database;
  /** Built by the caller when it also needs them (server.ts starts mail delivery). */
  services?: Services;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;
/**
 * Secrets that travel in URLs stay out of the request log: a calendar-feed address is a
 * bearer secret (src/live-sessions/README.md), and mailed links carry `?token=`.
 */
function redactedUrl(url: string | undefined): string | undefined {
  return url?.replace(/(\/calendar-feeds\/)[^/?#]+/, '$1[redacted]').replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

/** Builds the Express application from its dependencies; it does not listen. */
export function createApp({ config, logger, database, services = buildServices({ config, logger, database }) }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ? 1 : false);
  configureViews(app, `${projectRoot}views`);

  app.use(
    pinoHttp({
      logger,
      genReqId: (request, response) => {
        const given = request.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        response.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (request) => request.url === '/healthz' },
      // The URL without its secrets, and not the parsed query or params, which would repeat them.
      serializers: { req: ({ query: _query, params: _params, ...request }: { url?: string; query?: unknown; params?: unknown }) => ({ ...request, url: redactedUrl(request.url) }) },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'self'"],
          upgradeInsecureRequests: config.trustProxy ? [] : null,
        },
      },
    }),
  );
  app.use(publicFiles(`${projectRoot}public`, { maxAge: config.env === 'production' ? '1d' : 0, index: false }));
  app.use(i18nMiddleware(services.i18n));

  app.use(healthRouter(database));
  app.use(courseFilesRouter(config.coursesDir));
  app.use(refuseWhileDatabaseUnreachable(database.availability));
  app.use(institutionLogoRouter(services.settings));

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(bearerAuthentication((token) => services.accounts.auth.actorForToken(token)));
  api.use(accountsApiRouter(services.accounts));
  api.use(territoriesApiRouter());
  api.use(coursesApiRouter(services.courses));
  api.use(enrollmentsApiRouter(services.enrollments, services.courses));
  api.use(quizzesApiRouter(services.quizzes));
  api.use(questionBankApiRouter(services.questionBank));
  api.use(quizReportApiRouter(services.quizReports));
  api.use(liveSessionsApiRouter(services.liveSessions, services.calendarFeed));
  api.use(certificatesApiRouter(services.certificates));
  const statisticsApi = statisticsApiRouter(services.statistics, services.clock, {
    courses: services.courses,
    cohorts: services.enrollments,
    institution: () => services.settings.institution(),
  });
  api.use(statisticsApi);
  api.use(notFound);
  app.use('/api/v1', api);

  // The HTML pages, behind the web shell (session, sign-in, CSRF, flash, view locals).
  const passport = createWebPassport(services.accounts);
  const web = express.Router();
  web.use(webShell({ config, connection: database.connection, passport, largeFormPaths: ['/admin/users/import'], uploadPaths: { [LOGO_UPLOAD_PATH]: LOGO_LIMITS.maxBytes } }));
  web.use(consentGate);
  web.use(homeRouter());
  web.use(
    accountsWebRouter({
      accounts: services.accounts,
      passport,
      rateLimiter: services.rateLimiter,
      logger,
      institution: { name: config.institutionName, contactEmail: config.privacyContactEmail },
      endSessionsOf: (userId) => endSessionsOf(database.connection, userId),
      calendarFeed: { feedUrl: (userId) => services.calendarFeed.feedUrl(userId), resetFeedUrl: (userId) => services.calendarFeed.resetFeedUrl(userId) },
    }),
  );
  const liveSessionLinks = upcomingSessionLinks(services.liveSessions);
  const myCertificateLinks = certificateLinks(services.certificates);
  web.use(coursePagesRouter({ courses: services.courses, learners: services.enrollments, liveSessions: liveSessionLinks, certificates: myCertificateLinks, clock: services.clock }));
  web.use(enrollmentPagesRouter({ enrollments: services.enrollments, courses: services.courses, liveSessions: liveSessionLinks, certificates: myCertificateLinks }));
  web.use(peoplePagesRouter({ enrollments: services.enrollments, courses: services.courses }));
  web.use(quizPagesRouter({ quizzes: services.quizzes, courses: services.courses }));
  web.use(quizReportPagesRouter({ reports: services.quizReports, courses: services.courses }));
  web.use(questionBankPagesRouter({ bank: services.questionBank, courses: services.courses }));
  web.use(
    liveSessionPagesRouter({
      sessions: services.liveSessions,
      courses: services.courses,
      enrollments: services.enrollments,
      institutionName: async () => (await services.settings.institution()).name,
      clock: services.clock,
    }),
  );
  web.use('/admin/users', adminUsersWebRouter(services.accounts));
  web.use('/admin/settings', adminSettingsWebRouter(services.settings));
  web.use(certificatePagesRouter(services.certificates));
  web.use(statisticsPagesRouter({ statistics: services.statistics, courses: services.courses, cohorts: services.enrollments, downloads: statisticsApi }));
  web.use(
    '/admin/certificates',
    certificateAdminPagesRouter({ certificates: services.certificates, courses: services.courses, cohorts: services.enrollments, people: services.accounts.service }),
  );
  // Reading the outbox and retrying a mail are separate permissions in the table.
  const canRead = authorize('outbox:read');
  const canRetry = authorize('outbox:retry');
  web.use('/admin/outbox', services.notifications.outboxRouter((request, response, next) => (request.method === 'POST' ? canRetry : canRead)(request, response, next)));
  web.use(notFound);
  app.use(web);

  app.use(observeDatabaseErrors(database.availability));
  app.use(errorHandler(logger));
  return app;
}
