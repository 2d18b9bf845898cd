import type { Connection } from 'mongoose';
import type { Logger } from '../shared/logger.js';

/**
 * Whether the database is reachable, as this process last saw it. A request that finds
 * it unreachable marks it down; from then on requests are answered 503 at once instead
 * of each waiting for the driver to give up, and a probe pings until the database
 * answers again. The driver reconnects by itself; the probe only tells us when.
 */
export interface DatabaseAvailability {
  readonly isReachable: boolean;
  /** Called with any error a request ended in; only the driver's "cannot reach the server" errors count. */
  observe(error: unknown): void;
  close(): void;
}

/** The driver's (and mongoose's) errors for a server that cannot be reached, as opposed to one that refused an operation. */
const UNREACHABLE_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  // Operations waiting for a connection when the pool was cleared because the server went away.
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongooseServerSelectionError',
]);

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNREACHABLE_ERRORS.has(error.name)) return true;
  // mongoose queues operations while disconnected and gives up with this message.
  return error.name === 'MongooseError' && /buffering timed out/.test(error.message);
}

const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 1_000;

export function databaseAvailability(database: { connection: Connection; ping(timeoutMs?: number): Promise<void> }, logger: Logger): DatabaseAvailability {
  let reachable = true;
  let probe: NodeJS.Timeout | undefined;
  let probing = false;
  let closed = false;

  const markReachable = (): void => {
    if (reachable) return;
    reachable = true;
    clearInterval(probe);
    probe = undefined;
    logger.info('database reachable again');
  };
  const markUnreachable = (): void => {
    if (!reachable || closed) return;
    reachable = false;
    logger.error('database unreachable: answering 503 until it is back');
    probe = setInterval(() => {
      if (probing) return;
      probing = true;
      database.ping(PROBE_TIMEOUT_MS).then(markReachable, () => undefined).finally(() => {
        probing = false;
      });
    }, PROBE_INTERVAL_MS);
    probe.unref();
  };
  // The driver's own monitor notices a lost server between requests too.
  database.connection.on('disconnected', markUnreachable);

  return {
    get isReachable() {
      return reachable;
    },
    observe(error) {
      if (isDatabaseUnreachable(error)) markUnreachable();
    },
    close() {
      closed = true;
      clearInterval(probe);
      database.connection.off('disconnected', markUnreachable);
    },
  };
}
