import type { Request, RequestHandler } from 'express';
import { ensureAllowed, type Permission } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import './request-user.js';

/**
 * The route-level face of src/shared/authorization.ts: every protected route names its
 * permission here, so "who may do what" is read from one table.
 */
export function authorize(permission: Permission): RequestHandler {
  return (request, _response, next) => {
    ensureAllowed(request.user, permission);
    next();
  };
}

/** The signed-in person, behind a guard that has already made sure there is one. */
export function signedInUser(request: Request): Express.User {
  if (!request.user) throw new AppError('unauthenticated', 'Authentication is required.');
  return request.user;
}
