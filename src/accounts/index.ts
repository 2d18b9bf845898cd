/**
 * Accounts: people, their profiles and consents, sign-in (passwords, API tokens, mail
 * links), roles, and the admin's management of all of it. The module's public face.
 */
import { createAccountsService, type AccountsDependencies } from './accounts.service.js';
import { createAuthService } from './auth.service.js';
import { createImportService } from './import.service.js';

export type { AccountsDependencies, Contact, ExportSection } from './accounts.service.js';
export type { Profile } from './profile.js';
export { displayName } from './profile.js';
export { accountsApiRouter } from './accounts.api.js';
export { accountsWebRouter, type AccountsWebDependencies } from './accounts.web.js';
export { adminUsersWebRouter } from './admin.web.js';
export { consentGate } from './privacy.web.js';
export { territoryPicker, LOAD_MUNICIPALITIES } from './profile-form.js';
export * as accountSchemas from './accounts.schemas.js';

export function createAccounts(deps: AccountsDependencies) {
  return {
    service: createAccountsService(deps),
    auth: createAuthService(deps),
    importer: createImportService(deps),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
