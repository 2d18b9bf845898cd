import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { isClusterWorker, startClusterPrimary } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { connectDatabase } from './db/connection.js';
import { startJobScheduler } from './jobs/index.js';
import { prepareDatabase } from './prepare-database.js';
import { buildServices } from './services.js';
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

export interface StartOptions {
  /** The database was prepared by someone else (the cluster's primary): skip prepareDatabase. */
  prepared?: boolean;
}

export async function startServer(config: Readonly<Config>, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const database = await connectDatabase(config, logger);
  const services = buildServices({ config, logger, database });
  if (!options.prepared) await prepareDatabase(services, config, logger);
  const app = createApp({ config, logger, database, services });
  const stopDelivery = services.notifications.startDelivery();
  const jobs = await startJobScheduler({ connection: database.connection, logger, jobs: services.jobs, lockLifetimeMs: config.workLeaseMs });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info({ url, pid: process.pid, embeddedDatabase: database.isEmbedded }, `Capacita listening on ${url}`);

  let stopping: Promise<void> | undefined;
  // Once stopping, each answer closes its connection, so clients holding keep-alive
  // connections move on instead of feeding this process requests until the deadline.
  server.prependListener('request', (_request, response) => {
    if (stopping) response.shouldKeepAlive = false;
  });
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
  let running: { stop(): Promise<void> };
  try {
    if (config.webConcurrency > 1 && cluster.isPrimary) {
      running = await startClusterPrimary(config, logger, () => shutdown('crash loop', 1));
    } else {
      running = await startServer(config, logger, { prepared: isClusterWorker() });
    }
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  function shutdown(reason: string, exitCode = 0): void {
    logger.info({ reason }, 'shutting down');
    running.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // Ctrl-C reaches every process of the terminal; in a cluster the primary stops the workers in order.
  if (isClusterWorker()) process.on('SIGINT', () => undefined);
  else process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
