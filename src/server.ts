import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { CourseFileError } from './courses/index.js';
import { connectDatabase } from './db/connection.js';
import { startJobScheduler } from './jobs/index.js';
import { buildServices, type Services } from './services.js';
import { createLogger, type Logger } from './shared/logger.js';

/**
 * Start-up only: config → database → createApp → listen. Stopping is graceful: stop
 * accepting, let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), close the
 * database (which flushes the embedded engine's journal), then exit 0.
 */
export interface RunningServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** On first start with no administrator, create one and say how to sign in, once. */
async function ensureAdministrator(services: Services, config: Readonly<Config>, logger: Logger): Promise<void> {
  const created = await services.accounts.auth.ensureInitialAdmin(config.adminEmail, config.adminPassword);
  if (!created) return;
  if (created.generatedPassword) {
    // Printed, not logged: it must not end up in log storage.
    process.stdout.write(
      `\n  First administrator created.\n  Email:    ${created.email}\n  Password: ${created.generatedPassword}\n  (shown once; change it after signing in)\n\n`,
    );
  }
  logger.info({ email: created.email }, 'first administrator created');
}

export async function startServer(config: Readonly<Config>, logger: Logger): Promise<RunningServer> {
  const database = await connectDatabase(config, logger);
  const services = buildServices({ config, logger, database });
  await ensureAdministrator(services, config, logger);
  // First start: the shipped courses. Later edits are imported with npm run courses:import.
  if (!(await services.courses.hasCourses())) {
    try {
      const reports = await services.courses.importCourses();
      logger.info({ courses: reports.map((report) => report.slug) }, 'courses imported');
    } catch (error) {
      // The site still serves everything else; the message says which file to fix.
      if (!(error instanceof CourseFileError)) throw error;
      logger.error({ file: error.file, line: error.line, reason: error.reason }, 'courses not imported: fix the file and run npm run courses:import');
    }
  }
  // What a crash may have left half-done: seats taken by nobody, quiz passes not yet recorded, completions not yet announced,
  // certified marks on enrollments behind their certificates.
  await services.enrollments.reconcileCohortCounts();
  await services.quizzes.recordPendingPasses();
  await services.enrollments.republishPendingCompletions();
  await services.certificates.reconcileCertifiedEnrollments();
  const app = createApp({ config, logger, database, services });
  const stopDelivery = services.notifications.startDelivery();
  const jobs = await startJobScheduler({ connection: database.connection, logger, jobs: services.jobs });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info({ url, embeddedDatabase: database.isEmbedded }, `Capacita listening on ${url}`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would hold close() open; busy ones finish first.
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      deadline.unref();
      await closed;
      clearTimeout(deadline);
      await jobs.stop();
      await stopDelivery();
      await database.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url, server, stop };
}

async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
