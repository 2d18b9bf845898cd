import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { ROLES } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import { bearerToken } from '../web/bearer.js';
import { authorize } from '../web/guards.js';
import { pageQuerySchema } from '../web/pagination.js';
import { fieldErrors, parseInput } from '../web/validate.js';
import {
  accountDeletionSchema,
  adminUserSchema,
  credentialsSchema,
  emailVerificationSchema,
  passwordResetRequestSchema,
  passwordResetSchema,
  profileUpdateSchema,
  registrationSchema,
  rolesUpdateSchema,
} from './accounts.schemas.js';
import type { Accounts } from './index.js';

/** API.md, "Accounts and auth". Routes own HTTP; the services own the rules. */

const userListQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(100).optional(),
  role: z.enum(ROLES).optional(),
});
const importQuerySchema = z.object({ atomic: z.enum(['true', 'false']).default('true') });

/** The signed-in person; the route's guard has already made sure there is one. */
function actorOf(request: Request): Express.User {
  if (!request.user) throw new AppError('unauthenticated', 'Authentication is required.');
  return request.user;
}

function idParam(request: Request): string {
  const id = request.params.id;
  return typeof id === 'string' ? id : '';
}

function translateKeys(fields: Record<string, string>, request: Request): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, message.startsWith('validation.') ? request.t(message) : message]));
}

export function accountsApiRouter(accounts: Accounts): Router {
  const router = Router();

  router.post('/accounts', async (request, response) => {
    const input = parseInput(registrationSchema, request.body, request.t);
    const profile = await accounts.service.register(input, request.i18n?.resolvedLanguage ?? 'es');
    await accounts.auth.sendWelcomeVerification(profile.id);
    response.status(201).json(profile);
  });

  router.post('/auth/tokens', async (request, response) => {
    const { email, password } = parseInput(credentialsSchema, request.body, request.t);
    const actor = await accounts.auth.authenticate(email, password, request.ip ?? 'unknown');
    response.status(201).json(await accounts.auth.issueApiToken(actor));
  });

  router.delete('/auth/tokens/current', authorize('profile:read'), async (request, response) => {
    await accounts.auth.revokeApiToken(bearerToken(request.headers.authorization) ?? '');
    response.status(204).end();
  });

  router.post('/auth/password-reset', async (request, response) => {
    const { email } = parseInput(passwordResetRequestSchema, request.body, request.t);
    // Answered before the lookup and the mail, so the time taken says nothing about
    // whether the address has an account.
    accounts.auth.requestPasswordReset(email).catch((error: unknown) => request.log.error({ err: error }, 'password reset request failed'));
    response.status(202).json({ status: 'accepted' });
  });

  router.post('/auth/password-reset/confirm', async (request, response) => {
    const { token, password } = parseInput(passwordResetSchema, request.body, request.t);
    await accounts.auth.resetPassword(token, password);
    response.status(204).end();
  });

  router.post('/auth/email-verification', async (request, response) => {
    const { token } = parseInput(emailVerificationSchema, request.body, request.t);
    await accounts.auth.verifyEmail(token);
    response.status(204).end();
  });

  router.get('/me', authorize('profile:read'), async (request, response) => {
    response.json(await accounts.service.getProfile(actorOf(request).id));
  });

  router.patch('/me', authorize('profile:update'), async (request, response) => {
    const input = parseInput(profileUpdateSchema, request.body, request.t);
    response.json(await accounts.service.updateProfile(actorOf(request).id, input));
  });

  router.post('/me/email-verification', authorize('profile:update'), async (request, response) => {
    await accounts.auth.sendEmailVerification(actorOf(request).id);
    response.status(202).json({ status: 'accepted' });
  });

  router.get('/me/export', authorize('profile:export'), async (request, response) => {
    response.set('Content-Disposition', 'attachment; filename="capacita-mis-datos.json"');
    response.json(await accounts.service.exportPersonalData(actorOf(request).id));
  });

  router.delete('/me', authorize('account:delete'), async (request, response) => {
    const { password } = parseInput(accountDeletionSchema, request.body, request.t);
    await accounts.service.deleteAccount(actorOf(request).id, password);
    response.status(204).end();
  });

  router.get('/users', authorize('users:list'), async (request, response) => {
    const query = parseInput(userListQuerySchema, request.query, request.t);
    response.json(await accounts.service.listUsers({ search: query.q, role: query.role, limit: query.limit, cursor: query.cursor }));
  });

  router.post('/users', authorize('users:create'), async (request, response) => {
    const input = parseInput(adminUserSchema, request.body, request.t);
    response.status(201).json(await accounts.service.createUser(input));
  });

  router.get('/users/:id', authorize('users:list'), async (request, response) => {
    response.json(await accounts.service.getProfile(idParam(request)));
  });

  router.put('/users/:id/roles', authorize('users:update-roles'), async (request, response) => {
    const { roles } = parseInput(rolesUpdateSchema, request.body, request.t);
    response.json(await accounts.service.setRoles(actorOf(request), idParam(request), roles));
  });

  router.post('/users/:id/deactivate', authorize('users:deactivate'), async (request, response) => {
    response.json(await accounts.service.setActive(actorOf(request), idParam(request), false));
  });

  router.post('/users/:id/activate', authorize('users:deactivate'), async (request, response) => {
    response.json(await accounts.service.setActive(actorOf(request), idParam(request), true));
  });

  router.post(
    '/users/import',
    authorize('users:import'),
    express.text({ type: ['text/csv', 'application/csv'], limit: '10mb' }),
    async (request, response) => {
      if (typeof request.body !== 'string') {
        throw new AppError('validation_failed', 'Send the CSV file with Content-Type: text/csv.', { fields: { file: 'validation.invalidFormat' } });
      }
      const { atomic } = parseInput(importQuerySchema, request.query, request.t);
      const result = await accounts.importer.importUsers(actorOf(request), request.body, {
        isAtomic: atomic === 'true',
        fieldErrors: (error) => fieldErrors(error, request.t),
      });
      response.json({ ...result, errors: result.errors.map((error) => ({ row: error.row, fields: translateKeys(error.fields, request) })) });
    },
  );

  return router;
}
