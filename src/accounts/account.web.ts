import { Router } from 'express';
import type { TFunction } from 'i18next';
import { can } from '../shared/authorization.js';
import { isAppError } from '../shared/errors.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, pressedButton, readForm } from '../web/form-input.js';
import { formatCalendarDay } from '../web/dates.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { signOut } from '../web/passport.js';
import { parseInput } from '../web/validate.js';
import { CLEARABLE_FIELDS, profileUpdateSchema } from './accounts.schemas.js';
import type { Accounts } from './index.js';
import { displayName } from './profile.js';
import { fieldsOf, LOAD_MUNICIPALITIES, PROFILE_FIELDS, profileGroups, profileRows, profileValues } from './profile-form.js';

/**
 * "My account": what Capacita holds on the person and the rights Ley 1581 gives them —
 * to see it, correct it, take a copy (JSON) and have it deleted.
 */

function editPage(t: TFunction, state: FormState) {
  const groups = profileGroups(t, state);
  return { title: t('accounts:edit.title'), groups, summary: errorSummary(state.errors, fieldsOf(groups)), scripts: ['/js/territories.js'] };
}

/**
 * A person's calendar-feed address (the live-sessions module's; app.ts hands it in,
 * since accounts cannot depend on live-sessions).
 */
export interface CalendarFeedAddress {
  feedUrl(userId: string): Promise<string>;
  resetFeedUrl(userId: string): Promise<string>;
}

function deletePage(t: TFunction, state: FormState, hasPassword: boolean) {
  const field = fieldBuilder(state);
  const fields = hasPassword
    ? [field.input('password', { label: t('accounts:delete.passwordLabel'), hint: t('accounts:delete.passwordHint'), type: 'password', autocomplete: 'current-password' })]
    : [];
  return { title: t('accounts:delete.title'), fields, summary: errorSummary(state.errors, fields) };
}

export function accountRouter(accounts: Accounts, calendarFeed: CalendarFeedAddress): Router {
  const router = Router();

  router.get('/account', authorize('profile:read'), async (request, response) => {
    const user = signedInUser(request);
    const profile = await accounts.service.getProfile(user.id);
    response.render('accounts/account', {
      title: request.t('accounts:account.title'),
      name: displayName(profile),
      profile,
      rows: profileRows(request.t, profile, (day) => formatCalendarDay(day, languageOf(request))),
      calendarFeedUrl: can(user, 'live-sessions:feed') ? await calendarFeed.feedUrl(user.id) : undefined,
    });
  });

  // A new calendar address, for one that has leaked: the old one stops working at once.
  router.post('/account/calendar-feed/reset', authorize('live-sessions:feed'), async (request, response) => {
    await calendarFeed.resetFeedUrl(signedInUser(request).id);
    flash(request, 'success', 'accounts:calendarFeed.resetDone');
    response.redirect(303, '/account');
  });

  router.post('/account/verification', authorize('profile:update'), async (request, response) => {
    await accounts.auth.sendEmailVerification(signedInUser(request).id);
    flash(request, 'info', 'accounts:account.verificationSent');
    response.redirect(303, '/account');
  });

  router.get('/account/edit', authorize('profile:update'), async (request, response) => {
    const profile = await accounts.service.getProfile(signedInUser(request).id);
    response.render('accounts/account-edit', editPage(request.t, emptyForm(profileValues(profile))));
  });

  router.post('/account/edit', authorize('profile:update'), async (request, response) => {
    const values = readForm(request.body, PROFILE_FIELDS);
    if (pressedButton(request.body) === LOAD_MUNICIPALITIES) {
      response.render('accounts/account-edit', editPage(request.t, emptyForm(values)));
      return;
    }
    try {
      // Every field is on the form: an optional one left blank is one to clear.
      const submitted: Record<string, unknown> = { ...values };
      for (const field of CLEARABLE_FIELDS) if (submitted[field] === undefined || submitted[field] === '') submitted[field] = null;
      const input = parseInput(profileUpdateSchema, submitted, request.t);
      await accounts.service.updateProfile(signedInUser(request).id, input);
    } catch (error) {
      const errors = fieldMessagesOf(error, request.t);
      response.status(isAppError(error) ? error.status : 400).render('accounts/account-edit', editPage(request.t, { values, errors }));
      return;
    }
    flash(request, 'success', 'accounts:edit.saved');
    response.redirect(303, '/account');
  });

  // The same export as GET /api/v1/me/export, as a file to keep.
  router.get('/account/export', authorize('profile:export'), async (request, response) => {
    const data = await accounts.service.exportPersonalData(signedInUser(request).id);
    response.set('Content-Disposition', 'attachment; filename="capacita-mis-datos.json"');
    response.type('application/json').send(`${JSON.stringify(data, null, 2)}\n`);
  });

  router.get('/account/delete', authorize('account:delete'), async (request, response) => {
    const profile = await accounts.service.getProfile(signedInUser(request).id);
    response.render('accounts/account-delete', deletePage(request.t, emptyForm(), profile.hasPassword));
  });

  router.post('/account/delete', authorize('account:delete'), async (request, response) => {
    const user = signedInUser(request);
    const values = readForm(request.body, ['password']);
    try {
      await accounts.service.deleteAccount(user.id, typeof values.password === 'string' ? values.password : undefined);
    } catch (error) {
      const errors = fieldMessagesOf(error, request.t);
      const profile = await accounts.service.getProfile(user.id);
      response.status(400).render('accounts/account-delete', deletePage(request.t, { values: {}, errors }, profile.hasPassword));
      return;
    }
    await signOut(request);
    flash(request, 'info', 'accounts:delete.done');
    response.redirect(303, '/');
  });

  return router;
}
