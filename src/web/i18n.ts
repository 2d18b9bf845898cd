import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Request, RequestHandler } from 'express';
import i18next, { type i18n } from 'i18next';
import { LanguageDetector } from 'i18next-http-middleware';

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

/** Translations a language's memo keeps before it starts afresh (course titles and counts make the keys). */
const MAX_MEMOIZED_TRANSLATIONS = 10_000;

type Translate = i18n['t'];
type TranslateOptions = Record<string, unknown>;

function isPlainValue(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * `t` remembering what it answered: a page asks for the same labels on every request
 * (menu, footer, outline), and i18next's lookup — key parsing, namespaces, fallbacks,
 * plurals, interpolation — was a fifth of a lesson page's CPU. The catalogues never
 * change while the process runs, so a key with the same plain options always gives the
 * same text. Calls whose options hold objects (`returnObjects`, arrays) go to i18next.
 */
function memoizedTranslate(translate: Translate): Translate {
  // i18next's overloads do not survive a wrapper: it is called and returned untyped.
  const lookUp = translate as unknown as (...args: unknown[]) => unknown;
  const memo = new Map<string, string>();
  const memoized = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
    const isMemoizable =
      typeof key === 'string' &&
      rest.length === 0 &&
      (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options) && Object.values(options as TranslateOptions).every(isPlainValue)));
    if (!isMemoizable) return lookUp(key, options, ...rest);
    const memoKey = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`;
    const known = memo.get(memoKey);
    if (known !== undefined) return known;
    const text = options === undefined ? lookUp(key) : lookUp(key, options);
    if (typeof text !== 'string') return text;
    if (memo.size >= MAX_MEMOIZED_TRANSLATIONS) memo.clear();
    memo.set(memoKey, text);
    return text;
  };
  return memoized as unknown as Translate;
}

/** Detected languages (`es`, `es-CO`, `en-US`…) whose clone is kept; any further one gets a clone per request. */
const MAX_SHARED_CLONES = 32;

/**
 * Puts `t` and the language on every request and into the views, as i18next-http-middleware's
 * `handle` does, but without cloning the i18next instance for each request: that clone cost
 * more than rendering a plain page. A request only reads its instance (nothing calls
 * `changeLanguage` on it), so one clone per detected language is made once and shared.
 */
export function i18nMiddleware(instance: i18n): RequestHandler {
  const clones = new Map<string, { i18n: i18n; t: i18n['t']; exists: i18n['exists'] }>();
  const cloneFor = (language: string): { i18n: i18n; t: i18n['t']; exists: i18n['exists'] } => {
    const kept = clones.get(language);
    if (kept) return kept;
    const clone = instance.cloneInstance({ initAsync: false });
    void clone.changeLanguage(language); // resources are in memory: done when it returns
    const made = { i18n: clone, t: memoizedTranslate(clone.t.bind(clone)), exists: clone.exists.bind(clone) };
    if (clones.size < MAX_SHARED_CLONES) clones.set(language, made);
    return made;
  };
  const fallback = DEFAULT_LANGUAGE;
  return (request, response, next) => {
    const detected: unknown = instance.services.languageDetector?.detect(request, response);
    const language = typeof detected === 'string' && detected !== '' ? detected : fallback;
    const { i18n: clone, t, exists } = cloneFor(language);
    const extra = request as unknown as { locale: string; lng: string; resolvedLanguage: string | undefined };
    request.language = extra.locale = extra.lng = language;
    request.languages = instance.services.languageUtils.toResolveHierarchy(language);
    extra.resolvedLanguage = clone.resolvedLanguage;
    request.i18n = clone;
    request.t = t;
    // Detected codes are checked by the detector (isSafeLangIdentifier); the header takes only these characters anyway.
    const header = language.replace(/[^A-Za-z0-9-]/g, '');
    if (response.getHeader('Content-Language') !== header) response.setHeader('Content-Language', header);
    Object.assign(response.locals, { t, exists, i18n: clone, language, resolvedLanguage: clone.resolvedLanguage, languageDir: instance.dir(language) });
    instance.services.languageDetector?.cacheUserLanguage(request, response, language);
    next();
  };
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
