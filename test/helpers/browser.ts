import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Clock } from '../../src/shared/clock.js';
import { createTestApp, type TestApp } from './app.js';

/**
 * The real application on 127.0.0.1 (port 0) and Debian's chromium driven by
 * playwright-core, with a fresh profile per suite. Pages keep their real
 * Content-Security-Policy; axe-core is evaluated through the DevTools protocol, which a
 * page's CSP does not restrict, so the check does not weaken what it checks.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface BrowserHarness {
  testApp: TestApp;
  baseUrl: string;
  context: BrowserContext;
  /** A new tab, watched for script errors, CSP violations and failed resources (`pageProblems`). */
  newPage(): Promise<Page>;
}

const problemsOf = new WeakMap<Page, string[]>();

/**
 * `environment` is handed to the app's configuration (a suite's own COURSES_DIR, for one);
 * `clock`, to its services (a TestClock the suite moves: the browser keeps real time).
 */
export function useBrowserApp(environment: Record<string, string> = {}, clock?: Clock): () => BrowserHarness {
  let harness: BrowserHarness | undefined;
  let server: Server | undefined;
  let profile: string | undefined;

  before(async function () {
    this.timeout(60_000);
    const testApp = await createTestApp(environment, clock);
    server = createServer(testApp.app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'capacita-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      locale: 'es-CO',
      timezoneId: 'America/Bogota',
      viewport: { width: 1280, height: 900 },
    });
    harness = {
      testApp,
      baseUrl,
      context,
      async newPage() {
        const page = await context.newPage();
        const problems: string[] = [];
        problemsOf.set(page, problems);
        page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
        });
        // A page answered 400 (a refused form) is expected; a stylesheet, script or
        // image that fails is not.
        page.on('response', (response) => {
          if (!response.request().isNavigationRequest() && response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
        });
        page.on('requestfailed', (request) => {
          const reason = request.failure()?.errorText ?? '';
          // A request the browser itself dropped because the page moved on (the favicon
          // of a page left at once, say) is not a broken resource.
          if (reason === 'net::ERR_ABORTED') return;
          problems.push(`failed: ${request.url()} ${reason}`);
        });
        return page;
      },
    };
  });

  after(async function () {
    this.timeout(30_000);
    await harness?.context.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await harness?.testApp.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  return () => {
    if (!harness) throw new Error('useBrowserApp: the suite has not started');
    return harness;
  };
}

/** Script errors, CSP violations and failed sub-resources seen on the page so far. */
export function pageProblems(page: Page): string[] {
  return [...(problemsOf.get(page) ?? [])];
}

let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and returns the
 * violations whose impact is serious or critical, printed so that a failure says what
 * to fix.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Strings, not functions: the tests are compiled without the DOM library.
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(axeSource);
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] };
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, ${JSON.stringify(options)}).then((results) => results.violations)`);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.helpUrl})\n${violation.nodes.map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`).join('\n')}`);
}

/** The page passes the accessibility check and showed no script error, CSP violation or failed resource. */
export async function expectSoundPage(page: Page): Promise<void> {
  const where = new URL(page.url()).pathname;
  const violations = await seriousAccessibilityViolations(page);
  expect(violations, `accessibility of ${where}:\n${violations.join('\n')}`).to.deep.equal([]);
  expect(pageProblems(page), `problems on ${where}`).to.deep.equal([]);
}

/**
 * Signs in through the login form as an account an operator made, which accepts the data
 * policy on its first sign-in: the page ends on the consent page's way on to `next`.
 */
export async function signInAndConsent(page: Page, baseUrl: string, account: { email: string; password: string }, next = '/'): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Correo electrónico').fill(account.email);
  await page.getByLabel('Contraseña').fill(account.password);
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await page.waitForURL(/\/consent\?next=/);
  await page.getByLabel('Autorizo el tratamiento de mis datos personales').check();
  await page.getByRole('button', { name: 'Continuar' }).click();
}
