import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from 'mongodb';
import { ObjectId } from 'mongodb';
import { percentile } from './helpers.js';

/**
 * The load scenario of issue 9 (item 2), as parts a benchmark and a test can share:
 *
 * - `scenarioCourse()` / `writeScenarioCourse(dir)`: a small course of its own (two
 *   modules, three short lessons, two quizzes) whose right answers the client knows,
 *   because the GIFT is generated here from the same answer key.
 * - `runLearners({ baseUrl, learners, concurrency, course })`: simulated learners register,
 *   sign in, enroll, read and complete every lesson, pass every quiz (some fail the first
 *   one once), and are told their certificate code. Returns the `Ledger`: what the server
 *   acknowledged (2xx bodies, and the 409s that mean "already done") and which requests
 *   were lost in flight (sent, no answer: the server may or may not have acted).
 * - `waitForQuiescence(db, ledger)`: polls the database until the work that follows the
 *   last response (certificate mail, outbox delivery) has settled, or a deadline passes.
 * - `checkConsistency(db, ledger)`: reads the database with the driver and compares every
 *   count with the ledger: zero lost, zero duplicated, zero 5xx (with `faultsInjected`,
 *   the unacknowledged extras lost requests may have left are allowed and listed apart).
 *
 * The client retries network errors and 502/503 with a small backoff up to a deadline,
 * reads `baseUrl()` again on each try (a restarted server may listen elsewhere), and
 * reads the answers a retry after a lost request can get: 409 duplicate email after a
 * registration (it was created: sign in), 409 already enrolled, 200 for an attempt in
 * progress given back, 409 with the first result for a submit.
 */

// ---------------------------------------------------------------------------------------------
// The course

type QuestionKey =
  | { id: string; type: 'single'; prompt: string; right: string; wrong: string[] }
  | { id: string; type: 'multiple'; prompt: string; right: string[]; wrong: string[] }
  | { id: string; type: 'true_false'; prompt: string; right: boolean }
  | { id: string; type: 'short_answer'; prompt: string; right: string; wrong: string }
  | { id: string; type: 'numeric'; prompt: string; right: number; wrong: number }
  | { id: string; type: 'matching'; prompt: string; pairs: Array<[string, string]> };

export interface ScenarioCourse {
  slug: string;
  title: string;
  /** In order: every lesson of every module. */
  lessons: Array<{ moduleSlug: string; slug: string }>;
  /** Module slug → the answer key of its quiz (question ids are the GIFT titles). */
  quizzes: Record<string, QuestionKey[]>;
  /** Path (relative to COURSES_DIR) → content. */
  files: Record<string, string>;
}

function giftOf(questions: QuestionKey[]): string {
  const lines = questions.map((question) => {
    const head = `::${question.id}:: ${question.prompt}`;
    switch (question.type) {
      case 'single':
        return `${head} {=${question.right} ${question.wrong.map((text) => `~${text}`).join(' ')}}`;
      case 'multiple': {
        const share = Math.floor(100 / question.right.length);
        return `${head} {${question.right.map((text) => `~%${share}%${text}`).join(' ')} ${question.wrong.map((text) => `~%-100%${text}`).join(' ')}}`;
      }
      case 'true_false':
        return `${head} {${question.right ? 'T' : 'F'}}`;
      case 'short_answer':
        return `${head} {=${question.right}}`;
      case 'numeric':
        return `${head} {#${question.right}:0}`;
      case 'matching':
        return `${head} {${question.pairs.map(([left, right]) => `=${left} -> ${right}`).join(' ')}}`;
    }
  });
  return `${lines.join('\n\n')}\n`;
}

/** A course of two modules (two lessons and one), each with a quiz; it certifies. */
export function scenarioCourse(slug = 'curso-de-carga'): ScenarioCourse {
  const quizzes: Record<string, QuestionKey[]> = {
    primero: [
      { id: 'p1-unica', type: 'single', prompt: 'Que entidad produce la DIVIPOLA?', right: 'El DANE', wrong: ['El ICBF', 'La Registraduria'] },
      { id: 'p1-vf', type: 'true_false', prompt: 'La DIVIPOLA asigna un codigo a cada municipio.', right: true },
      { id: 'p1-parejas', type: 'matching', prompt: 'Empareje cada codigo con su departamento.', pairs: [['05', 'Antioquia'], ['11', 'Bogota'], ['76', 'Valle del Cauca']] },
    ],
    segundo: [
      { id: 's2-varias', type: 'multiple', prompt: 'Cuales son mecanismos de participacion?', right: ['El cabildo abierto', 'La consulta popular'], wrong: ['El decreto'] },
      { id: 's2-corta', type: 'short_answer', prompt: 'Que sigla tiene el departamento de estadistica?', right: 'DANE', wrong: 'ICBF' },
      { id: 's2-numero', type: 'numeric', prompt: 'Cuantos departamentos tiene Colombia?', right: 32, wrong: 7 },
    ],
  };
  const lessons = [
    { moduleSlug: 'primero', slug: 'inicio', title: 'Inicio' },
    { moduleSlug: 'primero', slug: 'territorio', title: 'El territorio' },
    { moduleSlug: 'segundo', slug: 'cierre', title: 'Cierre' },
  ];
  const title = 'Curso de carga';
  const files: Record<string, string> = {
    [`${slug}/course.yaml`]: `title: ${title}
summary: Un curso corto para la prueba de carga.
hours: 2
language: es
modules:
  - slug: primero
    title: Primer modulo
    quiz:
      title: Evaluacion del primer modulo
      attemptsAllowed: 3
      shuffleOptions: true
  - slug: segundo
    title: Segundo modulo
    quiz:
      title: Evaluacion del segundo modulo
      shuffleQuestions: true
      shuffleOptions: true
completion:
  passingScore: 70
  minLiveSessionsAttended: 0
enrollment: open
certificate:
  enabled: true
  signatories:
    - name: Ana Perez
      role: Coordinacion academica
`,
  };
  const order = new Map<string, number>();
  for (const lesson of lessons) {
    const position = (order.get(lesson.moduleSlug) ?? 0) + 1;
    order.set(lesson.moduleSlug, position);
    files[`${slug}/${lesson.moduleSlug}/${String(position).padStart(2, '0')}-${lesson.slug}.md`] = `---\ntitle: ${lesson.title}\nminutes: 5\n---\n\n## ${lesson.title}\n\nTexto corto de la leccion.\n`;
  }
  for (const [moduleSlug, questions] of Object.entries(quizzes)) files[`${slug}/${moduleSlug}/quiz.gift`] = giftOf(questions);
  return { slug, title, lessons: lessons.map(({ moduleSlug, slug: lessonSlug }) => ({ moduleSlug, slug: lessonSlug })), quizzes, files };
}

