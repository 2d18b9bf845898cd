import { hostname } from 'node:os';
import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Connection } from 'mongoose';
import type { Logger } from '../shared/logger.js';

/** Work a module wants done every so often, whichever process does it. */
export interface PeriodicJob {
  /** Unique across the application, e.g. `live-sessions:reminders`. */
  name: string;
  intervalMs: number;
  /** Must be safe to repeat: a run cut short by a crash is run again by another process. */
  run(): Promise<unknown>;
}

export interface JobSchedulerOptions {
  connection: Connection;
  logger: Logger;
  jobs: readonly PeriodicJob[];
  /** How often this process looks for due jobs. */
  pollIntervalMs?: number;
  /** How long a process may hold a job before another may take it over (it died). */
  lockLifetimeMs?: number;
}

export interface JobScheduler {
  /** Stops taking jobs and waits for the ones running here to finish. */
  stop(): Promise<void>;
}

const DEFAULT_POLL_INTERVAL_MS = 10_000;
const DEFAULT_LOCK_LIFETIME_MS = 5 * 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Runs periodic jobs with agenda on the application's own database (`scheduled_jobs`).
 * Each job is one document; a process runs it only after locking that document with a
 * conditional update, so with several processes each run happens in one of them; a
 * lock held by a process that died expires after `lockLifetimeMs`. Exactly-once effects
 * still come from the jobs themselves (idempotency keys), because a lease can expire
 * under a process that is slow rather than dead.
 */
export async function startJobScheduler(options: JobSchedulerOptions): Promise<JobScheduler> {
  const logger = options.logger.child({ module: 'jobs' });
  const database = options.connection.db;
  if (!database) throw new Error('the database connection is not open');
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: database, collection: 'scheduled_jobs' }),
    name: `${hostname()}:${process.pid}`,
    processEvery: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    defaultLockLifetime: options.lockLifetimeMs ?? DEFAULT_LOCK_LIFETIME_MS,
  });
  for (const job of options.jobs) {
    agenda.define(job.name, async () => {
      await job.run();
    });
  }
  agenda.on('fail', (error: unknown, job: { attrs: { name: string } }) => {
    logger.error({ err: error, job: job.attrs.name }, 'scheduled job failed; it runs again at its next interval');
  });
  await agenda.start();
  // `every` upserts the job's one document by name, so every process may declare it.
  for (const job of options.jobs) await agenda.every(job.intervalMs, job.name);
  logger.info({ jobs: options.jobs.map((job) => job.name) }, 'job scheduler started');
  return {
    async stop() {
      await agenda.drain(STOP_TIMEOUT_MS);
      logger.info('job scheduler stopped');
    },
  };
}
