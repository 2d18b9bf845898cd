import { expect } from 'chai';
import type request from 'supertest';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { csrfTokenIn, signInThroughForm, type WebSession } from '../../helpers/web-session.js';

/**
 * The learner's quiz pages through a cookie session: the intro, starting (and resuming),
 * saving, submitting, the result with the review the quiz allows, a timed attempt whose
 * time runs out, no attempts left, and someone not enrolled. The page of an attempt in
 * progress is searched for answer data, as the API's leak test does for its bodies.
 */

const COURSE = 'curso-de-prueba';
const SCORE_ONLY = 'curso-solo-nota';
const TIMED = 'curso-cronometrado';
const QUIZ = (course: string): string => `/courses/${course}/quizzes/primer-modulo`;

/** The sample quiz with feedback on the first question (GIFT option and general feedback). */
const QUIZ_WITH_FEEDBACK = (quiz: string): string =>
  quiz.replace('{=El DANE ~El ICBF ~La Registraduría}', '{=El DANE#Así es, el DANE produce la DIVIPOLA. ~El ICBF#El ICBF no produce estadísticas. ~La Registraduría ####La DIVIPOLA la mantiene el DANE.}');

function flashesOf(html: string): string[] {
  return [...html.matchAll(/<div class="flash flash-(\w+)"[^>]*>\s*<p>([^<]*)<\/p>/g)].map((match) => `${match[1]}: ${match[2]}`);
}

/** The id of the option whose text is `text` in the page's select (the right column is shuffled). */
function rightIdIn(html: string, text: string): string {
  const match = new RegExp(`<option value="(r-[0-9a-f]+)"[^>]*>${text}</option>`).exec(html);
  if (!match?.[1]) throw new Error(`no option «${text}» in the page`);
  return match[1];
}

/** Form fields answering every question right (`right`) or every question wrong. */
function answersFor(html: string, right: boolean): Record<string, string | string[]> {
  return right
    ? {
        'q.unica': 'a',
        'q.varias': ['a', 'b'],
        'q.vf': 'true',
        'q.corta': '  dane ',
        'q.numero': '32',
        'q.parejas.l1': rightIdIn(html, 'Antioquia'),
        'q.parejas.l2': rightIdIn(html, 'Bogotá D.C.'),
        'q.parejas.l3': rightIdIn(html, 'Valle del Cauca'),
      }
    : {
        'q.unica': 'b',
        'q.varias': ['c'],
        'q.vf': 'false',
        'q.corta': 'ICBF',
        'q.numero': '3,5',
        'q.parejas.l1': rightIdIn(html, 'Bogotá D.C.'),
      };
}

