import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { spawnChild, type ChildHandle } from './processes.js';
import { csrfTokenIn } from './web-session.js';
import { SESSION_COOKIE } from '../../src/web/session.js';

/**
 * Helpers of the suites that run Capacita as real processes (`node --import tsx
 * src/server.ts`, as `npm start` does): start one, read the address it announces, and
 * talk to it over HTTP as a browser would, holding the session cookie by hand so that
 * the same cookie can be carried from one process to another.
 */

export interface AppProcess extends ChildHandle {
  /** What it said it listens on, with the host pinned to IPv4 loopback. */
  url: string;
}

/** Starts `src/server.ts` with `env` on top of the test's environment (MONGODB_URI cleared unless given). */
export function spawnApp(env: NodeJS.ProcessEnv): ChildHandle {
  return spawnChild(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: '0', MONGODB_URI: '', WEB_CONCURRENCY: '1', ...env },
  });
}

/** A "Capacita listening on" log line, read: its address and, when it gives one, the process id. */
export function listeningOf(line: string): { url: string; pid: number | undefined } {
  const record = JSON.parse(line) as { url: string; pid?: number };
  // `localhost` may resolve to ::1 first, where a server on 0.0.0.0 does not listen.
  return { url: record.url.replace('//localhost:', '//127.0.0.1:'), pid: record.pid };
}

export async function waitUntilListening(handle: ChildHandle, timeoutMs = 45_000): Promise<AppProcess> {
  const line = await handle.waitForLine(/Capacita listening on/, timeoutMs);
  return Object.assign(handle, { url: listeningOf(line).url });
}

/** Resolves with the first `count` stdout lines matching `pattern` (waiting for them), rejects if the process exits first. */
export async function waitForLines(handle: ChildHandle, pattern: RegExp, count: number, timeoutMs = 30_000): Promise<string[]> {
  return eventually(
    async () => {
      if (handle.child.exitCode !== null || handle.child.signalCode !== null) {
        throw new Error(`process exited (${handle.child.exitCode ?? handle.child.signalCode}) before ${count} lines matching ${pattern}:\n${handle.output.join('\n')}`);
      }
      return handle.output.filter((line) => pattern.test(line)).slice(0, count);
    },
    (lines) => lines.length === count,
    `${count} lines matching ${pattern}`,
    timeoutMs,
  );
}

/** Polls `probe` until it answers something `isDone` accepts; fails with the last answer at the deadline. */
export async function eventually<T>(probe: () => Promise<T>, isDone: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface PageResponse {
  status: number;
  location: string | undefined;
  text: string;
}

/**
 * A browser reduced to one cookie: the session. Requests go to whichever server is
 * named, so a session made on one process can be presented to another. Each request
 * opens a connection of its own: a cluster hands connections to its workers in turn, so
 * consecutive requests reach different workers.
 */
export class Browser {
  cookie: string | undefined;

  request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<PageResponse> {
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const headers: Record<string, string> = { Connection: 'close' };
    if (this.cookie) headers.Cookie = `${SESSION_COOKIE}=${this.cookie}`;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const sent = httpRequest(url, { method: init.method ?? 'GET', headers, agent: false }, (response) => {
        for (const line of response.headers['set-cookie'] ?? []) {
          if (line.startsWith(`${SESSION_COOKIE}=`)) this.cookie = line.slice(SESSION_COOKIE.length + 1).split(';')[0];
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text: Buffer.concat(chunks).toString('utf8') }));
      });
      sent.on('error', reject);
      sent.end(body);
    });
  }

  /** Posts a form with the CSRF token of the page at `formPage` on the same server. */
  async postForm(base: string, path: string, fields: Record<string, string>, formPage = '/login?next=/account'): Promise<PageResponse> {
    const page = await this.request(`${base}${formPage}`);
    expect(page.status, `${formPage} on ${base}`).to.equal(200);
    return this.request(`${base}${path}`, { method: 'POST', form: { ...fields, _csrf: csrfTokenIn(page.text) } });
  }

  /** Signs in through the login form of `base`. */
  async signIn(base: string, credentials: { email: string; password: string }): Promise<void> {
    const response = await this.postForm(base, '/login', { email: credentials.email, password: credentials.password, next: '/account' });
    expect(response.status, 'sign-in').to.equal(303);
    expect(response.location).to.equal('/account');
  }

  async signOut(base: string): Promise<void> {
    const response = await this.postForm(base, '/logout', {}, '/account');
    expect(response.status, 'sign-out').to.equal(303);
  }

  /** The /account page: 200 with the person's name when signed in, else a redirect to /login. */
  accountPage(base: string): Promise<PageResponse> {
    return this.request(`${base}/account`);
  }
}