/** Writes the course's files under `coursesDir` (the app's COURSES_DIR). */
export function writeScenarioCourse(coursesDir: string, course: ScenarioCourse): void {
  for (const [path, content] of Object.entries(course.files)) {
    mkdirSync(dirname(join(coursesDir, path)), { recursive: true });
    writeFileSync(join(coursesDir, path), content);
  }
}

interface AskedQuestion {
  id: string;
  type: string;
  options?: Array<{ id: string; text: string }>;
  left?: Array<{ id: string; text: string }>;
  right?: Array<{ id: string; text: string }>;
}

/** The answers to an attempt's questions, right or all wrong, from the key (options found by their text). */
export function answersFor(questions: AskedQuestion[], key: QuestionKey[], right: boolean): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  const idOf = (choices: Array<{ id: string; text: string }> | undefined, text: string, questionId: string): string => {
    const found = choices?.find((choice) => choice.text === text);
    if (!found) throw new Error(`question ${questionId}: no choice "${text}" among ${JSON.stringify(choices)}`);
    return found.id;
  };
  for (const asked of questions) {
    const question = key.find((candidate) => candidate.id === asked.id);
    if (!question || question.type !== asked.type) throw new Error(`question ${asked.id} (${asked.type}) is not in the answer key`);
    switch (question.type) {
      case 'single':
        answers[asked.id] = idOf(asked.options, right ? question.right : question.wrong[0]!, asked.id);
        break;
      case 'multiple':
        answers[asked.id] = (right ? question.right : question.wrong).map((text) => idOf(asked.options, text, asked.id));
        break;
      case 'true_false':
        answers[asked.id] = right ? question.right : !question.right;
        break;
      case 'short_answer':
        answers[asked.id] = right ? question.right : question.wrong;
        break;
      case 'numeric':
        answers[asked.id] = right ? question.right : question.wrong;
        break;
      case 'matching': {
        const rights = question.pairs.map(([, rightText]) => rightText);
        answers[asked.id] = Object.fromEntries(
          question.pairs.map(([leftText], index) => [
            idOf(asked.left, leftText, asked.id),
            // Wrong: every left gets the next pair's right.
            idOf(asked.right, right ? rights[index]! : rights[(index + 1) % rights.length]!, asked.id),
          ]),
        );
        break;
      }
    }
  }
  return answers;
}

// ---------------------------------------------------------------------------------------------
// The ledger

