import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { AppError } from '../shared/errors.js';

/**
 * Synchroniser tokens: one random token per session, printed into every form as
 * `_csrf` and compared on every state-changing request. The JSON API is not mounted
 * behind this: it authenticates with bearer tokens, which a browser never sends on its
 * own, so cross-site requests cannot ride on it.
 */

const { generateToken, isRequestValid } = csrfSync({
  size: 32,
  getTokenFromRequest: (request) => {
    const fromForm = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromForm === 'string') return fromForm;
    const fromHeader = request.headers['x-csrf-token'];
    return typeof fromHeader === 'string' ? fromHeader : undefined;
  },
});

/** Whether the request carries this session's token: for a parser that must know before it reads on (multipart.ts). */
export const hasValidCsrfToken = isRequestValid;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `res.locals.csrfToken` for the views. It is made when a form prints it (EJS turns it
 * into text), not before, so pages without forms start no session and set no cookie.
 */
export const csrfTokenLocal: RequestHandler = (request, response, next) => {
  response.locals.csrfToken = { toString: () => generateToken(request) };
  next();
};

/** Refuses a state-changing request whose token is missing or not this session's. */
export const csrfProtection: RequestHandler = (request, _response, next) => {
  if (SAFE_METHODS.has(request.method) || isRequestValid(request)) {
    next();
    return;
  }
  throw new AppError('forbidden', 'The form has expired or did not come from this site.', { reason: 'csrf' });
};
