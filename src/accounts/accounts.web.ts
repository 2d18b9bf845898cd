import { Router } from 'express';
import type { RateLimiter } from '../rate-limits/index.js';
import type { Logger } from '../shared/logger.js';
import type { WebPassport } from '../web/passport.js';
import { accountRouter, type CalendarFeedAddress } from './account.web.js';
import { authPagesRouter } from './auth.web.js';
import type { Accounts } from './index.js';
import { privacyRouter, type PrivacyPagesDependencies } from './privacy.web.js';
import { registrationRouter } from './registration.web.js';

/**
 * The accounts pages for people: register, sign in and out, the mailed links, "my
 * account", the privacy policy and consent. (The administrators' pages are in
 * admin.web.ts.) Each group lives in its own file; this only puts them together.
 */
export interface AccountsWebDependencies {
  accounts: Accounts;
  passport: WebPassport;
  rateLimiter: RateLimiter;
  logger: Logger;
  institution: PrivacyPagesDependencies['institution'];
  /** Ends every web session of a person (the web shell owns sessions). */
  endSessionsOf: (userId: string) => Promise<void>;
  /** The person's calendar feed, shown on "My account" (from live-sessions). */
  calendarFeed: CalendarFeedAddress;
}

export function accountsWebRouter({ accounts, passport, rateLimiter, logger, institution, endSessionsOf, calendarFeed }: AccountsWebDependencies): Router {
  const router = Router();
  router.use(authPagesRouter({ accounts, passport, rateLimiter, logger, endSessionsOf }));
  router.use(registrationRouter(accounts));
  router.use(accountRouter(accounts, calendarFeed));
  router.use(privacyRouter({ accounts, institution }));
  return router;
}
