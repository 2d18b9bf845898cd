import { Router, type RequestHandler } from 'express';
import type { TFunction } from 'i18next';
import { emptyForm, errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { formText, readForm } from '../web/form-input.js';
import { flash } from '../web/flash.js';
import { authorize, signedInUser } from '../web/guards.js';
import { safeNextPath } from '../web/safe-redirect.js';
import { PRIVACY_POLICY_VERSION } from './accounts.schemas.js';
import type { Accounts } from './index.js';
import './session-data.js';

/**
 * The personal-data policy (Ley 1581 de 2012, Decreto 1377 de 2013) and the consent it
 * asks for. People whose account was made for them (by an administrator or a CSV
 * import without consent on paper) accept it at their first sign-in, before anything
 * else: until then every page leads to the consent page.
 */

export interface PrivacyPagesDependencies {
  accounts: Accounts;
  /** The data controller named in the policy; unset shows a placeholder to fill in. */
  institution: { name: string | undefined; contactEmail: string | undefined };
}

/** Pages a person may open while their consent is pending. */
const OPEN_WHILE_CONSENT_PENDING = new Set(['/consent', '/privacy', '/logout']);

export const consentGate: RequestHandler = (request, response, next) => {
  if (request.user && request.session?.consentPending && !OPEN_WHILE_CONSENT_PENDING.has(request.path)) {
    const returnTo = request.method === 'GET' ? request.originalUrl : '/';
    response.redirect(303, `/consent?${new URLSearchParams({ next: returnTo }).toString()}`);
    return;
  }
  next();
};

function consentPage(t: TFunction, state: FormState, next: string) {
  const field = fieldBuilder(state);
  const fields = [field.checkbox('accept', { label: t('accounts:consent.acceptLabel'), link: { href: '/privacy', text: t('accounts:register.privacyLink') } })];
  return { title: t('accounts:consent.title'), fields, summary: errorSummary(state.errors, fields), next };
}

export function privacyRouter({ accounts, institution }: PrivacyPagesDependencies): Router {
  const router = Router();

  router.get('/privacy', (request, response) => {
    response.render('accounts/privacy', {
      title: request.t('accounts:privacy.title'),
      version: PRIVACY_POLICY_VERSION,
      institutionName: institution.name ?? request.t('accounts:privacy.institutionPlaceholder'),
      contactEmail: institution.contactEmail,
    });
  });

  router.get('/consent', authorize('profile:update'), (request, response) => {
    response.render('accounts/consent', consentPage(request.t, emptyForm(), safeNextPath(request.query.next)));
  });

  router.post('/consent', authorize('profile:update'), async (request, response) => {
    const next = safeNextPath(formText(request.body, 'next'));
    const values = readForm(request.body, ['accept']);
    if (values.accept !== 'yes') {
      const errors = { accept: request.t('validation.consentRequired') };
      response.status(400).render('accounts/consent', consentPage(request.t, { values, errors }, next));
      return;
    }
    await accounts.service.acceptPrivacyPolicy(signedInUser(request).id);
    request.session.consentPending = false;
    flash(request, 'success', 'accounts:consent.done');
    response.redirect(303, next);
  });

  return router;
}
