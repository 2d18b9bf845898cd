import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/connection.js';
import { buildServices } from '../services.js';
import { createLogger } from '../shared/logger.js';
import { generateDemoData, hasDemoData, removeDemoData, DEMO_EMAIL_DOMAIN } from './demo-data.js';

/**
 * `npm run demo:data -- --learners 100000 [--seed 1] [--reset-demo]`: synthetic learners
 * with a year of enrollments, progress, attempts, attendance and certificates, for demos
 * and benchmarks (README.md, "Demo data"). Refuses when demo data exists; --reset-demo
 * first deletes the demo documents (and only those), --learners 0 then leaves none.
 */
const { values } = parseArgs({
  options: {
    learners: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'reset-demo': { type: 'boolean', default: false },
  },
  strict: true,
});
const learners = Number(values.learners);
const seed = Number(values.seed);
if (!Number.isSafeInteger(learners) || learners < 0 || !Number.isSafeInteger(seed)) {
  process.stderr.write('usage: npm run demo:data -- [--learners N] [--seed N] [--reset-demo]\n');
  process.exit(2);
}

const config = loadConfig();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const database = await connectDatabase(config, logger);
const fmt = (n: number): string => n.toLocaleString('en-US');
const percent = (part: number, whole: number): string => `${whole === 0 ? '0.0' : ((part / whole) * 100).toFixed(1)} %`;
try {
  const services = buildServices({ config, logger, database });
  if (await hasDemoData(database.connection)) {
    if (!values['reset-demo']) {
      process.stderr.write(`demo data (accounts @${DEMO_EMAIL_DOMAIN}) is already there: run again with --reset-demo to replace it\n`);
      process.exitCode = 1;
    } else {
      const removed = await removeDemoData(database.connection);
      process.stdout.write(`removed demo data: ${Object.entries(removed).map(([name, count]) => `${name} ${fmt(count)}`).join(', ')}\n`);
    }
  }
  if (process.exitCode === undefined && learners > 0) {
    // As the server does on its first start: the demo enrolls people in the shipped courses.
    if (!(await services.courses.hasCourses())) await services.courses.importCourses();
    const started = performance.now();
    const showsProgress = process.stdout.isTTY;
    const summary = await generateDemoData(
      { connection: database.connection, courses: services.courses, institution: () => services.settings.institution(), clock: services.clock },
      {
        learners,
        seed,
        onProgress: (written) => {
          const line = `  ${fmt(written)} / ${fmt(learners)} learners written (${((performance.now() - started) / 1000).toFixed(1)} s)`;
          process.stdout.write(showsProgress ? `\r${line}` : `${line}\n`);
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (showsProgress) process.stdout.write('\n');
    process.stdout.write(
      [
        `demo data written in ${seconds.toFixed(1)} s (seed ${seed}), accounts @${DEMO_EMAIL_DOMAIN} (no one can sign in as them):`,
        `  learners        ${fmt(summary.learners)} (women ${percent(summary.women, summary.learners)})`,
        `  enrollments     ${fmt(summary.enrollments)} (completed ${percent(summary.completed, summary.enrollments)})`,
        `  certificates    ${fmt(summary.certificates)}`,
        `  quiz attempts   ${fmt(summary.quizAttempts)}`,
        `  live sessions   ${fmt(summary.liveSessions)} (${fmt(summary.attendances)} attendances)`,
        `  cohorts         ${fmt(summary.cohorts)}`,
        '',
      ].join('\n'),
    );
  }
} finally {
  await database.close();
}
