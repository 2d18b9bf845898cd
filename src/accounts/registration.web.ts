import { Router } from 'express';
import type { TFunction } from 'i18next';
import { isAppError } from '../shared/errors.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, pressedButton, readForm } from '../web/form-input.js';
import { languageOf } from '../web/i18n.js';
import { signIn } from '../web/passport.js';
import { parseInput } from '../web/validate.js';
import { registrationSchema } from './accounts.schemas.js';
import type { Accounts } from './index.js';
import { fieldsOf, LOAD_MUNICIPALITIES, PROFILE_FIELDS, profileGroups, type FieldGroup } from './profile-form.js';

/** Registration: the full profile and the data-processing consent, as in the API. */

const REGISTRATION_FIELDS = ['email', 'password', ...PROFILE_FIELDS, 'dataConsent'] as const;

function registrationPage(t: TFunction, state: FormState) {
  const field = fieldBuilder(state);
  const access: FieldGroup = {
    legend: t('accounts:form.groups.access'),
    fields: [
      field.input('email', { label: t('accounts:fields.email.label'), hint: t('accounts:fields.email.hint'), type: 'email', autocomplete: 'email', spellcheck: false }),
      field.input('password', { label: t('accounts:fields.password.label'), hint: t('accounts:fields.password.hint'), type: 'password', autocomplete: 'new-password' }),
    ],
  };
  const groups = [access, ...profileGroups(t, state)];
  const consent = field.checkbox('dataConsent', {
    label: t('accounts:register.consentLabel'),
    hint: t('accounts:register.consentHint'),
    link: { href: '/privacy', text: t('accounts:register.privacyLink') },
  });
  return {
    title: t('accounts:register.title'),
    groups,
    consent,
    summary: errorSummary(state.errors, [...fieldsOf(groups), consent]),
    scripts: ['/js/territories.js'],
  };
}

export function registrationRouter(accounts: Accounts): Router {
  const router = Router();

  router.get('/register', (request, response) => {
    if (request.user) {
      response.redirect(303, '/account');
      return;
    }
    response.render('accounts/register', registrationPage(request.t, emptyForm()));
  });

  router.post('/register', async (request, response) => {
    const values = readForm(request.body, REGISTRATION_FIELDS);
    if (pressedButton(request.body) === LOAD_MUNICIPALITIES) {
      // Without JavaScript: the same form again, with the chosen department's municipalities.
      response.render('accounts/register', registrationPage(request.t, emptyForm(values)));
      return;
    }
    let profileId: string;
    try {
      const input = parseInput(registrationSchema, { ...values, dataConsent: values.dataConsent === 'yes' }, request.t);
      profileId = (await accounts.service.register(input, languageOf(request))).id;
    } catch (error) {
      const errors = fieldMessagesOf(error, request.t);
      response.status(isAppError(error) ? error.status : 400).render('accounts/register', registrationPage(request.t, { values, errors }));
      return;
    }
    await accounts.auth.sendWelcomeVerification(profileId);
    const actor = await accounts.service.actorFor(profileId);
    if (actor) await signIn(request, actor);
    flash(request, 'success', 'accounts:register.welcome', { email: String(values.email) });
    response.redirect(303, '/account');
  });

  return router;
}
