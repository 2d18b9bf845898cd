import type { Request, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Actor } from '../shared/authorization.js';
import { isAppError } from '../shared/errors.js';
import './request-user.js';

/**
 * passport-local for the web: email and password checked by the accounts service (which
 * counts failures per account and per address), the session keeps only the person's id,
 * and every request looks the account up again, so a deactivated or deleted account is
 * signed out on its next request.
 */

export type WebPassport = InstanceType<typeof passport.Passport>;

/** What the web shell needs from the accounts module (its service functions, by shape). */
export interface PasswordSignIn {
  auth: { authenticate(email: string, password: string, address: string): Promise<Actor> };
  service: { actorFor(id: string): Promise<Actor | undefined> };
}

export function createWebPassport(accounts: PasswordSignIn): WebPassport {
  // An instance of its own, not passport's global singleton: each app (and test) is separate.
  const authenticator = new passport.Passport();
  authenticator.use(
    'local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (request, email, password, done) => {
      accounts.auth.authenticate(email, password, request.ip ?? 'unknown').then(
        (actor) => done(null, actor),
        // Wrong email, wrong password and closed account are one and the same refusal;
        // anything else (rate limiting, a database failure) travels on as an error.
        (error: unknown) => (isAppError(error) && error.code === 'unauthenticated' ? done(null, false) : done(error)),
      );
    }),
  );
  authenticator.serializeUser<string>((user, done) => done(null, user.id));
  authenticator.deserializeUser<string>((id, done) => {
    accounts.service.actorFor(id).then(
      // false (not undefined) tells passport to drop the sign-in from the session.
      (actor) => done(null, actor ?? false),
      (error: unknown) => done(error),
    );
  });
  return authenticator;
}

/** Runs the local strategy on the request's form: the person, or false for wrong credentials. */
export function checkPassword(authenticator: WebPassport, request: Request, response: Response): Promise<Express.User | false> {
  return new Promise((resolve, reject) => {
    const handler = authenticator.authenticate('local', { session: false }, (error: unknown, user: Express.User | false | undefined) => {
      if (error) reject(error);
      else resolve(user || false);
    }) as (request: Request, response: Response, next: (error?: unknown) => void) => void;
    handler(request, response, reject);
  });
}

/** Signs the person in; passport gives the session a new id first (no session fixation). */
export function signIn(request: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => request.logIn(user, (error?: unknown) => (error ? reject(error) : resolve())));
}

/** Signs out; the old session is destroyed in the store and a new, empty one begins. */
export function signOut(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.logOut((error?: unknown) => (error ? reject(error) : resolve())));
}
