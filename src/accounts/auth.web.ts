import { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import type { RateLimiter } from '../rate-limits/index.js';
import { isAppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, formText, readForm } from '../web/form-input.js';
import { checkPassword, signIn, signOut, type WebPassport } from '../web/passport.js';
import { safeNextPath } from '../web/safe-redirect.js';
import { parseInput } from '../web/validate.js';
import { emailVerificationSchema, passwordResetSchema } from './accounts.schemas.js';
import type { Accounts } from './index.js';
import { displayName } from './profile.js';
import './session-data.js';

/**
 * Signing in and out, and the two mailed links (password reset, email verification).
 * A wrong email and a wrong password get the very same page; "forgot password" answers
 * the same whether or not the address has an account, and in the same time.
 */

export interface AuthPagesDependencies {
  accounts: Accounts;
  passport: WebPassport;
  rateLimiter: RateLimiter;
  logger: Logger;
  endSessionsOf: (userId: string) => Promise<void>;
}

/** Reset requests per address: enough for a shared office connection, too few to flood mailboxes. */
const RESET_REQUESTS_PER_ADDRESS = 20;
const RESET_WINDOW_MS = 60 * 60 * 1000;

function loginPage(t: TFunction, state: FormState, next: string) {
  const field = fieldBuilder(state);
  const fields = [
    field.input('email', { label: t('accounts:fields.email.label'), type: 'email', autocomplete: 'username', spellcheck: false }),
    field.input('password', { label: t('accounts:fields.password.label'), type: 'password', autocomplete: 'current-password' }),
  ];
  return { title: t('accounts:login.title'), fields, summary: errorSummary(state.errors, fields), next };
}

function forgotPasswordPage(t: TFunction, state: FormState) {
  const field = fieldBuilder(state);
  const fields = [field.input('email', { label: t('accounts:fields.email.label'), type: 'email', autocomplete: 'email', spellcheck: false })];
  return { title: t('accounts:forgotPassword.title'), fields, summary: errorSummary(state.errors, fields) };
}

function resetPasswordPage(t: TFunction, state: FormState, token: string) {
  const field = fieldBuilder(state);
  const fields = [
    field.input('password', {
      label: t('accounts:resetPassword.newPassword'),
      hint: t('accounts:fields.password.hint'),
      type: 'password',
      autocomplete: 'new-password',
    }),
  ];
  return { title: t('accounts:resetPassword.title'), fields, summary: errorSummary(state.errors, fields), token };
}

function renderLinkExpired(request: Request, response: Response): void {
  response.status(410).render('accounts/link-expired', { title: request.t('accounts:linkExpired.title'), isSignedIn: Boolean(request.user) });
}

function tokenOf(query: unknown): string {
  return typeof query === 'string' ? query : '';
}

export function authPagesRouter({ accounts, passport, rateLimiter, logger, endSessionsOf }: AuthPagesDependencies): Router {
  const router = Router();

  router.get('/login', (request, response) => {
    const next = safeNextPath(request.query.next);
    if (request.user) {
      response.redirect(303, next);
      return;
    }
    response.render('accounts/login', loginPage(request.t, emptyForm(), next));
  });

  router.post('/login', async (request, response) => {
    const next = safeNextPath(formText(request.body, 'next'));
    const values = readForm(request.body, ['email']);
    let user: Express.User | false;
    try {
      user = await checkPassword(passport, request, response);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'rate_limited') throw error;
      const seconds = Number(error.details?.retryAfterSeconds ?? 60);
      response.set('Retry-After', String(seconds));
      const errors = { email: request.t('accounts:login.rateLimited', { minutes: Math.max(1, Math.ceil(seconds / 60)) }) };
      response.status(429).render('accounts/login', loginPage(request.t, { values, errors }, next));
      return;
    }
    if (!user) {
      response.status(401).render('accounts/login', loginPage(request.t, { values, errors: { email: request.t('accounts:login.failed') } }, next));
      return;
    }
    await signIn(request, user);
    const profile = await accounts.service.getProfile(user.id);
    if (profile.consentPending) {
      // Created by an administrator or imported without consent: accept the policy first.
      request.session.consentPending = true;
      response.redirect(303, `/consent?${new URLSearchParams({ next }).toString()}`);
      return;
    }
    flash(request, 'success', 'accounts:login.welcome', { name: displayName(profile) });
    response.redirect(303, next);
  });

  router.post('/logout', async (request, response) => {
    if (request.user) {
      await signOut(request);
      flash(request, 'info', 'accounts:logout.done');
    }
    response.redirect(303, '/');
  });

  router.get('/forgot-password', (request, response) => {
    response.render('accounts/forgot-password', forgotPasswordPage(request.t, emptyForm()));
  });

  router.post('/forgot-password', async (request, response) => {
    const values = readForm(request.body, ['email']);
    if (typeof values.email !== 'string') {
      response.status(400).render('accounts/forgot-password', forgotPasswordPage(request.t, { values, errors: { email: request.t('validation.required') } }));
      return;
    }
    const { count } = await rateLimiter.hit(`password-reset:address:${request.ip ?? 'unknown'}`, RESET_WINDOW_MS);
    if (count <= RESET_REQUESTS_PER_ADDRESS) {
      // Not awaited: looking the address up and queuing the mail takes time only when
      // the account exists, and the answer must not tell.
      accounts.auth.requestPasswordReset(values.email).catch((error: unknown) => logger.error({ err: error }, 'password reset request failed'));
    } else {
      logger.warn({ ip: request.ip }, 'password reset requests over the limit for this address');
    }
    flash(request, 'info', 'accounts:forgotPassword.sent');
    response.redirect(303, '/login');
  });

  router.get('/reset-password', (request, response) => {
    const token = tokenOf(request.query.token);
    if (!token) {
      renderLinkExpired(request, response);
      return;
    }
    response.render('accounts/reset-password', resetPasswordPage(request.t, emptyForm(), token));
  });

  router.post('/reset-password', async (request, response) => {
    const token = formText(request.body, 'token');
    const values = readForm(request.body, ['password']);
    try {
      const input = parseInput(passwordResetSchema, { token, password: values.password }, request.t);
      // Whoever is signed in as this person elsewhere (perhaps with the old password) is out.
      await endSessionsOf(await accounts.auth.resetPassword(input.token, input.password));
    } catch (error) {
      if (isAppError(error) && error.code === 'gone') {
        renderLinkExpired(request, response);
        return;
      }
      const errors = fieldMessagesOf(error, request.t);
      // A mangled token is no better than an expired one.
      if (errors.token) {
        renderLinkExpired(request, response);
        return;
      }
      response.status(400).render('accounts/reset-password', resetPasswordPage(request.t, { values: {}, errors }, token));
      return;
    }
    // Whoever was signed in here (perhaps with the old password) starts afresh.
    if (request.user) await signOut(request);
    flash(request, 'success', 'accounts:resetPassword.done');
    response.redirect(303, '/login');
  });

  // The link only shows a button: mail scanners that open links must not use it up.
  router.get('/verify-email', (request, response) => {
    const token = tokenOf(request.query.token);
    if (!token) {
      renderLinkExpired(request, response);
      return;
    }
    response.render('accounts/verify-email', { title: request.t('accounts:verifyEmail.title'), token });
  });

  router.post('/verify-email', async (request, response) => {
    const token = formText(request.body, 'token');
    try {
      const input = parseInput(emailVerificationSchema, { token }, request.t);
      await accounts.auth.verifyEmail(input.token);
    } catch (error) {
      if (isAppError(error) && (error.code === 'gone' || error.code === 'validation_failed')) {
        renderLinkExpired(request, response);
        return;
      }
      throw error;
    }
    flash(request, 'success', 'accounts:verifyEmail.done');
    response.redirect(303, request.user ? '/account' : '/login');
  });

  return router;
}