export const REQUEST_KINDS = ['course', 'register', 'sign-in', 'enroll', 'lesson-read', 'lesson-complete', 'attempt-start', 'attempt-submit', 'my-enrollments'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface KindStats {
  /** Tries that got an answer, by status. */
  statuses: Record<string, number>;
  /** Milliseconds of each try that got an answer. */
  latencies: number[];
  /** Tries sent whose answer never came (reset, closed, timed out): the server may have acted. */
  lost: number;
  /** Tries refused before they reached the server (ECONNREFUSED): it cannot have acted. */
  refused: number;
}

export interface LostRequest {
  kind: RequestKind;
  method: string;
  path: string;
  learner: number | null;
  error: string;
  at: string;
}

export interface LedgerAttempt {
  attemptId: string;
  quizId: string;
  moduleSlug: string;
  /** Answered 201 (a new attempt) or 200 (one in progress given back). */
  startStatus: number;
  /** Meant to pass (right answers) or to fail (all wrong). */
  intended: 'pass' | 'fail';
  /** The result the server told (200, or 409 with the first result after a lost submit); null if never told. */
  result: { score: number; passed: boolean; told: 'submitted' | 'conflict' } | null;
}

export interface LedgerLearner {
  index: number;
  email: string;
  documentNumber: string;
  failsFirst: boolean;
  userId: string | null;
  /** 201, or 409 after a lost try (it had been created). */
  registration: 'created' | 'conflict_after_lost' | null;
  enrollment: { id: string | null; told: 'created' | 'already_enrolled' } | null;
  lessonsCompleted: string[];
  attempts: LedgerAttempt[];
  /** `/me/enrollments` said completed. */
  completed: boolean;
  certificateCode: string | null;
  done: boolean;
  error: string | null;
}

export interface Ledger {
  runId: string;
  courseSlug: string;
  learners: LedgerLearner[];
  requests: Record<RequestKind, KindStats>;
  lost: LostRequest[];
  /** Every 5xx answer by status (500 is always a failure; 502/503 are retried). */
  serverErrors: Record<string, number>;
  startedAt: string;
  durationMs: number;
}

export interface RunOptions {
  /** The app's origin, read again on every try (a restarted server may listen elsewhere). */
  baseUrl: () => string;
  learners: number;
  /** Learners in flight at once (default 50). */
  concurrency?: number;
  course: ScenarioCourse;
  /** Share of learners who fail the first quiz once before passing (default 0.2). */
  failFirstShare?: number;
  /** A request is retried (network errors, 502, 503) until this long after its first try (default 60 s). */
  retryDeadlineMs?: number;
  /** One try is abandoned after this long: counted as lost (default 60 s). */
  requestTimeoutMs?: number;
  /** How long a learner who completed waits to be told the certificate code (default 30 s). */
  certificateWaitMs?: number;
  /** Called after each learner has finished (done or failed). */
  onLearnerFinished?: (learner: LedgerLearner, finished: number) => void;
}

class LearnerFailure extends Error {}

interface Answer {
  status: number;
  body: any;
  /** An earlier try of this request was sent and never answered, or answered 502/503: a 409 may mean "done by that try". */
  hadLostTry: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** ECONNREFUSED: the request never reached the server. Anything else after sending: it may have. */
function networkErrorOf(error: unknown): { code: string; wasSent: boolean } {
  const cause = (error as { cause?: { code?: string; name?: string; message?: string } }).cause;
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return { code: 'timeout', wasSent: true };
  const code = cause?.code ?? cause?.name ?? (error as { code?: string }).code ?? 'network';
  return { code, wasSent: !['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT'].includes(code) };
}

function emptyStats(): Record<RequestKind, KindStats> {
  return Object.fromEntries(REQUEST_KINDS.map((kind): [RequestKind, KindStats] => [kind, { statuses: {}, latencies: [], lost: 0, refused: 0 }])) as Record<RequestKind, KindStats>;
}

const errorCodeOf = (answer: Answer): string => `${answer.status}${answer.body?.error?.code ? ` ${answer.body.error.code}` : ''}${answer.body?.error?.details?.reason ? ` (${answer.body.error.details.reason})` : ''}`;

export async function runLearners(options: RunOptions): Promise<Ledger> {
  const concurrency = Math.max(1, options.concurrency ?? 50);
  const failFirstShare = options.failFirstShare ?? 0.2;
  const retryDeadlineMs = options.retryDeadlineMs ?? 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const certificateWaitMs = options.certificateWaitMs ?? 30_000;
  const { course } = options;
  const runId = randomBytes(4).toString('hex');
  const started = performance.now();
  const ledger: Ledger = {
    runId,
    courseSlug: course.slug,
    learners: [],
    requests: emptyStats(),
    lost: [],
    serverErrors: {},
    startedAt: new Date().toISOString(),
    durationMs: 0,
  };

  async function call(kind: RequestKind, learner: number | null, method: string, path: string, init: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const deadline = Date.now() + retryDeadlineMs;
    const stats = ledger.requests[kind];
    let hadLostTry = false;
    for (let attempt = 0; ; attempt += 1) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const tryStarted = performance.now();
      let retryable: string;
      try {
        const response = await fetch(`${options.baseUrl()}${path}`, {
          method,
          headers,
          ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        const text = await response.text();
        stats.latencies.push(performance.now() - tryStarted);
        stats.statuses[response.status] = (stats.statuses[response.status] ?? 0) + 1;
        if (response.status >= 500) ledger.serverErrors[response.status] = (ledger.serverErrors[response.status] ?? 0) + 1;
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = { raw: text.slice(0, 200) };
        }
        if (response.status !== 502 && response.status !== 503) return { status: response.status, body, hadLostTry };
        // A 503 can come from a request the database dropped out of half-way, after some of
        // its writes: like a lost answer, the retry may find the work (partly) done.
        hadLostTry = true;
        retryable = String(response.status);
      } catch (error) {
        const { code, wasSent } = networkErrorOf(error);
        if (wasSent) {
          hadLostTry = true;
          stats.lost += 1;
          ledger.lost.push({ kind, method, path, learner, error: code, at: new Date().toISOString() });
        } else {
          stats.refused += 1;
        }
        retryable = code;
      }
      if (Date.now() >= deadline) throw new LearnerFailure(`${kind}: gave up after ${attempt + 1} tries (${retryable})`);
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2));
    }
  }

  // The course's quiz ids, from its public description.
  const description = await call('course', null, 'GET', `/api/v1/courses/${course.slug}`);
  if (description.status !== 200) throw new Error(`GET /api/v1/courses/${course.slug}: ${errorCodeOf(description)}`);
  const quizzes: Array<{ moduleSlug: string; quizId: string }> = [];
  for (const module of description.body.modules as Array<{ slug: string; quiz: { id: string } | null }>) {
    if (module.quiz) quizzes.push({ moduleSlug: module.slug, quizId: module.quiz.id });
  }
  if (quizzes.length !== Object.keys(course.quizzes).length) throw new Error(`the course has ${quizzes.length} quizzes, the answer key ${Object.keys(course.quizzes).length}`);

  const SEXES = ['female', 'male', 'female', 'undisclosed', 'intersex'];
  const TERRITORIES: Array<[string, string]> = [['05', '05001'], ['11', '11001'], ['76', '76001'], ['08', '08001'], ['68', '68001']];

  async function runLearner(ledgerLearner: LedgerLearner): Promise<void> {
    const { index, email } = ledgerLearner;
    const password = `clave-de-carga-${runId}`;
    const [departmentCode, municipalityCode] = TERRITORIES[index % TERRITORIES.length]!;
    const fail = (message: string): never => {
      throw new LearnerFailure(message);
    };

    // Register; a 409 after a lost try means that try created the account.
    const registered = await call('register', index, 'POST', '/api/v1/accounts', {
      body: {
        email,
        password,
        givenName: 'Aprendiz',
        familyName: `Carga ${String.fromCharCode(65 + (index % 26))}`,
        documentType: 'CC',
        documentNumber: ledgerLearner.documentNumber,
        sex: SEXES[index % SEXES.length],
        birthDate: `${1960 + (index % 45)}-0${1 + (index % 9)}-1${index % 10}`,
        departmentCode,
        municipalityCode,
        actorType: 'public_servant',
        dataConsent: true,
      },
    });
    if (registered.status === 201) {
      ledgerLearner.userId = String(registered.body.id);
      ledgerLearner.registration = 'created';
    } else if (registered.status === 409 && registered.hadLostTry) {
      ledgerLearner.registration = 'conflict_after_lost';
    } else {
      fail(`register: ${errorCodeOf(registered)}`);
    }

    const signedIn = await call('sign-in', index, 'POST', '/api/v1/auth/tokens', { body: { email, password } });
    if (signedIn.status !== 201) fail(`sign-in: ${errorCodeOf(signedIn)}`);
    const token = String(signedIn.body.token);
    const signedInId = String(signedIn.body.user?.id);
    if (ledgerLearner.userId && ledgerLearner.userId !== signedInId) fail(`sign-in: user ${signedInId}, registration said ${ledgerLearner.userId}`);
    ledgerLearner.userId = signedInId;

    const enrolled = await call('enroll', index, 'POST', `/api/v1/courses/${course.slug}/enrollments`, { token, body: {} });
    if (enrolled.status === 201) {
      ledgerLearner.enrollment = { id: String(enrolled.body.id), told: 'created' };
    } else if (enrolled.status === 409 && enrolled.body?.error?.details?.reason === 'already_enrolled' && enrolled.hadLostTry) {
      ledgerLearner.enrollment = { id: null, told: 'already_enrolled' };
    } else {
      fail(`enroll: ${errorCodeOf(enrolled)}`);
    }

    for (const lesson of course.lessons) {
      const read = await call('lesson-read', index, 'GET', `/api/v1/courses/${course.slug}/lessons/${lesson.slug}`, { token });
      if (read.status !== 200 || read.body.slug !== lesson.slug) fail(`lesson ${lesson.slug}: ${errorCodeOf(read)}`);
      const completed = await call('lesson-complete', index, 'POST', `/api/v1/courses/${course.slug}/lessons/${lesson.slug}/complete`, { token });
      if (completed.status !== 200 || typeof completed.body.progress !== 'number') fail(`complete ${lesson.slug}: ${errorCodeOf(completed)}`);
      ledgerLearner.lessonsCompleted.push(lesson.slug);
    }

    for (const [quizIndex, { moduleSlug, quizId }] of quizzes.entries()) {
      let failuresToGo = ledgerLearner.failsFirst && quizIndex === 0 ? 1 : 0;
      for (let round = 0; ; round += 1) {
        if (round > 3) fail(`quiz ${moduleSlug}: not passed after ${round} attempts`);
        const start = await call('attempt-start', index, 'POST', `/api/v1/quizzes/${quizId}/attempts`, { token, body: {} });
        if (start.status !== 201 && start.status !== 200) fail(`start quiz ${moduleSlug}: ${errorCodeOf(start)}`);
        const attemptId = String(start.body.attemptId);
        const intended = failuresToGo > 0 ? 'fail' : 'pass';
        let entry = ledgerLearner.attempts.find((known) => known.attemptId === attemptId);
        if (entry?.result) fail(`start quiz ${moduleSlug}: given back attempt ${attemptId}, already submitted`);
        if (!entry) {
          entry = { attemptId, quizId, moduleSlug, startStatus: start.status, intended, result: null };
          ledgerLearner.attempts.push(entry);
        }
        entry.intended = intended;
        const answers = answersFor(start.body.questions as AskedQuestion[], course.quizzes[moduleSlug]!, intended === 'pass');
        const submitted = await call('attempt-submit', index, 'POST', `/api/v1/attempts/${attemptId}/submit`, { token, body: { answers } });
        let result: { score: number; passed: boolean } | undefined;
        if (submitted.status === 200) {
          result = submitted.body;
          entry.result = { score: Number(submitted.body.score), passed: Boolean(submitted.body.passed), told: 'submitted' };
        } else if (submitted.status === 409 && submitted.hadLostTry && submitted.body?.error?.details?.result) {
          result = submitted.body.error.details.result;
          entry.result = { score: Number(result!.score), passed: Boolean(result!.passed), told: 'conflict' };
        } else {
          fail(`submit quiz ${moduleSlug}: ${errorCodeOf(submitted)}`);
        }
        if (intended === 'pass' && (!result!.passed || result!.score !== 100)) fail(`quiz ${moduleSlug}: right answers scored ${result!.score}`);
        if (intended === 'fail' && (result!.passed || result!.score !== 0)) fail(`quiz ${moduleSlug}: wrong answers scored ${result!.score}`);
        if (result!.passed) break;
        failuresToGo -= 1;
      }
    }

    // Completed by the last pass; the certificate is issued on completion: wait to be told its code.
    const waitUntil = Date.now() + certificateWaitMs;
    for (let poll = 0; ; poll += 1) {
      const mine = await call('my-enrollments', index, 'GET', '/api/v1/me/enrollments', { token });
      if (mine.status !== 200) fail(`me/enrollments: ${errorCodeOf(mine)}`);
      const item = (mine.body.items as Array<{ courseSlug: string; status: string; progress: number; certificateCode: string | null }>).find((candidate) => candidate.courseSlug === course.slug);
      if (!item) fail('me/enrollments: the enrollment is not listed');
      ledgerLearner.completed = item!.status === 'completed';
      if (ledgerLearner.completed && item!.progress !== 100) fail(`me/enrollments: completed with progress ${item!.progress}`);
      ledgerLearner.certificateCode = item!.certificateCode ?? null;
      if (ledgerLearner.completed && ledgerLearner.certificateCode) break;
      if (Date.now() >= waitUntil) fail(`me/enrollments: ${ledgerLearner.completed ? 'completed, but no certificate code' : `still ${item!.status} at ${item!.progress} %`} after ${certificateWaitMs} ms`);
      await sleep(Math.min(1_000, 100 * 2 ** poll));
    }
    ledgerLearner.done = true;
  }

  for (let index = 0; index < options.learners; index += 1) {
    ledger.learners.push({
      index,
      email: `aprendiz-${index}.${runId}@carga.example.org`,
      documentNumber: `L${runId.toUpperCase()}${String(index).padStart(5, '0')}`.slice(0, 20),
      failsFirst: failFirstShare > 0 && index % Math.max(1, Math.round(1 / failFirstShare)) === 1,
      userId: null,
      registration: null,
      enrollment: null,
      lessonsCompleted: [],
      attempts: [],
      completed: false,
      certificateCode: null,
      done: false,
      error: null,
    });
  }

  let next = 0;
  let finished = 0;
  const worker = async (): Promise<void> => {
    while (next < ledger.learners.length) {
      const learner = ledger.learners[next]!;
      next += 1;
      try {
        await runLearner(learner);
      } catch (error) {
        learner.error = error instanceof LearnerFailure ? error.message : `client error: ${error instanceof Error ? error.message : String(error)}`;
      }
      finished += 1;
      options.onLearnerFinished?.(learner, finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, options.learners) }, worker));
  ledger.durationMs = performance.now() - started;
  return ledger;
}

