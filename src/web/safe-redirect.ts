/**
 * Where to go after signing in (`?next=`): only a path on this site. Anything that a
 * browser could read as another origin — `//evil.example`, `/\evil.example`,
 * `https://evil.example`, `javascript:` — falls back to the default.
 */
const PLACEHOLDER_ORIGIN = 'http://capacita.invalid';

export function safeNextPath(candidate: unknown, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 2000) return fallback;
  // One leading slash, then not a second slash or backslash; no control characters
  // (browsers drop tabs and newlines, which would turn `/\t/evil` into `//evil`).
  if (!isSameSitePath(candidate) || /[\\\u0000-\u001f\u007f]/.test(candidate)) return fallback;
  let url: URL;
  try {
    url = new URL(candidate, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments are resolved by the parse: `/.//evil.example` and `/a/..//evil.example`
  // come out as `//evil.example`, which a browser reads as another host.
  return isSameSitePath(path) ? path : fallback;
}

/** A path a browser resolves on this site: one leading slash, not two, not a backslash. */
export function isSameSitePath(path: string): boolean {
  return /^\/(?![/\\])/.test(path);
}

/**
 * The path of a parsed request URL, safe to print in a link: dot segments can leave
 * it starting with `//` (`/.//evil.example` → `//evil.example`), a link to another host.
 */
export function sameSitePathname(url: URL): string {
  return url.pathname.replace(/^\/+/, '/');
}
