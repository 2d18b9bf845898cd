import type { RequestHandler } from 'express';
import { ensureAllowed, type Permission } from '../shared/authorization.js';
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