describe('quiz pages: intro, attempt, save, submit, result', function () {
  this.timeout(60_000);
  const clock = new TestClock();
  let fixture: CourseFixture;
  let ctx: TestApp;

  before(async () => {
    const files: Record<string, string> = { ...sampleCourseFiles(), ...sampleCourseFiles(SCORE_ONLY), ...sampleCourseFiles(TIMED) };
    for (const course of [COURSE, SCORE_ONLY, TIMED]) files[`${course}/primer-modulo/quiz.gift`] = QUIZ_WITH_FEEDBACK(files[`${course}/primer-modulo/quiz.gift`]!);
    files[`${SCORE_ONLY}/course.yaml`] = files[`${SCORE_ONLY}/course.yaml`]!.replace('attemptsAllowed: 3', 'review: show_score_only');
    files[`${TIMED}/course.yaml`] = files[`${TIMED}/course.yaml`]!.replace('attemptsAllowed: 3', 'timeLimitMinutes: 10');
    fixture = courseFixture(files);
    ctx = await createTestApp({ COURSES_DIR: fixture.root }, clock);
    await ctx.services.courses.importCourses();
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  const learnerSession = async (): Promise<WebSession> => {
    const person = await registerAndSignIn(ctx.app);
    const session = await signInThroughForm(ctx.app, person);
    await session.agent.get('/account').expect(200);
    return session;
  };
  const enrolledSession = async (...courses: string[]): Promise<WebSession> => {
    const session = await learnerSession();
    for (const course of courses.length > 0 ? courses : [COURSE]) expect((await session.post(`/courses/${course}/enroll`)).status).to.equal(303);
    await session.agent.get(`/courses/${COURSE}`).expect(200); // shows (and clears) the enrollment message
    return session;
  };
  const follow = async (session: WebSession, response: request.Response): Promise<request.Response> => {
    expect(response.status, response.text.slice(0, 300)).to.equal(303);
    return session.agent.get(String(response.headers.location)).expect(200);
  };
  /** Starts (or resumes) an attempt through the intro's form; the attempt page's path and HTML. */
  const start = async (session: WebSession, course = COURSE): Promise<{ path: string; html: string }> => {
    const response = await session.post(`${QUIZ(course)}/attempts`);
    expect(response.status).to.equal(303);
    const path = String(response.headers.location);
    expect(path).to.match(new RegExp(`^${QUIZ(course)}/attempts/[0-9a-f]{24}$`));
    return { path, html: (await session.agent.get(path).expect(200)).text };
  };

  it('sends someone not enrolled back to the course page with a message', async () => {
    const session = await learnerSession();
    const response = await session.agent.get(QUIZ(COURSE));
    expect(response.status).to.equal(303);
    expect(response.headers.location).to.equal(`/courses/${COURSE}`);
    const page = await session.agent.get(`/courses/${COURSE}`).expect(200);
    expect(flashesOf(page.text)).to.deep.equal(['info: Para presentar las evaluaciones de «Curso de prueba», primero inscríbete.']);
    const started = await session.post(`${QUIZ(COURSE)}/attempts`);
    expect(started.headers.location).to.equal(`/courses/${COURSE}`);
  });

  it('asks to sign in first, and answers 404 for a module without a quiz', async () => {
    const anonymous = await learnerSession();
    await anonymous.post('/logout');
    const response = await anonymous.agent.get(QUIZ(COURSE));
    expect(response.status).to.equal(303);
    expect(String(response.headers.location)).to.match(/^\/login/);
    const session = await enrolledSession();
    await session.agent.get(`/courses/${COURSE}/quizzes/segundo-modulo`).expect(404);
  });

  it('links the quiz from the course page and from the last lesson of its module', async () => {
    const session = await enrolledSession();
    const course = await session.agent.get(`/courses/${COURSE}`).expect(200);
    expect(course.text).to.include(`<a href="${QUIZ(COURSE)}">Evaluación: Evaluación del primer módulo</a>`);
    const last = await session.agent.get(`/courses/${COURSE}/lessons/el-territorio`).expect(200);
    expect(last.text).to.include(`href="${QUIZ(COURSE)}"`);
    const first = await session.agent.get(`/courses/${COURSE}/lessons/bienvenida`).expect(200);
    expect(first.text).not.to.include(`href="${QUIZ(COURSE)}"`);
  });

  it('shows the intro: questions, passing score, attempts, time limit, and a start button', async () => {
    const session = await enrolledSession();
    const page = await session.agent.get(QUIZ(COURSE)).expect(200);
    expect(page.text).to.include('<h1>Evaluación del primer módulo</h1>');
    for (const fact of ['6 preguntas', 'Para aprobar: 70 %', 'Intentos: 0 de 3', 'Sin límite de tiempo', 'Todavía no has presentado esta evaluación.']) expect(page.text).to.include(fact);
    expect(page.text).to.include('>Comenzar</button>');
    expect(page.text).to.include(`action="${QUIZ(COURSE)}/attempts"`);
  });

  it('starts an attempt with every question in a fieldset, and gives the same attempt back on a second start', async () => {
    const session = await enrolledSession();
    const { path, html } = await start(session);
    expect(html.match(/<fieldset class="question"/g)).to.have.length(6);
    expect(html.match(/<legend>/g)).to.have.length(6);
    expect(html).to.include('type="radio" id="q1-1" name="q.unica" value="a"');
    expect(html).to.include('<label for="q1-1">El DANE</label>');
    expect(html).to.include('type="checkbox" id="q2-1" name="q.varias" value="a"');
    expect(html).to.include('name="q.vf" value="true"');
    expect(html).to.include('type="text" id="q4-answer" name="q.corta"');
    expect(html).to.include('type="number" step="any" inputmode="decimal" id="q5-answer" name="q.numero"');
    expect(html.match(/<select id="q6-\d" name="q\.parejas\.l\d">/g)).to.have.length(3);
    expect(html).to.include('<label for="q6-1">05</label>');
    expect(html).not.to.include('data-deadline'); // untimed: no timer, no autosave
    expect(html).not.to.include('data-autosave');
    const intro = await session.agent.get(QUIZ(COURSE)).expect(200);
    expect(intro.text).to.include('>Continuar intento</button>');
    expect(intro.text).to.include('Intentos: 1 de 3');
    expect((await start(session)).path).to.equal(path);
  });

  it('the page of an attempt in progress carries no answer data', async () => {
    const session = await enrolledSession();
    const { html } = await start(session);
    // Nothing pre-chosen: no option is checked, only the empty "choose" entry is selected.
    expect(html).not.to.match(/\schecked/);
    expect(html.match(/\sselected/g)).to.have.length(3);
    expect(html.match(/<option value="" selected>/g)).to.have.length(3);
    // No field but the answers and the CSRF token, no data attribute but the timer's and the script's texts.
    const names = [...html.matchAll(/<(?:input|select|textarea|button)\b[^>]*\sname="([^"]+)"/g)].map((match) => match[1]!);
    expect(names.filter((name) => name !== '_csrf' && !name.startsWith('q.'))).to.deep.equal([]);
    const dataAttributes = new Set([...html.matchAll(/\s(data-[a-z-]+)=/g)].map((match) => match[1]!));
    expect([...dataAttributes].filter((name) => !['data-saved', 'data-failed'].includes(name))).to.deep.equal([]);
    // No grading words, no feedback, and the right number of the numeric question nowhere.
    for (const word of ['weight', 'isTrue', 'accepted', 'rightId', 'fraction', 'feedback', 'isCorrect', 'Respuesta correcta', 'Así es', 'La DIVIPOLA la mantiene', 'no produce estadísticas']) expect(html, word).not.to.include(word);
    const numeric = /<fieldset class="question" id="q5"[\s\S]*?<\/fieldset>/.exec(html)![0];
    expect(numeric).not.to.include('32');
    // The right column's ids come from the texts (r-<hash>), not from positions.
    expect([...html.matchAll(/<option value="([^"]+)"/g)].map((match) => match[1]).filter(Boolean)).to.satisfy((ids: string[]) => ids.every((id) => /^r-[0-9a-f]{8}$/.test(id)));
  });

  it('saves the answers and shows them again, a decimal comma included; refuses a number that is not one', async () => {
    const session = await enrolledSession();
    const { path, html } = await start(session);
    const saved = await follow(session, await session.post(`${path}/answers`, answersFor(html, false)));
    expect(flashesOf(saved.text)).to.deep.equal(['success: Guardamos tus respuestas. Puedes seguir respondiendo.']);
    expect(saved.text).to.include('name="q.unica" value="b" checked');
    expect(saved.text).to.include('name="q.varias" value="c" checked');
    expect(saved.text).to.include('name="q.vf" value="false" checked');
    expect(saved.text).to.include('name="q.corta" value="ICBF"');
    expect(saved.text).to.include('name="q.numero" value="3.5"');
    expect(saved.text).to.include(`<option value="${rightIdIn(html, 'Bogotá D.C.')}" selected>Bogotá D.C.</option>`);
    // Emptied fields clear what was saved.
    const cleared = await follow(session, await session.post(`${path}/answers`, { 'q.unica': 'b', 'q.corta': '' }));
    expect(cleared.text).not.to.include('name="q.corta" value="ICBF"');
    expect(cleared.text).to.include('name="q.unica" value="b" checked');
    const refused = await follow(session, await session.post(`${path}/submit`, { 'q.numero': 'treinta y dos' }));
    expect(flashesOf(refused.text)).to.deep.equal(['error: No guardamos la respuesta de la pregunta 5: escribe un número (por ejemplo 3,5). No se envió el intento.']);
    expect(refused.text).to.include('<fieldset class="question"'); // still in progress
  });

  it('grades a failed submit, shows the review with the right answers and feedback, and offers another try', async () => {
    const session = await enrolledSession();
    const { path, html } = await start(session);
    const result = await follow(session, await session.post(`${path}/submit`, answersFor(html, false)));
    expect(result.text).to.include('Tu calificación: 0 %');
    expect(result.text).to.include('No aprobaste: necesitas 70 %');
    expect(result.text).to.include('0 de 6 preguntas correctas');
    expect(result.text).to.include('Revisión de tus respuestas');
    expect(result.text).to.include('<dd>El ICBF</dd>');
    expect(result.text).to.include('<dd>El DANE</dd>');
    expect(result.text).to.include('El ICBF no produce estadísticas.');
    expect(result.text).to.include('La DIVIPOLA la mantiene el DANE.');
    expect(result.text).to.include('<dd>3,5</dd>');
    expect(result.text).to.include('<dd>32</dd>');
    expect(result.text).to.include('<dd>DANE o el DANE</dd>');
    expect(result.text).to.include('05 → Bogotá D.C.; 11 → (sin respuesta)');
    expect(result.text).to.include('>Intentar de nuevo</button>');
    expect(result.text).to.include('Te quedan 2 intentos.');
    // Submitting again changes nothing: the result stays.
    const again = await follow(session, await session.post(`${path}/submit`, answersFor(html, true)));
    expect(flashesOf(again.text)).to.deep.equal(['info: Ya enviaste este intento; este es su resultado.']);
    expect(again.text).to.include('Tu calificación: 0 %');
    // The intro lists it, with the date in Colombian time.
    const intro = await session.agent.get(QUIZ(COURSE)).expect(200);
    expect(intro.text).to.include('Tu mejor calificación: 0 %');
    expect(intro.text).to.include('Intento 1</a>');
    expect(intro.text).to.include('>Intentar de nuevo</button>');
  });

  it('passes on a retake, and the course page shows the quiz passed and the module complete once its lessons are done', async () => {
    const session = await enrolledSession();
    const first = await start(session);
    await session.post(`${first.path}/submit`, answersFor(first.html, false));
    const retry = await session.post(`${QUIZ(COURSE)}/attempts`);
    const second = String(retry.headers.location);
    expect(second).not.to.equal(first.path);
    const html = (await session.agent.get(second).expect(200)).text;
    const result = await follow(session, await session.post(`${second}/submit`, answersFor(html, true)));
    expect(result.text).to.include('Tu calificación: 100 %');
    expect(result.text).to.include('Aprobaste');
    expect(result.text).to.include('6 de 6 preguntas correctas');
    let course = await session.agent.get(`/courses/${COURSE}`).expect(200);
    expect(course.text).to.include('Aprobada');
    expect(course.text).not.to.include('Módulo completado');
    for (const lesson of ['bienvenida', 'el-territorio']) await session.post(`/courses/${COURSE}/lessons/${lesson}/complete`);
    course = await session.agent.get(`/courses/${COURSE}`).expect(200);
    expect(course.text).to.include('Módulo 1: Primer módulo <span class="status status-completed module-complete">Módulo completado</span>');
    const intro = await session.agent.get(QUIZ(COURSE)).expect(200);
    expect(intro.text).to.include('Tu mejor calificación: 100 %');
  });

  it('shows only the score when the quiz says so', async () => {
    const session = await enrolledSession(SCORE_ONLY);
    const { path, html } = await start(session, SCORE_ONLY);
    const result = await follow(session, await session.post(`${path}/submit`, answersFor(html, false)));
    expect(result.text).to.include('Tu calificación: 0 %');
    expect(result.text).to.include('Esta evaluación muestra solo la calificación');
    for (const hidden of ['Respuesta correcta', '<dd>El DANE</dd>', 'no produce estadísticas', 'La DIVIPOLA la mantiene']) expect(result.text).not.to.include(hidden);
  });

  it('a timed attempt shows its deadline, autosaves through the page endpoint, and once the time is over is graded on what was saved', async () => {
    const session = await enrolledSession(TIMED);
    const intro = await session.agent.get(QUIZ(TIMED)).expect(200);
    expect(intro.text).to.include('Tiempo: 10 minutos');
    const { path, html } = await start(session, TIMED);
    expect(html).to.match(/data-deadline="\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    expect(html).to.include('(hora de Colombia) para enviar este intento.');
    expect(html).to.include(`data-autosave="${path}/autosave"`);
    expect(html).to.include('src="/js/quiz.js"');
    const token = csrfTokenIn(html);
    // Autosave: form fields or API-shaped JSON, the token in a header; without it, refused.
    await session.agent.post(`${path}/autosave`).set('X-CSRF-Token', token).type('form').send({ 'q.unica': 'a', 'q.vf': 'true' }).expect(204);
    await session.agent.post(`${path}/autosave`).set('X-CSRF-Token', token).send({ answers: { corta: 'DANE' } }).expect(204);
    await session.agent.post(`${path}/autosave`).send({ answers: { corta: 'x' } }).expect(403);
    await session.agent.post(`${path}/autosave`).set('X-CSRF-Token', token).send({ answers: { corta: 5 } }).expect(400);
    const page = await session.agent.get(path).expect(200);
    expect(page.text).to.include('name="q.unica" value="a" checked');
    expect(page.text).to.include('name="q.corta" value="DANE"');
    clock.advance(11 * 60_000);
    const late = await follow(session, await session.post(`${path}/submit`, answersFor(html, true)));
    expect(flashesOf(late.text)).to.deep.equal(['info: Se acabó el tiempo de este intento: lo calificamos con las respuestas que guardaste a tiempo.']);
    // Three of six saved in time: the late answers do not count.
    expect(late.text).to.include('Tu calificación: 50 %');
    expect(late.text).to.include('3 de 6 preguntas correctas');
    await session.agent.post(`${path}/autosave`).set('X-CSRF-Token', token).type('form').send({ 'q.unica': 'a' }).expect(410);
    const list = await session.agent.get(QUIZ(TIMED)).expect(200);
    expect(list.text).to.include('Tiempo agotado');
  });

  it('an attempt left open past its deadline shows its result, not its questions', async () => {
    const session = await enrolledSession(TIMED);
    const { path } = await start(session, TIMED);
    clock.advance(11 * 60_000);
    const page = await session.agent.get(path).expect(200);
    expect(page.text).not.to.include('<fieldset class="question"');
    expect(page.text).to.include('Tu calificación: 0 %');
  });

  it('once every attempt is used, says so and starts no other', async () => {
    const session = await enrolledSession();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { path, html } = await start(session);
      const result = await follow(session, await session.post(`${path}/submit`, answersFor(html, false)));
      if (attempt === 2) {
        expect(result.text).not.to.include('Intentar de nuevo');
        expect(result.text).to.include('Te quedan 0 intentos.');
      }
    }
    const intro = await session.agent.get(QUIZ(COURSE)).expect(200);
    expect(intro.text).to.include('Ya usaste todos tus intentos en esta evaluación.');
    expect(intro.text).not.to.include('>Comenzar</button>');
    const refused = await follow(session, await session.post(`${QUIZ(COURSE)}/attempts`));
    expect(flashesOf(refused.text)).to.deep.equal(['error: Ya usaste todos tus intentos en esta evaluación.']);
  });

  it("answers 404 for another person's attempt and for an attempt under another quiz's address", async () => {
    const owner = await enrolledSession(COURSE, SCORE_ONLY);
    const { path } = await start(owner);
    const other = await enrolledSession();
    await other.agent.get(path).expect(404);
    expect((await other.post(`${path}/submit`, {})).status).to.equal(404);
    await owner.agent.get(path.replace(COURSE, SCORE_ONLY)).expect(404);
  });
});
