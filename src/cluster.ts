import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Config } from './config.js';
import { connectDatabase } from './db/connection.js';
import { prepareDatabase } from './prepare-database.js';
import { buildServices } from './services.js';
import type { Logger } from './shared/logger.js';

/**
 * `WEB_CONCURRENCY=N npm start`: the primary prepares the database once (first
 * administrator, courses, crash repairs), runs the embedded engine when there is no
 * MONGODB_URI, and keeps N workers serving on the one port (node's cluster hands out the
 * connections). Workers share nothing but the database: sessions, rate limits, mail
 * leases and job locks live there, so any worker can serve any request and each
 * background job runs once. A worker that dies is replaced; one that keeps dying stops
 * the whole server rather than looping.
 */
export interface ClusterPrimary {
  /** Stops the workers (each finishes its requests), then the database. */
  stop(): Promise<void>;
}

/** More deaths than this within the window is a crash loop, not bad luck. */
const MAX_DEATHS = 5;
const DEATH_WINDOW_MS = 60_000;
/** Beyond its own graceful stop, how long a worker gets before it is killed. */
const WORKER_STOP_GRACE_MS = 5_000;

export async function startClusterPrimary(config: Readonly<Config>, logger: Logger, onCrashLoop: () => void): Promise<ClusterPrimary> {
  const database = await connectDatabase(config, logger);
  const services = buildServices({ config, logger, database });
  await prepareDatabase(services, config, logger);
  const workerEnvironment = { CAPACITA_CLUSTER_WORKER: '1', ...(database.isEmbedded ? { MONGODB_URI: database.uri } : {}) };

  let stopping = false;
  const deaths: number[] = [];
  const fork = (): Worker => cluster.fork(workerEnvironment);

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ workerPid: worker.process.pid, code, signal }, 'worker died; starting another');
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - DEATH_WINDOW_MS) deaths.shift();
    if (deaths.length > MAX_DEATHS) {
      logger.fatal({ deaths: deaths.length, windowMs: DEATH_WINDOW_MS }, 'workers keep dying; stopping');
      onCrashLoop();
      return;
    }
    // What the dead worker may have left half-done (a completion not announced, a pass
    // not recorded, a certified mark behind): the same idempotent repairs as at start.
    // Seat counts are left to the next full start: recounting them while other workers
    // take seats could undercount.
    void (async () => {
      try {
        await services.repairHalfDoneRequests();
        await services.certificates.reconcileCertifiedEnrollments();
      } catch (error) {
        logger.error({ err: error }, 'repairs after a worker died did not finish; they run again at the next start');
      }
    })();
    fork();
  });

  for (let index = 0; index < config.webConcurrency; index += 1) fork();
  logger.info({ workers: config.webConcurrency, embeddedDatabase: database.isEmbedded }, 'cluster started');

  return {
    async stop() {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(
        workers.map(async (worker) => {
          if (worker.isDead()) return;
          const exited = once(worker, 'exit');
          const deadline = setTimeout(() => worker.process.kill('SIGKILL'), config.shutdownTimeoutMs + WORKER_STOP_GRACE_MS);
          worker.process.kill('SIGTERM');
          await exited;
          clearTimeout(deadline);
        }),
      );
      await database.close();
      logger.info('cluster stopped');
    },
  };
}

/** True in a process the cluster's primary started. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env.CAPACITA_CLUSTER_WORKER === '1';
}
