import { expect } from 'chai';
import request from 'supertest';
import { signInThroughForm, type WebSession } from '../../helpers/web-session.js';
import { COURSE, QUIZ_ID, TIMED_COURSE, createQuizWorld, enrolledLearner, rightAnswers, staffAccount, staffEmail, startAttempt, type QuizWorld } from '../quizzes/quiz-world.js';

/**
 * The facilitator's quiz report as a page: totals, the distribution (table and SVG),
 * each question's facility with the flags, each learner's row, the CSV; and who may see it.
 */

const REPORT = `/courses/${COURSE}/quizzes/primer-modulo/report`;
const STAFF_PASSWORD = 'clave-de-equipo-2026';

/** The cells of a table's body rows, tags stripped. */
function rowsOf(html: string, captionId: string): string[][] {
  const table = new RegExp(`<caption id="${captionId}">[\\s\\S]*?</table>`).exec(html)?.[0];
  if (!table) throw new Error(`no table ${captionId}`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)![1]!;
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '').trim()));
}

describe('quiz report pages', function () {
  this.timeout(60_000);
  let world: QuizWorld;
  let facilitator: WebSession;
  let strangerFacilitator: WebSession;
  let learners: Array<Awaited<ReturnType<typeof enrolledLearner>>>;

  const submit = async (learner: Awaited<ReturnType<typeof enrolledLearner>>, answers: Record<string, unknown>) => {
    const attempt = await startAttempt(world, learner);
    await request(world.ctx.app).post(`/api/v1/attempts/${attempt.attemptId}/submit`).set(learner.auth).send({ answers }).expect(200);
  };

  before(async () => {
    world = await createQuizWorld();
    const email = staffEmail('facilitadora.informe');
    const other = staffEmail('facilitador.ajeno');
    const staff = await staffAccount(world.ctx, 'facilitator', email);
    await staffAccount(world.ctx, 'facilitator', other);
    await request(world.ctx.app).put(`/api/v1/courses/${COURSE}/facilitators`).set(world.manager.auth).send({ userIds: [staff.id] }).expect(200);
    facilitator = await signInThroughForm(world.ctx.app, { email, password: STAFF_PASSWORD });
    strangerFacilitator = await signInThroughForm(world.ctx.app, { email: other, password: STAFF_PASSWORD });
    const right = await rightAnswers(world);
    const onlyTrueFalse = Object.fromEntries(Object.entries(right).filter(([id]) => id === 'vf'));
    learners = [await enrolledLearner(world), await enrolledLearner(world), await enrolledLearner(world)];
    await submit(learners[0]!, right); // 100
    await submit(learners[1]!, onlyTrueFalse); // 1 of 6
    await submit(learners[1]!, onlyTrueFalse);
    await submit(learners[2]!, onlyTrueFalse);
  });
  after(async () => {
    await world.close();
  });

  it('shows the totals, the distribution as a table and a chart, the facility with its flags, and each learner', async () => {
    const page = await facilitator.agent.get(REPORT).expect(200);
    const html = page.text;
    expect(html).to.include('4 intentos enviados');
    expect(html).to.include('3 personas');
    expect(html).to.include('Aprobaron: 1 de 3');
    expect(html).to.include(`href="${REPORT}.csv"`);

    const distribution = rowsOf(html, 'distribution-caption');
    expect(distribution).to.have.length(10);
    expect(distribution[1]).to.deep.equal(['10-19', '3']);
    expect(distribution[9]).to.deep.equal(['90-100', '1']);
    expect(distribution.filter((row) => row[1] === '0')).to.have.length(8);
    // The chart: ten bars, hidden from screen readers (the table says the same), no inline style.
    expect(html).to.match(/<svg class="score-chart"[^>]*aria-hidden="true"/);
    expect(html.match(/<rect class="score-chart-bar"/g)).to.have.length(10);
    expect(html).not.to.match(/<script(?![^>]*src=)/);
    expect(html).not.to.match(/\sstyle=/);

    const questions = rowsOf(html, 'questions-caption');
    expect(questions).to.have.length(6);
    const byPrompt = (text: string) => questions.find((row) => row[1]!.includes(text))!;
    expect(byPrompt('DIVIPOLA asigna')).to.deep.equal(['3', 'La DIVIPOLA asigna un código a cada municipio.', 'Verdadero o falso', '4', '100 %', '100 %', 'Revisar: muy fácil']);
    expect(byPrompt('¿Qué entidad')).to.deep.equal(['1', '¿Qué entidad produce la DIVIPOLA?', 'Opción única', '4', '25 %', '25 %', 'Revisar: muy difícil']);

    const people = rowsOf(html, 'learners-caption');
    expect(people).to.have.length(3);
    const strong = people.find((row) => row[1] === learners[0]!.email)!;
    expect(strong.slice(1, 5)).to.deep.equal([learners[0]!.email, '1', '100 %', 'Sí']);
    expect(strong[5]).to.match(/\d{4}, \d{1,2}:\d{2}/);
    const weak = people.find((row) => row[1] === learners[1]!.email)!;
    expect(weak.slice(2, 5)).to.deep.equal(['2', '16,7 %', 'No']);
    // Accessible tables: captions and header cells with their scope.
    expect(html.match(/<caption/g)).to.have.length(3);
    expect(html).to.include('<th scope="col">Facilidad</th>');
  });

  it('shows the last submission in Bogotá time', async () => {
    const html = (await facilitator.agent.get(REPORT).expect(200)).text;
    const report = (await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report`).set(world.manager.auth).expect(200)).body;
    const person = report.people.find((item: { email: string }) => item.email === learners[0]!.email);
    const instant = new Date(person.lastSubmittedAt);
    const bogota = new Date(instant.getTime() - 5 * 3600_000); // UTC−5, no daylight saving
    const time = `${bogota.getUTCHours()}:${String(bogota.getUTCMinutes()).padStart(2, '0')}`;
    const row = rowsOf(html, 'learners-caption').find((cells) => cells[1] === learners[0]!.email)!;
    expect(row[5]).to.include(time);
  });

  it('downloads the API\'s CSV, with a BOM', async () => {
    const page = await facilitator.agent.get(`${REPORT}.csv`).buffer(true).parse((response, done) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => done(null, text));
    });
    expect(page.status).to.equal(200);
    expect(page.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(page.headers['content-disposition']).to.equal(`attachment; filename="evaluacion-${QUIZ_ID}.csv"`);
    const text = page.body as string;
    expect(text.startsWith('\uFEFFnombre,correo,intentos,mejor_puntaje,aprobo,ultimo_envio')).to.equal(true);
    expect(text.trim().split('\n')).to.have.length(4);
    expect(text).to.include(`${learners[0]!.email},1,100,sí,`);
    const api = await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report.csv`).set(world.manager.auth).buffer(true).parse((response, done) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(null, body));
    });
    expect(api.body).to.equal(text);
  });

  it('is for the course\'s team: another course\'s facilitator and a learner get 403, a missing quiz 404', async () => {
    await strangerFacilitator.agent.get(REPORT).expect(403);
    await strangerFacilitator.agent.get(`${REPORT}.csv`).expect(403);
    const learner = await signInThroughForm(world.ctx.app, learners[0]!);
    await learner.agent.get(REPORT).expect(403);
    await facilitator.agent.get(`/courses/${COURSE}/quizzes/segundo-modulo/report`).expect(404);
    await facilitator.agent.get(`/courses/${TIMED_COURSE}/quizzes/primer-modulo/report`).expect(403);
  });

  it('is linked from the course page for the course\'s team only', async () => {
    expect((await facilitator.agent.get(`/courses/${COURSE}`).expect(200)).text).to.include(`href="${REPORT}"`);
    const learner = await signInThroughForm(world.ctx.app, learners[1]!);
    expect((await learner.agent.get(`/courses/${COURSE}`).expect(200)).text).not.to.include(REPORT);
  });
});
