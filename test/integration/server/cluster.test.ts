import { expect } from 'chai';
import { courseFixture, shortCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registrationBody } from '../../helpers/factories.js';
import { killAllChildren, spawnChild } from '../../helpers/processes.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';
import { Browser, eventually, listeningOf, spawnApp, waitForLines, waitUntilListening } from '../../helpers/app-processes.js';

const LISTENING = /Capacita listening on/;

/** Whether a process with this id exists (a signal 0 probes without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * `WEB_CONCURRENCY=2 npm start` on the embedded database: the primary runs the engine
 * and two workers serve on one port, sharing everything through the database. The
 * primary hands connections to the workers in turn (round robin, node's default on
 * Linux, set explicitly here), and the test's browser opens a connection per request, so
 * consecutive requests reach different workers.
 */
describe('WEB_CONCURRENCY=2: a cluster of workers on the embedded database', function () {
  this.timeout(90_000);
  const makeDirectory = useTempDirectories('cluster');
  let fixture: CourseFixture | undefined;
  after(() => {
    killAllChildren();
    fixture?.cleanUp();
  });

  it('serves from two workers on one port with shared sessions, replaces a killed worker, stops cleanly on SIGTERM and keeps the data', async () => {
    const dataDir = makeDirectory();
    fixture = courseFixture(shortCourseFiles('curso-corto', { title: 'Curso corto' }));
    const env = { DATA_DIR: dataDir, COURSES_DIR: fixture.root, NODE_CLUSTER_SCHED_POLICY: 'rr' };
    const primary = spawnApp({ ...env, WEB_CONCURRENCY: '2' });
    const primaryPid = primary.child.pid!;

    // Two workers, each announcing itself, on the one port the primary holds.
    const workers = (await waitForLines(primary, LISTENING, 2, 45_000)).map(listeningOf);
    const [first, second] = workers;
    expect(first!.url).to.equal(second!.url);
    expect(Number(new URL(first!.url).port)).to.be.above(0);
    expect(first!.pid).to.be.a('number');
    expect(new Set([first!.pid, second!.pid, primaryPid]).size).to.equal(3);
    const url = first!.url;
    expect(primary.output.join('\n')).to.match(/"workers":2,"embeddedDatabase":true,"msg":"cluster started"/);

    // An account, then a session made through the login form (two requests, two workers).
    const person = registrationBody({ givenName: 'Rosalba', familyName: 'Trabajadora' });
    const registered = await fetch(`${url}/api/v1/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(person) });
    expect(registered.status).to.equal(201);
    const credentials = { email: String(person.email), password: String(person.password) };
    const browser = new Browser();
    await browser.signIn(url, credentials);
    const signedInPages = async (count: number): Promise<string[]> => {
      const pages = [];
      for (let index = 0; index < count; index += 1) pages.push(await browser.accountPage(url));
      return pages.map((page) => `${page.status} ${page.text.includes('Rosalba Trabajadora') ? 'signed in' : 'anonymous'}`);
    };
    const allSignedIn = (count: number): string[] => Array.from({ length: count }, () => '200 signed in');
    expect(await signedInPages(12)).to.deep.equal(allSignedIn(12));

    // `npm run user:create` next to the running cluster joins the primary's engine; it
    // runs while a worker is killed outright, and the primary says so and starts another.
    const created = spawnChild(process.execPath, ['--import', 'tsx', 'src/accounts/cli.ts', '--email', 'operadora@example.org', '--role', 'manager', '--password', 'clave-operadora-2026'], {
      env: { DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'warn' },
    });
    process.kill(first!.pid!, 'SIGKILL');
    await waitForLines(primary, /worker died; starting another/, 1);
    expect(primary.output.find((line) => line.includes('worker died'))).to.include(`"workerPid":${first!.pid}`);
    // The site keeps answering, from the other worker meanwhile, then from both.
    expect(await signedInPages(6)).to.deep.equal(allSignedIn(6));
    const replacement = listeningOf((await waitForLines(primary, LISTENING, 3, 45_000))[2]!);
    expect(replacement.url).to.equal(url);
    expect([first!.pid, second!.pid, primaryPid]).not.to.include(replacement.pid);
    expect(isAlive(first!.pid!)).to.equal(false);
    expect(await signedInPages(12)).to.deep.equal(allSignedIn(12));

    expect(await created.exited, created.output.join('\n')).to.equal(0);
    const token = await fetch(`${url}/api/v1/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'operadora@example.org', password: 'clave-operadora-2026' }),
    });
    expect(token.status).to.equal(201);

    // SIGTERM to the primary: the workers stop, then the database; exit 0 and nobody left.
    primary.child.kill('SIGTERM');
    expect(await primary.exited, primary.output.slice(-20).join('\n')).to.equal(0);
    expect(primary.output.join('\n')).to.include('"msg":"cluster stopped"');
    const survivors = await eventually(
      async () => [primaryPid, second!.pid!, replacement.pid!].filter(isAlive),
      (alive) => alive.length === 0,
      'every process of the cluster gone',
      10_000,
    );
    expect(survivors).to.deep.equal([]);
    const refused = await fetch(`${url}/healthz`).then(
      () => false,
      () => true,
    );
    expect(refused).to.equal(true);

    // Started again with one process on the same data directory: the account is there.
    const single = await waitUntilListening(spawnApp({ ...env, WEB_CONCURRENCY: '1' }));
    const again = new Browser();
    await again.signIn(single.url, credentials);
    const page = await again.accountPage(single.url);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Rosalba Trabajadora');
    expect(single.output.join('\n')).not.to.include('First administrator created');
    single.child.kill('SIGTERM');
    expect(await single.exited).to.equal(0);
  });
});
