import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import i18next, { type i18n } from 'i18next';
import { LanguageDetector, handle } from 'i18next-http-middleware';

/** Spanish (es-CO) first; English available. */
export const SUPPORTED_LANGUAGES = ['es', 'en'] as const;
export const DEFAULT_LANGUAGE = 'es';

function catalog(language: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./locales/${language}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** A separate i18next instance per app, so tests and processes never share state. */
export function createI18n(): i18n {
  const instance = i18next.createInstance();
  void instance.use(LanguageDetector).init({
    initAsync: false, // resources are in memory: ready when init returns
    resources: Object.fromEntries(SUPPORTED_LANGUAGES.map((language) => [language, { translation: catalog(language) }])),
    supportedLngs: [...SUPPORTED_LANGUAGES],
    fallbackLng: DEFAULT_LANGUAGE,
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    interpolation: { escapeValue: false }, // EJS escapes on output
    detection: {
      order: ['querystring', 'cookie', 'header'],
      lookupQuerystring: 'lang',
      lookupCookie: 'lang',
      caches: ['cookie'],
      cookieSameSite: 'lax',
    },
  });
  return instance;
}

/** Puts `t` and the language on every request and into the views. */
export function i18nMiddleware(instance: i18n): RequestHandler {
  return handle(instance);
}
