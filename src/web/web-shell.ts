import express, { Router, type RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { csrfProtection, csrfTokenLocal } from './csrf.js';
import { flashLocals } from './flash.js';
import { rememberLanguageChoice } from './i18n.js';
import type { WebPassport } from './passport.js';
import { sessionMiddleware } from './session.js';
import { shellLocals } from './shell-locals.js';

/**
 * Everything the HTML pages share, in order: language choice, cookie session, the
 * signed-in person, form bodies, view locals, CSRF check. It is mounted in front of the
 * pages only — the JSON API, /healthz and static files never touch a session.
 */
export interface WebShellOptions {
  config: Pick<Config, 'sessionSecret' | 'trustProxy'>;
  connection: Connection;
  passport: WebPassport;
  /** Paths whose forms may be large (a pasted CSV file); only signed-in people may send that much. */
  largeFormPaths?: readonly string[];
}

const FORM_LIMIT = '100kb';
const LARGE_FORM_LIMIT = '6mb';

function formParser(largeFormPaths: ReadonlySet<string>): RequestHandler {
  const small = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 200 });
  const large = express.urlencoded({ extended: false, limit: LARGE_FORM_LIMIT, parameterLimit: 20 });
  return (request, response, next) => (request.user && largeFormPaths.has(request.path) ? large : small)(request, response, next);
}

export function webShell({ config, connection, passport, largeFormPaths = [] }: WebShellOptions): Router {
  const router = Router();
  router.use(rememberLanguageChoice({ isSecure: config.trustProxy }));
  router.use(sessionMiddleware(config, connection));
  router.use(passport.initialize());
  router.use(passport.session());
  router.use(formParser(new Set(largeFormPaths)));
  router.use(csrfTokenLocal, flashLocals, shellLocals);
  router.use(csrfProtection);
  return router;
}
