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
  if (!/^\/(?![/\\])/.test(candidate) || /[\\\u0000-\u001f\u007f]/.test(candidate)) return fallback;
  let url: URL;
  try {
    url = new URL(candidate, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
