import { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { ROLES, type Role } from '../shared/authorization.js';
import { isAppError } from '../shared/errors.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, listValue, pressedButton, readForm } from '../web/form-input.js';
import { formatCalendarDay, formatDate, formatDateTime } from '../web/dates.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { fieldErrors, parseInput } from '../web/validate.js';
import { adminUserSchema, CSV_COLUMNS, rolesUpdateSchema } from './accounts.schemas.js';
import type { Accounts } from './index.js';
import { displayName, type Profile } from './profile.js';
import { fieldsOf, LOAD_MUNICIPALITIES, PROFILE_FIELDS, profileGroups, profileRows, roleChoices, type FieldGroup } from './profile-form.js';

/**
 * The administrators' pages for people, mounted at /admin/users: find someone, create
 * an account, change roles, deactivate, and import learners from a CSV file. Each route
 * names its permission (src/shared/authorization.ts); managers may import.
 */

const PAGE_SIZE = 25;

const listQuerySchema = z.strictObject({
  q: z.string().trim().max(100).optional(),
  role: z.enum(ROLES).optional(),
  cursor: z.string().max(100).optional(),
});

const NEW_USER_FIELDS = ['email', 'password', 'roles', ...PROFILE_FIELDS] as const;

function roleLabels(t: TFunction, roles: readonly Role[]): string {
  return roles.map((role) => t(`accounts:enums.role.${role}`)).join(', ');
}

function listUrl(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const search = params.toString();
  return search ? `/admin/users?${search}` : '/admin/users';
}

function newUserPage(t: TFunction, state: FormState) {
  const field = fieldBuilder(state);
  const access: FieldGroup = {
    legend: t('accounts:form.groups.access'),
    fields: [
      field.input('email', { label: t('accounts:fields.email.label'), type: 'email', autocomplete: 'off', spellcheck: false }),
      field.input('password', { label: t('accounts:fields.password.label'), hint: t('accounts:admin.new.passwordHint'), type: 'password', autocomplete: 'new-password', isOptional: true }),
      field.checkboxes('roles', { label: t('accounts:fields.roles.label'), choices: roleChoices(t) }),
    ],
  };
  const groups = [access, ...profileGroups(t, state)];
  return { title: t('accounts:admin.new.title'), groups, summary: errorSummary(state.errors, fieldsOf(groups)), scripts: ['/js/territories.js'] };
}

function importPage(t: TFunction, state: FormState, result?: ImportView) {
  const field = fieldBuilder(state);
  const fields = [
    field.textarea('csv', { label: t('accounts:admin.import.csvLabel'), hint: t('accounts:admin.import.csvHint'), rows: 10 }),
    field.checkbox('atomic', { label: t('accounts:admin.import.atomicLabel'), hint: t('accounts:admin.import.atomicHint') }),
  ];
  return {
    title: t('accounts:admin.import.title'),
    fields,
    summary: errorSummary(state.errors, fields),
    columns: CSV_COLUMNS,
    result,
    scripts: ['/js/file-to-textarea.js'],
  };
}

interface ImportView {
  created: number;
  skipped: number;
  wasAtomic: boolean;
  problems: Array<{ row: number; field: string; message: string }>;
}

function idParam(request: Request): string {
  return String(request.params.id ?? '');
}

export function adminUsersWebRouter(accounts: Accounts): Router {
  const router = Router();

  async function renderUser(request: Request, response: Response, profile: Profile, rolesState?: FormState, status = 200): Promise<void> {
    const t = request.t;
    const language = languageOf(request);
    const state = rolesState ?? emptyForm({ roles: profile.roles });
    const rolesField = fieldBuilder(state).checkboxes('roles', { label: t('accounts:fields.roles.label'), choices: roleChoices(t) });
    response.status(status).render('accounts/admin/user', {
      title: displayName(profile),
      profile,
      rows: profileRows(t, profile, (day) => formatCalendarDay(day, language)),
      createdAt: formatDateTime(profile.createdAt, language),
      statusLabel: t(`accounts:enums.status.${profile.status}`),
      rolesField,
      summary: errorSummary(state.errors, [rolesField]),
      isSelf: signedInUser(request).id === profile.id,
    });
  }

  router.get('/', authorize('users:list'), async (request, response) => {
    const t = request.t;
    const query = parseInput(listQuerySchema, readForm(request.query, ['q', 'role', 'cursor']), t);
    const page = await accounts.service.listUsers({ search: query.q, role: query.role, limit: PAGE_SIZE, cursor: query.cursor });
    const filter = fieldBuilder(emptyForm({ q: query.q, role: query.role }));
    response.render('accounts/admin/users', {
      title: t('accounts:admin.users.title'),
      searchField: filter.input('q', { label: t('accounts:admin.users.searchLabel'), hint: t('accounts:admin.users.searchHint'), type: 'search' }),
      roleField: filter.select('role', { label: t('accounts:admin.users.roleLabel'), choices: roleChoices(t), placeholder: t('accounts:admin.users.allRoles') }),
      isFiltered: Boolean(query.q || query.role || query.cursor),
      users: page.items.map((user) => ({
        href: `/admin/users/${user.id}`,
        name: displayName(user),
        email: user.email ?? '',
        roles: roleLabels(t, user.roles),
        status: user.status,
        statusLabel: t(`accounts:enums.status.${user.status}`),
        createdAt: formatDate(user.createdAt, languageOf(request)),
      })),
      nextPage: page.nextCursor ? listUrl({ q: query.q, role: query.role, cursor: page.nextCursor }) : undefined,
      firstPage: query.cursor ? listUrl({ q: query.q, role: query.role }) : undefined,
    });
  });

  router.get('/new', authorize('users:create'), (request, response) => {
    response.render('accounts/admin/user-new', newUserPage(request.t, emptyForm({ roles: ['learner'] })));
  });

  router.post('/new', authorize('users:create'), async (request, response) => {
    const values = readForm(request.body, NEW_USER_FIELDS);
    if (pressedButton(request.body) === LOAD_MUNICIPALITIES) {
      response.render('accounts/admin/user-new', newUserPage(request.t, emptyForm(values)));
      return;
    }
    let profile: Profile;
    try {
      profile = await accounts.service.createUser(parseInput(adminUserSchema, { ...values, roles: listValue(values, 'roles') }, request.t));
    } catch (error) {
      const errors = fieldMessagesOf(error, request.t);
      response.status(isAppError(error) ? error.status : 400).render('accounts/admin/user-new', newUserPage(request.t, { values, errors }));
      return;
    }
    if (!profile.hasPassword && profile.email) {
      // The person chooses their own password through the mailed link.
      await accounts.auth.sendInvitation(profile.id);
      flash(request, 'success', 'accounts:admin.new.createdWithLink', { email: profile.email });
    } else {
      flash(request, 'success', 'accounts:admin.new.created', { email: profile.email ?? '' });
    }
    response.redirect(303, `/admin/users/${profile.id}`);
  });

  router.get('/import', authorize('users:import'), (request, response) => {
    response.render('accounts/admin/import', importPage(request.t, emptyForm({ atomic: 'yes' })));
  });

  router.get('/import/template.csv', authorize('users:import'), (_request, response) => {
    response.set('Content-Disposition', 'attachment; filename="capacita-participantes.csv"');
    response.type('text/csv; charset=utf-8').send(`\uFEFF${CSV_COLUMNS.join(',')}\r\n`);
  });

  router.post('/import', authorize('users:import'), async (request, response) => {
    const t = request.t;
    const values = readForm(request.body, ['csv', 'atomic']);
    const csv = typeof values.csv === 'string' ? values.csv : '';
    if (!csv) {
      response.status(400).render('accounts/admin/import', importPage(t, { values, errors: { csv: t('validation.required') } }));
      return;
    }
    const isAtomic = values.atomic === 'yes';
    let outcome;
    try {
      outcome = await accounts.importer.importUsers(signedInUser(request), csv, { isAtomic, fieldErrors: (error) => fieldErrors(error, t) });
    } catch (error) {
      const { file, ...others } = fieldMessagesOf(error, t);
      response.status(400).render('accounts/admin/import', importPage(t, { values, errors: { ...others, ...(file ? { csv: file } : {}) } }));
      return;
    }
    const result: ImportView = {
      created: outcome.created,
      skipped: outcome.skipped,
      wasAtomic: isAtomic,
      problems: outcome.errors.flatMap(({ row, fields }) =>
        Object.entries(fields).map(([field, message]) => ({ row, field, message: message.startsWith('validation.') ? t(message) : message })),
      ),
    };
    // Keep the text when nothing was created, so that it can be corrected and sent again.
    const kept = outcome.created === 0 && result.problems.length > 0 ? values : { atomic: values.atomic };
    response.status(result.problems.length > 0 ? 422 : 200).render('accounts/admin/import', importPage(t, emptyForm(kept), result));
  });

  router.get('/:id', authorize('users:list'), async (request, response) => {
    await renderUser(request, response, await accounts.service.getProfile(idParam(request)));
  });

  router.post('/:id/roles', authorize('users:update-roles'), async (request, response) => {
    const id = idParam(request);
    const values = readForm(request.body, ['roles']);
    try {
      const { roles } = parseInput(rolesUpdateSchema, { roles: listValue(values, 'roles') }, request.t);
      await accounts.service.setRoles(signedInUser(request), id, roles);
    } catch (error) {
      if (isAppError(error) && error.details?.reason === 'last_admin') {
        const errors = { roles: request.t('accounts:admin.user.lastAdmin') };
        await renderUser(request, response, await accounts.service.getProfile(id), { values, errors }, 409);
        return;
      }
      const errors = fieldMessagesOf(error, request.t);
      await renderUser(request, response, await accounts.service.getProfile(id), { values, errors }, 400);
      return;
    }
    flash(request, 'success', 'accounts:admin.user.rolesSaved');
    response.redirect(303, `/admin/users/${id}`);
  });

  for (const [action, isActive] of [['deactivate', false], ['activate', true]] as const) {
    router.post(`/:id/${action}`, authorize('users:deactivate'), async (request, response) => {
      const id = idParam(request);
      try {
        await accounts.service.setActive(signedInUser(request), id, isActive);
      } catch (error) {
        if (!isAppError(error) || error.details?.reason !== 'self') throw error;
        flash(request, 'error', 'accounts:admin.user.cannotDeactivateSelf');
        response.redirect(303, `/admin/users/${id}`);
        return;
      }
      flash(request, 'success', isActive ? 'accounts:admin.user.activated' : 'accounts:admin.user.deactivated');
      response.redirect(303, `/admin/users/${id}`);
    });
  }

  return router;
}
