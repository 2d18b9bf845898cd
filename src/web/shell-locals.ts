import type { Request, RequestHandler } from 'express';
import { formatCalendarDay, formatDate, formatDateTime } from './dates.js';
import { languageOf, SUPPORTED_LANGUAGES } from './i18n.js';
import { navigationFor } from './navigation.js';
import { sameSitePathname } from './safe-redirect.js';
import './request-user.js';

/**
 * What the layout needs on every page: who is signed in, the menu for their roles, the
 * language switch, and date formatting in Bogotá time. Pages of a signed-in person hold
 * personal data, so no browser or proxy may keep a copy of them.
 */

export interface LanguageLink {
  language: string;
  href: string;
  isCurrent: boolean;
}

/** The same page in each language (the query string is kept, `lang` replaced). */
function languageLinks(request: Request, current: string): LanguageLink[] {
  const url = new URL(request.originalUrl, 'http://capacita.invalid');
  return SUPPORTED_LANGUAGES.map((language) => {
    url.searchParams.set('lang', language);
    return { language, href: `${sameSitePathname(url)}${url.search}`, isCurrent: language === current };
  });
}

export const shellLocals: RequestHandler = (request, response, next) => {
  const language = languageOf(request);
  const path = sameSitePathname(new URL(request.originalUrl, 'http://capacita.invalid'));
  const locals = response.locals;
  locals.currentPath = path;
  locals.currentUser = request.user ? { email: request.user.email, roles: request.user.roles } : undefined;
  locals.navigation = navigationFor(request.user, path, request.t);
  locals.languageLinks = languageLinks(request, language);
  locals.formatDateTime = (instant: Date | string): string => formatDateTime(instant, language);
  locals.formatDate = (instant: Date | string): string => formatDate(instant, language);
  locals.formatCalendarDay = (day: string): string => formatCalendarDay(day, language);
  if (request.user) response.set('Cache-Control', 'no-store');
  next();
};
