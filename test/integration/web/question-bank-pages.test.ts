import { expect } from 'chai';
import request from 'supertest';
import { parseGift } from '../../../src/courses/gift.js';
import { signInThroughForm, type WebSession } from '../../helpers/web-session.js';
import { COURSE, TIMED_COURSE, createQuizWorld, enrolledLearner, staffAccount, staffEmail, type QuizWorld, type Staff } from '../quizzes/quiz-world.js';

/**
 * A course's question bank as pages: the list with answers and previews, the GIFT import
 * (all or nothing, errors by line), the export, editing one question; and who may.
 */

const BANK = `/courses/${COURSE}/question-bank`;
const STAFF_PASSWORD = 'clave-de-equipo-2026';

const GIFT = `::capital:: ¿Cuál es la capital de Colombia? {=Bogotá ~Medellín ~Cali}

::rios:: Empareje cada río con su vertiente. {=Magdalena -> Caribe =Atrato -> Pacífico =Meta -> Orinoquía}

::vf-dane:: El DANE produce la DIVIPOLA. {T}
`;

/** A textarea's text as the page holds it (EJS escapes &, <, >, " and '). */
function textareaIn(html: string, name: string): string {
  const match = new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (!match) throw new Error(`no textarea ${name}`);
  return match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function errorRowsOf(html: string): string[][] {
  const table = /<caption id="gift-errors-caption">[\s\S]*?<\/table>/.exec(html)?.[0];
  if (!table) return [];
  return [...table.matchAll(/<tr><th scope="row">(\d+)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((row) => [row[1]!, row[2]!]);
}

function flashesOf(html: string): string[] {
  return [...html.matchAll(/<div class="flash flash-(\w+)"[^>]*>\s*<p>([^<]*)<\/p>/g)].map((match) => `${match[1]}: ${match[2]}`);
}

describe('question bank pages', function () {
  this.timeout(60_000);
  let world: QuizWorld;
  let staff: Staff;
  let facilitator: WebSession;
  let stranger: WebSession;

  const bankItems = async (course = COURSE) => (await request(world.ctx.app).get(`/api/v1/courses/${course}/question-bank`).set(world.manager.auth).expect(200)).body.items as Array<{ id: string; prompt: string; answer: unknown }>;

  before(async () => {
    world = await createQuizWorld();
    const email = staffEmail('facilitadora.banco.web');
    const other = staffEmail('facilitador.banco.ajeno');
    staff = await staffAccount(world.ctx, 'facilitator', email);
    await staffAccount(world.ctx, 'facilitator', other);
    await request(world.ctx.app).put(`/api/v1/courses/${COURSE}/facilitators`).set(world.manager.auth).send({ userIds: [staff.id] }).expect(200);
    facilitator = await signInThroughForm(world.ctx.app, { email, password: STAFF_PASSWORD });
    stranger = await signInThroughForm(world.ctx.app, { email: other, password: STAFF_PASSWORD });
  });
  after(async () => {
    await world.close();
  });

  it('shows an empty bank with the import form, linked from the course page', async () => {
    const html = (await facilitator.agent.get(BANK).expect(200)).text;
    expect(html).to.include('El banco todavía no tiene preguntas');
    expect(html).to.match(/<label for="field-gift">Texto GIFT<\/label>/);
    expect(html).to.include('<textarea id="field-gift" name="gift"');
    expect(html).to.include('data-fills="field-gift"');
    expect(html).to.include('src="/js/file-to-textarea.js"');
    expect(html).not.to.match(/<script(?![^>]*src=)/);
    expect(html).not.to.match(/\sstyle=/);
    expect((await facilitator.agent.get(`/courses/${COURSE}`).expect(200)).text).to.include(`href="${BANK}"`);
  });

  it('refuses an empty import with a message', async () => {
    const response = await facilitator.post(BANK, { gift: '   ' });
    expect(response.status).to.equal(422);
    expect(response.text).to.include('Pega el texto GIFT de las preguntas.');
    expect(await bankItems()).to.deep.equal([]);
  });

  it('imports pasted GIFT, then lists each question with its type, title, answer and a preview without answers', async () => {
    const response = await facilitator.post(BANK, { gift: GIFT });
    expect(response.status, response.text.slice(0, 300)).to.equal(303);
    expect(response.headers.location).to.equal(BANK);
    const html = (await facilitator.agent.get(BANK).expect(200)).text;
    expect(flashesOf(html)).to.deep.equal(['success: Importamos 3 preguntas al banco.']);
    expect(html).to.include('3 preguntas');
    expect(html).to.include(`href="${BANK}.gift"`);
    for (const text of ['Opción única', 'Emparejamiento', 'Verdadero o falso', '<strong>capital</strong>', '¿Cuál es la capital de Colombia?']) expect(html).to.include(text);
    expect(html).to.include('Respuesta correcta:</span> Bogotá');
    expect(html).to.include('Magdalena → Caribe; Atrato → Pacífico; Meta → Orinoquía');
    expect(html).to.include(`href="${BANK}/capital/edit"`);
    // The previews: the learner's inputs, disabled, nothing chosen.
    const previews = [...html.matchAll(/<details>([\s\S]*?)<\/details>/g)].map((match) => match[1]!);
    expect(previews).to.have.length(3);
    for (const preview of previews) {
      expect(preview).to.match(/<fieldset class="question question-preview" disabled/);
      expect(preview).not.to.match(/\schecked|\sselected/);
      expect(preview).not.to.include('Respuesta correcta');
    }
    expect(previews[0]).to.match(/<input type="radio"[^>]*disabled>\s*<label[^>]*>Bogotá<\/label>/);
    expect(previews[1]).to.include('<select');
    expect((await bankItems()).map((item) => item.id)).to.deep.equal(['capital', 'rios', 'vf-dane']);
  });

  it('imports nothing when any question is wrong, and lists every error with its line', async () => {
    const before = await bankItems();
    const bad = '::nueva:: Una pregunta buena {T}\n\n::mala:: Sin cerrar {=a ~b\n\n$CATEGORY: otra\n';
    const response = await facilitator.post(BANK, { gift: bad });
    expect(response.status).to.equal(422);
    expect(response.text).to.include('No importamos nada: corrige estos errores y vuelve a intentarlo.');
    const rows = errorRowsOf(response.text);
    expect(rows.map((row) => row[0])).to.deep.equal(['3', '5']);
    expect(rows[1]![1]).to.include('$CATEGORY is not supported');
    expect(response.text).to.include('<th scope="col">Línea</th>');
    expect(textareaIn(response.text, 'gift')).to.equal(bad);
    expect(await bankItems()).to.deep.equal(before);
  });

  it('exports the bank as the API\'s GIFT file', async () => {
    const response = await facilitator.agent.get(`${BANK}.gift`).expect(200);
    expect(response.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(response.headers['content-disposition']).to.equal(`attachment; filename=${COURSE}.gift`);
    const api = await request(world.ctx.app).get(`/api/v1/courses/${COURSE}/question-bank.gift`).set(staff.auth).expect(200);
    expect(response.text).to.equal(api.text);
    expect(parseGift(response.text).map((question) => question.id)).to.deep.equal(['capital', 'rios', 'vf-dane']);
  });

  it('edits one question: its GIFT in a text box, saved in place', async () => {
    const edit = `${BANK}/capital/edit`;
    const page = await facilitator.agent.get(edit).expect(200);
    const gift = textareaIn(page.text, 'gift');
    expect(parseGift(gift).map((question) => question.id)).to.deep.equal(['capital']);
    expect(page.text).to.include('<label for="field-gift">La pregunta en GIFT</label>');

    const changed = gift.replace('~Cali', '~Cali ~Cartagena');
    const saved = await facilitator.post(edit, { gift: changed });
    expect(saved.status, saved.text.slice(0, 300)).to.equal(303);
    expect(saved.headers.location).to.equal(BANK);
    expect(flashesOf((await facilitator.agent.get(BANK).expect(200)).text)).to.deep.equal(['success: Guardamos la pregunta «capital».']);
    const items = await bankItems();
    expect(items.map((item) => item.id)).to.deep.equal(['capital', 'rios', 'vf-dane']);
    expect((items[0] as unknown as { options: Array<{ text: string }> }).options.map((option) => option.text)).to.deep.equal(['Bogotá', 'Medellín', 'Cali', 'Cartagena']);
    // The page shows it as it now is.
    expect(textareaIn((await facilitator.agent.get(edit).expect(200)).text, 'gift')).to.equal(changed);
  });

  it('renames a question in place with a new ::title::, and refuses a title another question has', async () => {
    const renamed = await facilitator.post(`${BANK}/vf-dane/edit`, { gift: '::vf-divipola:: El DANE mantiene la DIVIPOLA. {T}' });
    expect(renamed.status).to.equal(303);
    expect((await bankItems()).map((item) => item.id)).to.deep.equal(['capital', 'rios', 'vf-divipola']);
    await facilitator.agent.get(`${BANK}/vf-dane/edit`).expect(404);

    const before = await bankItems();
    const clash = await facilitator.post(`${BANK}/vf-divipola/edit`, { gift: '::capital:: Otra {F}' });
    expect(clash.status).to.equal(422);
    expect(clash.text).to.include('No guardamos la pregunta: corrige estos errores.');
    expect(errorRowsOf(clash.text)).to.deep.equal([['1', 'another question of the bank has the id &#34;capital&#34;: give this one a different ::title::']]);
    expect(textareaIn(clash.text, 'gift')).to.equal('::capital:: Otra {F}');
    expect(await bankItems()).to.deep.equal(before);
  });

  it('refuses an edit with a GIFT error (with its line) or more than one question, changing nothing', async () => {
    const before = await bankItems();
    const broken = await facilitator.post(`${BANK}/rios/edit`, { gift: '::rios:: Empareje\n{=Magdalena -> Caribe' });
    expect(broken.status).to.equal(422);
    expect(errorRowsOf(broken.text)).to.have.length(1);
    const two = await facilitator.post(`${BANK}/rios/edit`, { gift: '::rios:: Uno {T}\n\n::otra:: Dos {F}' });
    expect(two.status).to.equal(422);
    expect(errorRowsOf(two.text)).to.deep.equal([['3', 'write exactly one question']]);
    const empty = await facilitator.post(`${BANK}/rios/edit`, { gift: '' });
    expect(empty.status).to.equal(422);
    expect(await bankItems()).to.deep.equal(before);
    await facilitator.agent.get(`${BANK}/no-existe/edit`).expect(404);
  });

  it('is for the course\'s team: another facilitator and a learner get 403 and change nothing; a manager may', async () => {
    const before = await bankItems();
    await stranger.agent.get(BANK).expect(403);
    expect((await stranger.post(BANK, { gift: '::intrusa:: x {T}' })).status).to.equal(403);
    expect((await stranger.post(BANK, { gift: '' })).status).to.equal(403);
    await stranger.agent.get(`${BANK}.gift`).expect(403);
    await stranger.agent.get(`${BANK}/capital/edit`).expect(403);
    expect((await stranger.post(`${BANK}/capital/edit`, { gift: '::capital:: x {T}' })).status).to.equal(403);
    const learner = await enrolledLearner(world);
    const learnerSession = await signInThroughForm(world.ctx.app, learner);
    await learnerSession.agent.get(BANK).expect(403);
    expect((await learnerSession.post(BANK, { gift: '::intrusa:: x {T}' })).status).to.equal(403);
    expect((await learnerSession.agent.get(`/courses/${COURSE}`).expect(200)).text).not.to.include(BANK);
    expect(await bankItems()).to.deep.equal(before);
    await facilitator.agent.get(`/courses/${TIMED_COURSE}/question-bank`).expect(403);
    await facilitator.agent.get('/courses/no-existe/question-bank').expect(404);
    const managerEmail = staffEmail('gestora.banco');
    await staffAccount(world.ctx, 'manager', managerEmail);
    const manager = await signInThroughForm(world.ctx.app, { email: managerEmail, password: STAFF_PASSWORD });
    expect((await manager.agent.get(`/courses/${TIMED_COURSE}/question-bank`).expect(200)).text).to.include('El banco todavía no tiene preguntas');
    expect((await manager.agent.get(BANK).expect(200)).text).to.include(`href="${BANK}/capital/edit"`);
  });

  it('refuses a form without its CSRF token', async () => {
    const before = await bankItems();
    await facilitator.agent.post(BANK).type('form').send({ gift: '::sin-token:: x {T}' }).expect(403);
    await facilitator.agent.post(`${BANK}/capital/edit`).type('form').send({ gift: '::capital:: x {T}' }).expect(403);
    expect(await bankItems()).to.deep.equal(before);
  });
});
