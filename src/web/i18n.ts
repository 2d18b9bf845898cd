import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import i18next, { type i18n } from 'i18next';
import { LanguageDetector, handle } from 'i18next-http-middleware';

/** Spanish (es-CO) first; English available. */
export const SUPPORTED_LANGUAGES = ['es', 'en'] as const;
export const DEFAULT_LANGUAGE = 'es';

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
