import type { Express } from 'express';
import request from 'supertest';
import type { Role } from '../../src/shared/authorization.js';
import { SESSION_COOKIE } from '../../src/web/session.js';

/**
 * A person using the HTML pages through supertest: a cookie jar (the session), the CSRF
 * token printed in the forms, and sign-in through the login form as a browser does it.
 */

export type Agent = ReturnType<typeof request.agent>;

export interface WebSession {
  agent: Agent;
  /** The current CSRF token, read from a page with a form. */
  csrf(): Promise<string>;
  /** Posts a form with the current CSRF token. */
  post(path: string, fields?: Record<string, string | string[]>): Promise<request.Response>;
  /** The session cookie's value as the browser holds it now. */
  sessionCookie(): string | undefined;
}

interface CookieJarLike {
  getCookies(access: { domain: string; path: string; secure: boolean; script: boolean }): Array<{ name: string; value: string }>;
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}

/** The value of the session cookie a response sets, if it sets one. */
export function sessionCookieOf(response: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const cookie = cookies.find((line) => line.startsWith(`${SESSION_COOKIE}=`));
  return cookie?.slice(SESSION_COOKIE.length + 1).split(';')[0];
}

/** All Set-Cookie lines of a response. */
export function cookiesOf(response: request.Response): string[] {
  return ([] as string[]).concat(response.headers['set-cookie'] ?? []);
}

export function webSession(app: Express): WebSession {
  const agent = request.agent(app);
  const csrf = async (): Promise<string> => {
    // Every page of a signed-in person has the sign-out form; /login has its own form.
    const page = await agent.get('/login?next=/account').redirects(5);
    return csrfTokenIn(page.text);
  };
  return {
    agent,
    csrf,
    async post(path, fields = {}) {
      // The token first: the agent attaches its cookies when the request is created.
      const token = await csrf();
      return agent.post(path).type('form').send({ ...fields, _csrf: token });
    },
    sessionCookie() {
      const jar = (agent as unknown as { jar: CookieJarLike }).jar;
      return jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).find((cookie) => cookie.name === SESSION_COOKIE)?.value;
    },
  };
}

/**
 * Signs in through the login form. Accounts made for people (admin, CSV, system) must
 * accept the privacy policy first; `acceptConsent` does that too, as the person would.
 */
export async function signInThroughForm(
  app: Express,
  credentials: { email: string; password: string },
  { acceptConsent = true }: { acceptConsent?: boolean } = {},
): Promise<WebSession> {
  const session = webSession(app);
  const response = await session.post('/login', { email: credentials.email, password: credentials.password, next: '/account' });
  if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
  if (acceptConsent && String(response.headers.location).startsWith('/consent')) {
    const consent = await session.post('/consent', { accept: 'yes', next: '/account' });
    if (consent.status !== 303) throw new Error(`consent failed with ${consent.status}`);
  }
  return session;
}

let accountSequence = 0;

/** An account with the given roles, made by an operator (no profile, no consent yet). */
export async function accountWithRoles(
  services: { accounts: { auth: { createSystemAccount(input: { email: string; roles: Role[]; password?: string }): Promise<unknown> } } },
  roles: Role[],
): Promise<{ email: string; password: string }> {
  accountSequence += 1;
  const email = `${roles.join('-')}.${Date.now().toString(36)}${accountSequence}@example.org`;
  const password = 'clave-de-prueba-web-2026';
  await services.accounts.auth.createSystemAccount({ email, roles, password });
  return { email, password };
}

/** The session id inside a signed cookie value (`s:<id>.<signature>`). */
export function sessionIdOf(cookieValue: string): string {
  return decodeURIComponent(cookieValue).replace(/^s:/, '').split('.')[0]!;
}
