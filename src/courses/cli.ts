import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/connection.js';
import { buildServices } from '../services.js';
import { createLogger } from '../shared/logger.js';
import { CourseFileError } from './course-loader.js';

/**
 * `npm run courses:import`: imports (or re-imports after edits) every course under the
 * courses folder. A malformed file stops it with the file, line and reason, and nothing
 * is changed; learners' progress is kept across re-imports.
 */
const config = loadConfig();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const database = await connectDatabase(config, logger);
try {
  const reports = await buildServices({ config, logger, database }).courses.importCourses();
  for (const report of reports) {
    process.stdout.write(`${report.outcome.padEnd(9)} ${report.slug}\n`);
    if (report.outcome === 'updated' && report.addedLessons.length > 0) process.stdout.write(`          new lessons: ${report.addedLessons.join(', ')}\n`);
    if (report.removedLessons.length > 0) {
      process.stdout.write(`          REMOVED lessons (progress on them is kept, no longer counted): ${report.removedLessons.join(', ')}\n`);
    }
  }
  if (reports.length === 0) process.stdout.write(`no courses found in ${config.coursesDir}\n`);
} catch (error) {
  if (!(error instanceof CourseFileError)) throw error;
  process.stderr.write(`import stopped, nothing changed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