// ---------------------------------------------------------------------------------------------
// Reading the database

interface ScenarioState {
  users: Array<{ _id: ObjectId; email: string; welcomeMailPending?: boolean }>;
  enrollments: Array<{ _id: ObjectId; userId: ObjectId; status: string; certified?: boolean; passedQuizzes?: string[]; completedLessons?: string[]; completionPublishedAt?: Date | null }>;
  attempts: Array<{ _id: ObjectId; userId: ObjectId; quizId: string; moduleSlug: string; status: string; result: { score: number; passed: boolean } | null; passRecordedAt: Date | null }>;
  certificates: Array<{ _id: ObjectId; code: string; userId: ObjectId; enrollmentId: ObjectId | null; status: string; autoIssueKey?: string; mailPending?: boolean }>;
  mails: Array<{ _id: ObjectId; to: string; subject: string; idempotencyKey?: string; status: string; attachments?: Array<{ filename: string }> }>;
}

/** Everything the scenario's learners left in the database (found by their run's email addresses). */
async function readState(db: Db, ledger: Ledger): Promise<ScenarioState> {
  const emails = ledger.learners.map((learner) => learner.email);
  const users = (await db.collection('users').find({ email: { $in: emails } }, { projection: { email: 1, welcomeMailPending: 1 } }).toArray()) as ScenarioState['users'];
  const userIds = users.map((user) => user._id);
  const [enrollments, attempts, certificates, mails] = await Promise.all([
    db.collection('enrollments').find({ courseSlug: ledger.courseSlug, userId: { $in: userIds } }, { projection: { profile: 0 } }).toArray(),
    db.collection('quiz_attempts').find({ userId: { $in: userIds } }, { projection: { questions: 0, answers: 0 } }).toArray(),
    db.collection('certificates').find({ userId: { $in: userIds } }, { projection: { code: 1, userId: 1, enrollmentId: 1, status: 1, autoIssueKey: 1, courseSlug: 1, mailPending: 1 } }).toArray(),
    db.collection('outbox_mails').find({ to: { $in: emails } }, { projection: { to: 1, subject: 1, idempotencyKey: 1, status: 1, 'attachments.filename': 1 } }).toArray(),
  ]);
  return {
    users,
    enrollments: enrollments as unknown as ScenarioState['enrollments'],
    attempts: attempts as unknown as ScenarioState['attempts'],
    certificates: (certificates as unknown as Array<ScenarioState['certificates'][number] & { courseSlug: string }>).filter((certificate) => certificate.courseSlug === ledger.courseSlug),
    mails: mails as unknown as ScenarioState['mails'],
  };
}

