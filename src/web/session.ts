import { MongoStore } from 'connect-mongo';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';

/**
 * Web sessions: an opaque id in an httpOnly, SameSite=Lax cookie; the data in MongoDB
 * (the `sessions` collection, expired by a TTL index), so app processes stay stateless
 * behind a load balancer. A session starts only when something is stored in it (a form's
 * CSRF token, a sign-in), so people who only read pages carry no cookie. It lasts 8
 * hours from the last request; passport gives it a new id at sign-in and sign-out.
 */
export const SESSION_COOKIE = 'capacita.sid';
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** An unchanged session is written back at most this often (seconds), not on every page. */
const TOUCH_AFTER_SECONDS = 5 * 60;

export function sessionMiddleware(config: Pick<Config, 'sessionSecret' | 'trustProxy'>, connection: Connection): RequestHandler {
  const store = MongoStore.create({
    // The application's own connection: no second pool, and closing the app closes it.
    client: connection.getClient(),
    dbName: connection.name,
    collectionName: 'sessions',
    stringify: false,
    autoRemove: 'native',
    touchAfter: TOUCH_AFTER_SECONDS,
  });
  return session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    proxy: config.trustProxy,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      // Behind a TLS-terminating proxy the cookie must never travel over plain HTTP.
      secure: config.trustProxy,
      maxAge: SESSION_IDLE_MS,
      path: '/',
    },
  });
}

/** Ends every web session of one person (after a password reset, say). */
export async function endSessionsOf(connection: Connection, userId: string): Promise<void> {
  await connection.collection('sessions').deleteMany({ 'session.passport.user': userId });
}
