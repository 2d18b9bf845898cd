import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Request, RequestHandler } from 'express';
import i18next, { type i18n } from 'i18next';
import { LanguageDetector, handle } from 'i18next-http-middleware';

/** Spanish (es-CO) first; English available. */
export const SUPPORTED_LANGUAGES = ['es', 'en'] as const;
export const DEFAULT_LANGUAGE = 'es';
export const LANGUAGE_COOKIE = 'lang';
const LANGUAGE_COOKIE_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;

const sourceRoot = new URL('../', import.meta.url);

/**
 * Each module keeps its own catalogue in `src/<module>/locales/<language>.json`, read as
 * the i18next namespace of that name (`t('accounts:login.title')`); the web shell's is
 * the default namespace (`t('app.name')`).
 */
function catalogues(language: string): Record<string, Record<string, unknown>> {
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const module of readdirSync(sourceRoot, { withFileTypes: true })) {
    if (!module.isDirectory()) continue;
    const file = new URL(`${module.name}/locales/${language}.json`, sourceRoot);
    if (existsSync(file)) namespaces[module.name] = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  }
  return namespaces;
}

/** A separate i18next instance per app, so tests and processes never share state. */
export function createI18n(): i18n {
  const instance = i18next.createInstance();
  void instance.use(LanguageDetector).init({
    initAsync: false, // resources are in memory: ready when init returns
    resources: Object.fromEntries(SUPPORTED_LANGUAGES.map((language) => [language, catalogues(language)])),
    defaultNS: 'web',
    fallbackNS: 'web',
    supportedLngs: [...SUPPORTED_LANGUAGES],
    fallbackLng: DEFAULT_LANGUAGE,
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    interpolation: { escapeValue: false }, // EJS escapes on output
    detection: {
      order: ['querystring', 'cookie', 'header'],
      lookupQuerystring: 'lang',
      lookupCookie: LANGUAGE_COOKIE,
      // Not cached on every response: the API and static files stay cookie-free. The
      // web shell remembers an explicit choice (rememberLanguageChoice).
      caches: [],
    },
  });
  return instance;
}

/** Puts `t` and the language on every request and into the views. */
export function i18nMiddleware(instance: i18n): RequestHandler {
  return handle(instance);
}

/** The language a request is answered in. */
export function languageOf(request: Request): string {
  return request.i18n?.resolvedLanguage ?? DEFAULT_LANGUAGE;
}

function isSupportedLanguage(value: unknown): value is (typeof SUPPORTED_LANGUAGES)[number] {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/** A page visited with `?lang=en` keeps that language for the visitor's next pages. */
export function rememberLanguageChoice({ isSecure }: { isSecure: boolean }): RequestHandler {
  return (request, response, next) => {
    const chosen = request.query.lang;
    if (isSupportedLanguage(chosen)) {
      response.cookie(LANGUAGE_COOKIE, chosen, { maxAge: LANGUAGE_COOKIE_MAX_AGE_MS, sameSite: 'lax', httpOnly: true, secure: isSecure, path: '/' });
    }
    next();
  };
}