export interface QuiescenceOptions {
  /** Give up after this long (default 30 s; after a crash, certificates left with their mail pending wait for the minute job: allow ~150 s). */
  timeoutMs?: number;
  /** Also wait until every mail has left the outbox (status sent or failed). Default true. */
  requireDelivered?: boolean;
  pollIntervalMs?: number;
}

export interface Quiescence {
  settled: boolean;
  waitedMs: number;
  /** What was still pending at the last poll. */
  pending: string[];
  /** What was pending at the first poll (the backlog the last response left). */
  firstPending: string[];
  /** Mails not yet delivered at the first poll, and of how many. */
  outboxBacklog: { undelivered: number; total: number };
}

/**
 * Polls until the work that follows the responses has settled: completions published,
 * one certificate per completed enrollment with its mail queued, passes recorded, the
 * outbox emptied (sent); and the counts unchanged between two polls. Never a fixed sleep.
 */
export async function waitForQuiescence(db: Db, ledger: Ledger, options: QuiescenceOptions = {}): Promise<Quiescence> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const requireDelivered = options.requireDelivered ?? true;
  const interval = options.pollIntervalMs ?? 250;
  const started = Date.now();
  let lastSignature = '';
  let firstPending: string[] | undefined;
  let outboxBacklog: Quiescence['outboxBacklog'] | undefined;
  for (;;) {
    const state = await readState(db, ledger);
    const completed = state.enrollments.filter((enrollment) => enrollment.status === 'completed');
    const pending: string[] = [];
    const unpublished = completed.filter((enrollment) => !enrollment.completionPublishedAt).length;
    if (unpublished > 0) pending.push(`${unpublished} completions not yet published`);
    if (state.certificates.length < completed.length) pending.push(`${completed.length - state.certificates.length} completed enrollments without a certificate`);
    const mailPending = state.certificates.filter((certificate) => certificate.mailPending).length;
    if (mailPending > 0) pending.push(`${mailPending} certificates with their mail pending`);
    const welcomePending = state.users.filter((user) => user.welcomeMailPending).length;
    if (welcomePending > 0) pending.push(`${welcomePending} accounts with their verification mail not yet queued`);
    const passesPending = state.attempts.filter((attempt) => attempt.result?.passed && !attempt.passRecordedAt).length;
    if (passesPending > 0) pending.push(`${passesPending} passes not yet recorded`);
    const undelivered = state.mails.filter((mail) => mail.status === 'queued' || mail.status === 'sending').length;
    if (requireDelivered && undelivered > 0) pending.push(`${undelivered} mails not yet delivered`);
    const signature = JSON.stringify([state.users.length, state.enrollments.length, completed.length, state.attempts.length, state.certificates.length, state.mails.length, undelivered, mailPending]);
    const waitedMs = Date.now() - started;
    firstPending ??= pending;
    outboxBacklog ??= { undelivered, total: state.mails.length };
    if (pending.length === 0 && signature === lastSignature) return { settled: true, waitedMs, pending, firstPending, outboxBacklog };
    if (waitedMs >= timeoutMs) return { settled: false, waitedMs, pending, firstPending, outboxBacklog };
    lastSignature = signature;
    await sleep(interval);
  }
}

// ---------------------------------------------------------------------------------------------
// The check

export interface ReportLine {
  name: string;
  expected: number;
  found: number;
  ok: boolean;
  /** Differences allowed because requests were lost in flight (with `faultsInjected`), listed apart. */
  tolerated: string[];
  problems: string[];
}

export interface Report {
  ok: boolean;
  lines: ReportLine[];
}

