import express, { Router, type RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { csrfProtection, csrfTokenLocal } from './csrf.js';
import { flashLocals } from './flash.js';
import { rememberLanguageChoice } from './i18n.js';
import { multipartForm } from './multipart.js';
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
  /** Paths whose forms send a file (multipart), with the largest file each takes; only signed-in people may send one. */
  uploadPaths?: Readonly<Record<string, number>>;
}

const FORM_LIMIT = '100kb';
const LARGE_FORM_LIMIT = '6mb';

function formParser(largeFormPaths: ReadonlySet<string>, uploadPaths: Readonly<Record<string, number>>): RequestHandler {
  const small = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 200 });
  const large = express.urlencoded({ extended: false, limit: LARGE_FORM_LIMIT, parameterLimit: 20 });
  const uploads = new Map(Object.entries(uploadPaths).map(([path, maxFileBytes]) => [path, multipartForm({ maxFileBytes })]));
  return (request, response, next) => {
    const upload = request.user ? uploads.get(request.path) : undefined;
    if (upload && request.is('multipart/form-data')) {
      upload(request, response, next);
      return;
    }
    (request.user && largeFormPaths.has(request.path) ? large : small)(request, response, next);
  };
}

export function webShell({ config, connection, passport, largeFormPaths = [], uploadPaths = {} }: WebShellOptions): Router {
  const router = Router();
  router.use(rememberLanguageChoice({ isSecure: config.trustProxy }));
  router.use(sessionMiddleware(config, connection));
  router.use(passport.initialize());
  router.use(passport.session());
  router.use(formParser(new Set(largeFormPaths), uploadPaths));
  router.use(csrfTokenLocal, flashLocals, shellLocals);
  router.use(csrfProtection);
  return router;
}
