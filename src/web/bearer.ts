import type { RequestHandler } from 'express';
import type { Actor } from '../shared/authorization.js';
import './request-user.js';

/** `Authorization: Bearer <token>` → the token's bearer, as req.user. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header ?? '');
  return match?.[1];
}

/**
 * Sets req.user from a valid bearer token. An invalid or missing token leaves the
 * request anonymous: routes that need a person answer 401 through their guard, and
 * public or unknown routes answer as they would anyway.
 */
export function bearerAuthentication(actorForToken: (token: string) => Promise<Actor | undefined>): RequestHandler {
  return async (request, _response, next) => {
    const token = bearerToken(request.headers.authorization);
    if (token) {
      const actor = await actorForToken(token);
      if (actor) request.user = actor;
    }
    next();
  };
}
