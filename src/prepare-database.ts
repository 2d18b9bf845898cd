import type { Config } from './config.js';
import { CourseFileError } from './courses/index.js';
import type { Services } from './services.js';
import type { Logger } from './shared/logger.js';

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

/**
 * What a first start, or a crash, leaves to be done once before serving: the first
 * administrator, the shipped courses, and repairs of half-finished work (welcome mails not queued, seats taken by
 * nobody, quiz passes not yet recorded, completions not yet announced, certified marks
 * behind their certificates). Each step is idempotent; in a cluster the primary runs it.
 */
export async function prepareDatabase(services: Services, config: Readonly<Config>, logger: Logger): Promise<void> {
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
  await services.enrollments.reconcileCohortCounts();
  await services.repairHalfDoneRequests();
  await services.certificates.reconcileCertifiedEnrollments();
}