export interface CheckOptions {
  /**
   * The server was made to fail during the run (killed, restarted): lost requests and
   * 502/503 answers are expected, and what a lost request may have done without the
   * client hearing of it (an attempt, an account) is allowed, bounded by the lost
   * requests of that kind, and listed as tolerated. Default false: exact equality.
   */
  faultsInjected?: boolean;
  /** Every mail must have been delivered (status sent). Default true. */
  requireDelivered?: boolean;
}

const hex = (id: ObjectId | null | undefined): string => (id ? id.toHexString() : 'null');

export async function checkConsistency(db: Db, ledger: Ledger, options: CheckOptions = {}): Promise<Report> {
  const faults = options.faultsInjected ?? false;
  const requireDelivered = options.requireDelivered ?? true;
  const state = await readState(db, ledger);
  const lines: ReportLine[] = [];
  const line = (name: string, expected: number, found: number, problems: string[], tolerated: string[] = []): void => {
    lines.push({ name, expected, found, ok: problems.length === 0, tolerated, problems });
  };
  const lostOf = (kind: RequestKind, learner?: number): number => ledger.lost.filter((lost) => lost.kind === kind && (learner === undefined || lost.learner === learner)).length;
  const learnerByEmail = new Map(ledger.learners.map((learner) => [learner.email, learner]));
  const userById = new Map(state.users.map((user) => [hex(user._id), user]));
  const learnerByUserId = new Map<string, LedgerLearner>();
  for (const user of state.users) learnerByUserId.set(hex(user._id), learnerByEmail.get(user.email)!);

  // Learners
  const unfinished = ledger.learners.filter((learner) => !learner.done);
  line(
    'learners finished',
    ledger.learners.length,
    ledger.learners.length - unfinished.length,
    unfinished.map((learner) => `learner ${learner.index}: ${learner.error ?? 'did not finish'}`),
  );

  // Users
  {
    const told = ledger.learners.filter((learner) => learner.userId);
    const problems: string[] = [];
    const tolerated: string[] = [];
    for (const learner of told) {
      const stored = state.users.find((user) => user.email === learner.email);
      if (!stored) problems.push(`user ${learner.userId} (${learner.email}) is missing`);
      else if (hex(stored._id) !== learner.userId) problems.push(`${learner.email}: stored as ${hex(stored._id)}, told ${learner.userId}`);
    }
    for (const user of state.users) {
      const learner = learnerByEmail.get(user.email)!;
      if (learner.userId) continue;
      const note = `user ${hex(user._id)} (${user.email}) was created but never acknowledged`;
      if (faults && lostOf('register', learner.index) > 0) tolerated.push(note);
      else problems.push(note);
    }
    line('users', told.length, state.users.length, problems, tolerated);
  }

  // Enrollments
  const enrollmentByUser = new Map<string, ScenarioState['enrollments'][number][]>();
  for (const enrollment of state.enrollments) enrollmentByUser.set(hex(enrollment.userId), [...(enrollmentByUser.get(hex(enrollment.userId)) ?? []), enrollment]);
  {
    const told = ledger.learners.filter((learner) => learner.enrollment);
    const problems: string[] = [];
    const tolerated: string[] = [];
    for (const learner of told) {
      const stored = enrollmentByUser.get(learner.userId ?? '') ?? [];
      if (stored.length === 0) problems.push(`enrollment of learner ${learner.index} (user ${learner.userId}) is missing`);
      if (stored.length > 1) problems.push(`user ${learner.userId} has ${stored.length} enrollments`);
      if (learner.enrollment?.id && stored.length === 1 && hex(stored[0]!._id) !== learner.enrollment.id) problems.push(`user ${learner.userId}: enrollment stored as ${hex(stored[0]!._id)}, told ${learner.enrollment.id}`);
    }
    for (const enrollment of state.enrollments) {
      const learner = learnerByUserId.get(hex(enrollment.userId));
      if (learner?.enrollment) continue;
      const note = `enrollment ${hex(enrollment._id)} of user ${hex(enrollment.userId)} was never acknowledged`;
      if (faults && learner && lostOf('enroll', learner.index) > 0) tolerated.push(note);
      else problems.push(note);
    }
    line('enrollments', told.length, state.enrollments.length, problems, tolerated);
  }

  // Completion
  const completed = state.enrollments.filter((enrollment) => enrollment.status === 'completed');
  {
    const told = ledger.learners.filter((learner) => learner.completed);
    const problems: string[] = [];
    for (const learner of told) {
      const stored = (enrollmentByUser.get(learner.userId ?? '') ?? [])[0];
      if (stored?.status !== 'completed') problems.push(`learner ${learner.index} was told completed; stored ${stored?.status ?? 'nothing'}`);
    }
    for (const enrollment of completed) {
      if (!enrollment.completionPublishedAt) problems.push(`enrollment ${hex(enrollment._id)} completed, its completion never published`);
    }
    line('completed enrollments', told.length, completed.length, problems);
  }

  // Attempts, by id, with their scores
  {
    const told = ledger.learners.flatMap((learner) => learner.attempts.map((attempt) => ({ learner, attempt })));
    const storedById = new Map(state.attempts.map((attempt) => [hex(attempt._id), attempt]));
    const toldIds = new Set(told.map(({ attempt }) => attempt.attemptId));
    const problems: string[] = [];
    const tolerated: string[] = [];
    for (const { learner, attempt } of told) {
      const stored = storedById.get(attempt.attemptId);
      if (!stored) {
        problems.push(`attempt ${attempt.attemptId} of learner ${learner.index} is missing`);
        continue;
      }
      if (hex(stored.userId) !== learner.userId) problems.push(`attempt ${attempt.attemptId}: stored for user ${hex(stored.userId)}, told to ${learner.userId}`);
      if (stored.quizId !== attempt.quizId) problems.push(`attempt ${attempt.attemptId}: stored for quiz ${stored.quizId}, told ${attempt.quizId}`);
    }
    const extras = state.attempts.filter((attempt) => !toldIds.has(hex(attempt._id)));
    const lostStarts = lostOf('attempt-start');
    for (const extra of extras) {
      const note = `attempt ${hex(extra._id)} of user ${hex(extra.userId)} (${extra.status}) was never acknowledged`;
      if (faults && tolerated.length < lostStarts) tolerated.push(note);
      else problems.push(note);
    }
    line('quiz attempts', told.length, state.attempts.length, problems, tolerated);

    const scored = told.filter(({ attempt }) => attempt.result);
    const scoreProblems: string[] = [];
    const scoreTolerated: string[] = [];
    let matching = 0;
    for (const { learner, attempt } of scored) {
      const stored = storedById.get(attempt.attemptId);
      if (!stored) continue; // reported above
      const result = attempt.result!;
      if (stored.status !== 'submitted' || !stored.result || stored.result.score !== result.score || stored.result.passed !== result.passed) {
        scoreProblems.push(`attempt ${attempt.attemptId} of learner ${learner.index}: told ${result.score} (${result.passed ? 'passed' : 'failed'}), stored ${stored.status} ${stored.result ? `${stored.result.score} (${stored.result.passed ? 'passed' : 'failed'})` : 'without a result'}`);
      } else matching += 1;
    }
    // An attempt whose result the client never heard (lost submit, then gave up) may be graded.
    for (const { learner, attempt } of told.filter(({ attempt }) => !attempt.result)) {
      const stored = storedById.get(attempt.attemptId);
      if (!stored?.result) continue;
      const note = `attempt ${attempt.attemptId} of learner ${learner.index} graded ${stored.result.score}, never told`;
      if (faults && lostOf('attempt-submit', learner.index) > 0) scoreTolerated.push(note);
      else scoreProblems.push(note);
    }
    line('attempt scores as told', scored.length, matching, scoreProblems, scoreTolerated);

    const passed = scored.filter(({ attempt }) => attempt.result!.passed);
    const passProblems: string[] = [];
    let recorded = 0;
    for (const { learner, attempt } of passed) {
      const stored = storedById.get(attempt.attemptId);
      const enrollment = (enrollmentByUser.get(learner.userId ?? '') ?? [])[0];
      if (!stored?.passRecordedAt) passProblems.push(`attempt ${attempt.attemptId}: pass not recorded (passRecordedAt null)`);
      else if (!enrollment?.passedQuizzes?.includes(attempt.moduleSlug)) passProblems.push(`attempt ${attempt.attemptId}: the enrollment does not list quiz ${attempt.moduleSlug} as passed`);
      else recorded += 1;
    }
    line('quiz passes recorded', passed.length, recorded, passProblems);
  }

  // Certificates: one per completed enrollment, codes as told
  const validCertificates = state.certificates.filter((certificate) => certificate.status === 'valid');
  {
    const byUser = new Map<string, ScenarioState['certificates']>();
    for (const certificate of state.certificates) byUser.set(hex(certificate.userId), [...(byUser.get(hex(certificate.userId)) ?? []), certificate]);
    const problems: string[] = [];
    for (const enrollment of completed) {
      const held = byUser.get(hex(enrollment.userId)) ?? [];
      const learner = learnerByUserId.get(hex(enrollment.userId));
      if (held.length === 0) problems.push(`completed enrollment ${hex(enrollment._id)} (learner ${learner?.index}, told code ${learner?.certificateCode ?? 'none'}) has no certificate`);
      if (held.length > 1) problems.push(`user ${hex(enrollment.userId)} holds ${held.length} certificates: ${held.map((certificate) => certificate.code).join(', ')}`);
      for (const certificate of held) {
        if (certificate.status !== 'valid') problems.push(`certificate ${certificate.code} is ${certificate.status}`);
        if (hex(certificate.enrollmentId) !== hex(enrollment._id)) problems.push(`certificate ${certificate.code} names enrollment ${hex(certificate.enrollmentId)}, not ${hex(enrollment._id)}`);
      }
    }
    const completedUsers = new Set(completed.map((enrollment) => hex(enrollment.userId)));
    for (const certificate of state.certificates) {
      if (!completedUsers.has(hex(certificate.userId))) problems.push(`certificate ${certificate.code} for user ${hex(certificate.userId)}, whose enrollment is not completed`);
    }
    line('certificates (one per completed enrollment)', completed.length, state.certificates.length, problems);

    const told = ledger.learners.filter((learner) => learner.certificateCode);
    const codeProblems: string[] = [];
    let matching = 0;
    for (const learner of told) {
      const held = byUser.get(learner.userId ?? '') ?? [];
      if (held.some((certificate) => certificate.code === learner.certificateCode && certificate.status === 'valid')) matching += 1;
      else codeProblems.push(`learner ${learner.index} was told certificate ${learner.certificateCode}; stored: ${held.map((certificate) => `${certificate.code} (${certificate.status})`).join(', ') || 'none'}`);
    }
    line('certificate codes as told', told.length, matching, codeProblems);

    const certifiedProblems: string[] = [];
    const certified = completed.filter((enrollment) => enrollment.certified === true);
    for (const enrollment of completed) {
      if (enrollment.certified !== true) certifiedProblems.push(`enrollment ${hex(enrollment._id)} completed and certified, not marked certified`);
    }
    line('enrollments marked certified', completed.length, certified.length, certifiedProblems);
  }

  // Mails: certificate mails (one per certificate), verification mails (one per account), nothing else
  {
    const emailOfUser = (userId: ObjectId): string | undefined => userById.get(hex(userId))?.email;
    const certificateMails = new Map<string, ScenarioState['mails']>();
    const verificationMails = new Map<string, ScenarioState['mails']>();
    const others: ScenarioState['mails'] = [];
    for (const mail of state.mails) {
      const fromKey = /^certificate:(.+)$/.exec(mail.idempotencyKey ?? '')?.[1];
      const fromAttachment = mail.attachments?.map((attachment) => /^certificado-(.+)\.pdf$/.exec(attachment.filename)?.[1]).find(Boolean);
      const code = fromKey ?? fromAttachment;
      if (code) certificateMails.set(code, [...(certificateMails.get(code) ?? []), mail]);
      else if ((mail.idempotencyKey ?? '').startsWith('verify_email:')) verificationMails.set(mail.to, [...(verificationMails.get(mail.to) ?? []), mail]);
      else others.push(mail);
    }

    const problems: string[] = [];
    for (const certificate of validCertificates) {
      const mails = certificateMails.get(certificate.code) ?? [];
      const to = emailOfUser(certificate.userId);
      if (mails.length === 0) problems.push(`certificate ${certificate.code}: no mail`);
      if (mails.length > 1) problems.push(`certificate ${certificate.code}: ${mails.length} mails (duplicated: ${mails.map((mail) => hex(mail._id)).join(', ')})`);
      for (const mail of mails) if (mail.to !== to) problems.push(`certificate ${certificate.code}: mailed to ${mail.to}, holder ${to}`);
    }
    const codes = new Set(state.certificates.map((certificate) => certificate.code));
    for (const [code, mails] of certificateMails) if (!codes.has(code)) problems.push(`${mails.length} mail(s) for certificate ${code}, which does not exist`);
    line('certificate mails', validCertificates.length, [...certificateMails.values()].reduce((sum, mails) => sum + mails.length, 0), problems);

    const verificationProblems: string[] = [];
    for (const user of state.users) {
      const mails = verificationMails.get(user.email) ?? [];
      const learner = learnerByEmail.get(user.email)!;
      if (mails.length === 0) {
        verificationProblems.push(`account ${user.email}: no verification mail${learner.registration === 'conflict_after_lost' ? ' (its registration answer was lost)' : ''}`);
      }
      if (mails.length > 1) verificationProblems.push(`account ${user.email}: ${mails.length} verification mails`);
    }
    line('verification mails (one per account)', state.users.length, [...verificationMails.values()].reduce((sum, mails) => sum + mails.length, 0), verificationProblems);

    line('other mails to the learners', 0, others.length, others.map((mail) => `unexpected mail ${hex(mail._id)} to ${mail.to}: "${mail.subject}" (key ${mail.idempotencyKey ?? 'none'})`));

    if (requireDelivered) {
      const undelivered = state.mails.filter((mail) => mail.status !== 'sent');
      line('mails delivered (outbox: sent)', state.mails.length, state.mails.length - undelivered.length, undelivered.map((mail) => `mail ${hex(mail._id)} to ${mail.to} is ${mail.status}`));
    }
  }

  // What the clients were answered
  {
    const internal = Object.entries(ledger.serverErrors).filter(([status]) => status !== '502' && status !== '503');
    const internalCount = internal.reduce((sum, [, count]) => sum + count, 0);
    const byKind = (statuses: string[]): string[] =>
      REQUEST_KINDS.flatMap((kind) => statuses.filter((status) => ledger.requests[kind].statuses[status]).map((status) => `${kind}: ${ledger.requests[kind].statuses[status]} × ${status}`));
    line('HTTP 5xx answers other than 502/503', 0, internalCount, internalCount > 0 ? byKind(internal.map(([status]) => status)) : []);

    const unavailable = (ledger.serverErrors['502'] ?? 0) + (ledger.serverErrors['503'] ?? 0);
    const unavailableNotes = unavailable > 0 ? byKind(['502', '503']) : [];
    line('HTTP 502/503 answers (retried)', 0, unavailable, faults ? [] : unavailableNotes, faults ? unavailableNotes : []);

    const lostNotes = ledger.lost.map((lost) => `${lost.kind} ${lost.method} ${lost.path} (learner ${lost.learner}): ${lost.error}`);
    line('requests lost in flight (retried)', 0, ledger.lost.length, faults ? [] : lostNotes, faults ? lostNotes : []);
  }

  return { ok: lines.every((entry) => entry.ok), lines };
}

