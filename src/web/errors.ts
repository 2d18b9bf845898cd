import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { isDatabaseUnreachable } from '../db/availability.js';
import { databaseUnavailableError } from './database-gate.js';

/**
 * The one error path. Whatever was thrown becomes an AppError code; API requests get
 * `{error: {code, message, details?, requestId}}`, pages get the error view (or, when
 * a sign-in is missing, the sign-in page). Internal errors are logged with their stack
 * and answered without it.
 */

export function isApiRequest(request: Request): boolean {
  return request.originalUrl.startsWith('/api/');
}

/** body-parser and other http-errors style failures carry `type` / `status`. */
function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isDatabaseUnreachable(error)) return databaseUnavailableError();
  const candidate = error as { type?: string; status?: number; statusCode?: number } | undefined;
  switch (candidate?.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'entity.parse.failed':
      return new AppError('validation_failed', 'The request body is not valid JSON.', { fields: {} });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('validation_failed', 'The request body encoding is not supported.', { fields: {} });
    default:
      break;
  }
  const status = candidate?.status ?? candidate?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (Object.entries(ERROR_STATUS).find(([, value]) => value === status)?.[0] ?? 'validation_failed') as ErrorCode;
    return new AppError(code, 'The request could not be processed.');
  }
  return new AppError('internal', 'Internal error.');
}

/** Services name field problems by i18n key; the reader gets them in their language. */
function translatedDetails(details: Record<string, unknown>, request: Request): Record<string, unknown> {
  const fields = details.fields;
  if (!fields || typeof fields !== 'object' || typeof request.t !== 'function') return details;
  const translated = Object.fromEntries(
    Object.entries(fields as Record<string, unknown>).map(([field, message]) => [
      field,
      typeof message === 'string' && message.startsWith('validation.') ? request.t(message) : message,
    ]),
  );
  return { ...details, fields: translated };
}

export const notFound: RequestHandler = (request, _response, next) => {
  next(new AppError('not_found', `No route for ${request.method} ${request.path}.`));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, next) => {
    const appError = toAppError(error);
    const requestId = String(request.id ?? '');
    if (appError.code === 'internal') logger.error({ err: error, requestId }, 'unhandled error');
    if (response.headersSent) {
      next(error);
      return;
    }
    response.status(appError.status);
    if (typeof appError.details?.retryAfterSeconds === 'number') {
      response.set('Retry-After', String(appError.details.retryAfterSeconds));
    }
    if (isApiRequest(request)) {
      response.json({
        error: {
          code: appError.code,
          message: appError.message,
          ...(appError.details ? { details: translatedDetails(appError.details, request) } : {}),
          requestId,
        },
      });
      return;
    }
    if (appError.code === 'unauthenticated') {
      // A page that needs a person: sign in first, then come back (GET only: a form
      // posted without a session could not be replayed anyway).
      const isReplayable = request.method === 'GET' || request.method === 'HEAD';
      response.redirect(303, isReplayable ? `/login?${new URLSearchParams({ next: request.originalUrl }).toString()}` : '/login');
      return;
    }
    const reason = typeof appError.details?.reason === 'string' ? appError.details.reason : undefined;
    response.render('errors/error', { title: request.t?.(`errors.${appError.code}.title`), code: appError.code, reason, status: appError.status, requestId });
  };
}
