import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { DatabaseAvailability } from '../db/availability.js';
import { AppError } from '../shared/errors.js';

/**
 * While the database is known to be unreachable, every request that would need it is
 * answered 503 at once (with Retry-After) rather than tying up a connection until the
 * driver gives up; mounted after /healthz and the static files, which do not need it.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function databaseUnavailableError(): AppError {
  return new AppError('service_unavailable', 'The database is unreachable; try again shortly.', { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
}

export function refuseWhileDatabaseUnreachable(availability: DatabaseAvailability): RequestHandler {
  return (_request, _response, next) => {
    next(availability.isReachable ? undefined : databaseUnavailableError());
  };
}

/** Lets the availability see what a request failed with, then passes the error on unchanged. */
export function observeDatabaseErrors(availability: DatabaseAvailability): ErrorRequestHandler {
  return (error, _request, _response, next) => {
    availability.observe(error);
    next(error);
  };
}
