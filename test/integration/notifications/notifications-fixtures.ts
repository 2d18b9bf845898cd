import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import mongoose, { type Connection } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import { pino, type Logger } from 'pino';
import { createNotifications, type Notifications, type OutgoingMail } from '../../../src/notifications/index.js';
import type { Clock } from '../../../src/shared/clock.js';
import { errorHandler, notFound } from '../../../src/web/errors.js';
import { createI18n, i18nMiddleware } from '../../../src/web/i18n.js';
import { configureViews } from '../../../src/web/views.js';
import { uniqueDatabaseName, uriForDatabase } from '../../helpers/database.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';

/** What the notifications suites share: a movable clock, fresh databases, the module built for a test, a page app. */

export const MAIL_FROM = 'Capacita <no-reply@capacita.test>';
/**
 * 09:00 in Bogotá (UTC−5), far ahead of the real clock: sent mail expires 90 days after
 * sentAt (a TTL index) and the engine's TTL monitor runs on real time, so a test clock in
 * the past would see its sent mail vanish at a random moment.
 */
export const START = new Date('2099-03-05T14:00:00.000Z');

export interface TestClock extends Clock {
  advance(ms: number): void;
}

export function createTestClock(start: Date = START): TestClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface TestDatabase {
  /** A new connection to the test's database (one per simulated process). */
  connect(): Promise<Connection>;
  /** The outbox collection through the driver, to look at what the module stored. */
  outbox(): Collection<Document>;
}

/** Each test gets a database of its own, dropped (and its connections closed) after it. */
export function useTestDatabases(): () => Promise<TestDatabase> {
  const opened: Connection[] = [];
  afterEach(async () => {
    const connections = opened.splice(0);
    await connections[0]?.dropDatabase();
    await Promise.all(connections.map((connection) => connection.close()));
  });
  return async () => {
    const uri = uriForDatabase(uniqueDatabaseName('notifications'));
    const connect = async (): Promise<Connection> => {
      const connection = await mongoose.createConnection(uri).asPromise();
      opened.push(connection);
      return connection;
    };
    const first = await connect();
    return {
      connect,
      outbox: () => first.collection('outbox_mails'),
    };
  };
}

export interface BuildOptions {
  smtpUrl?: string;
  dataDir?: string;
  clock?: Clock;
  logger?: Logger;
}

/** A data directory per call, removed after the suite (the file transport writes there). */
export function useDataDirectories(): () => string {
  return useTempDirectories('notifications');
}

export function buildNotifications(connection: Connection, options: BuildOptions & { dataDir: string }): Notifications {
  return createNotifications({
    connection,
    config: { smtpUrl: options.smtpUrl, mailFrom: MAIL_FROM, dataDir: options.dataDir },
    logger: options.logger ?? pino({ level: 'silent' }),
    clock: options.clock ?? createTestClock(),
  });
}

/** A logger whose lines a test can read. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines };
}

/** Every byte value, so any re-encoding on the way would show. */
export const CERTIFICATE_BYTES = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 256 }, (_, byte) => byte))]);

export function spanishMail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: 'lucia.munoz@gobernacion-narino.test',
    subject: 'Inscripción confirmada: Gestión social integral — año 2026',
    text:
      'Hola, Lucía:\n\n' +
      'Tu inscripción al curso «Gestión social integral» quedó confirmada. ' +
      'La sesión en vivo será el jueves en Pasto (Nariño), con el equipo de acompañamiento.\n\n' +
      '¡Nos vemos pronto!\nEquipo Capacita',
    ...overrides,
  };
}

const viewsDirectory = fileURLToPath(new URL('../../../views', import.meta.url));

export const passThrough: RequestHandler = (_request, _response, next) => next();

/** A small app around the outbox pages with the real views, i18n and error page. */
export function outboxApp(notifications: Notifications, options: { guard?: RequestHandler; csrfToken?: string } = {}): Express {
  const app = express();
  configureViews(app, viewsDirectory);
  app.use(i18nMiddleware(createI18n()));
  if (options.csrfToken) {
    const token = options.csrfToken;
    app.use((_request, response, next) => {
      // Like src/web/csrf.ts: an object that becomes the token when a view prints it.
      response.locals.csrfToken = { toString: () => token };
      next();
    });
  }
  app.use('/admin/outbox', notifications.outboxRouter(options.guard ?? passThrough));
  app.use(notFound);
  app.use(errorHandler(pino({ level: 'silent' })));
  return app;
}