// ---------------------------------------------------------------------------------------------
// Printing

function table(header: string[], rows: string[][], alignRight: boolean[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]): string => `| ${row.map((cell, column) => (alignRight[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
  return [format(header), `|${widths.map((width, column) => `${'-'.repeat(width + 1)}${alignRight[column] ? ':' : '-'}`).join('|')}|`, ...rows.map(format)].join('\n');
}

/** Requests by kind: tries answered, p50/p99/max, the statuses, lost and refused tries. */
export function formatRequests(ledger: Ledger): string {
  const rows = REQUEST_KINDS.map((kind) => {
    const stats = ledger.requests[kind];
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    const ms = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(1));
    const statuses = Object.entries(stats.statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    return [kind, String(sorted.length), sorted.length ? ms(percentile(sorted, 50)) : '-', sorted.length ? ms(percentile(sorted, 99)) : '-', sorted.length ? ms(sorted.at(-1)) : '-', statuses || '-', String(stats.lost), String(stats.refused)];
  });
  const total = REQUEST_KINDS.reduce((sum, kind) => sum + ledger.requests[kind].latencies.length, 0);
  rows.push(['all', String(total), '', '', '', `${(total / (ledger.durationMs / 1000)).toFixed(1)} req/s`, String(ledger.lost.length), String(REQUEST_KINDS.reduce((sum, kind) => sum + ledger.requests[kind].refused, 0))]);
  return table(['request', 'answered', 'p50 ms', 'p99 ms', 'max ms', 'statuses', 'lost', 'refused'], rows, [false, true, true, true, true, false, true, true]);
}

/** The consistency lines: expected / found / ok, then every problem and tolerated difference. */
export function formatReport(report: Report, maxDetails = 20): string {
  const rows = report.lines.map((entry) => [entry.name, String(entry.expected), String(entry.found), entry.ok ? (entry.tolerated.length ? `ok (${entry.tolerated.length} tolerated)` : 'ok') : `FAIL (${entry.problems.length})`]);
  const out = [table(['consistency', 'expected', 'found', 'result'], rows, [false, true, true, false])];
  for (const entry of report.lines) {
    for (const problem of entry.problems.slice(0, maxDetails)) out.push(`  ✗ ${entry.name}: ${problem}`);
    if (entry.problems.length > maxDetails) out.push(`  ✗ ${entry.name}: … and ${entry.problems.length - maxDetails} more`);
    for (const note of entry.tolerated.slice(0, maxDetails)) out.push(`  ~ ${entry.name} (tolerated): ${note}`);
    if (entry.tolerated.length > maxDetails) out.push(`  ~ ${entry.name} (tolerated): … and ${entry.tolerated.length - maxDetails} more`);
  }
  return out.join('\n');
}
