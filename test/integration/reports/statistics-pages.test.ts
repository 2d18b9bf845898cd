import { expect } from 'chai';
import { Types } from 'mongoose';
import { PDFParse } from 'pdf-parse';
import request from 'supertest';
import { enrollmentModels } from '../../../src/enrollments/enrollment.model.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, shortCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { signInThroughForm, type WebSession } from '../../helpers/web-session.js';
import { staffAccount, staffEmail, type Staff } from '../quizzes/quiz-world.js';

const COURSE_A = 'liderazgo-comunitario';
const COURSE_A_TITLE = 'Liderazgo comunitario y participación';
const COURSE_B = 'gestion-publica';
const COURSE_B_TITLE = 'Gestión pública territorial';
const STAFF_PASSWORD = 'clave-de-equipo-2026';

/** Collects a binary body (PDF, XLSX) instead of letting supertest parse it. */
function binary(response: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}

interface Cohort {
  course: string;
  sex: 'female' | 'male';
  departmentCode: string;
  enrolledAt: string;
  count: number;
  /** Of those, how many completed (in the month after), were certified, started. */
  completed?: number;
  certified?: number;
  active?: number;
}

/**
 * Known counts, written straight into the enrollments:
 * course A: 6 women of Antioquia (January), 3 of Chocó (February), 2 men of Antioquia (February);
 * course B: 4 women and 1 man of Bogotá (March). 16 in all: 13 women, 3 men.
 */
const PEOPLE: Cohort[] = [
  { course: COURSE_A, sex: 'female', departmentCode: '05', enrolledAt: '2026-01-15T15:00:00Z', count: 6, completed: 3, certified: 2, active: 4 },
  { course: COURSE_A, sex: 'female', departmentCode: '27', enrolledAt: '2026-02-10T15:00:00Z', count: 3 },
  { course: COURSE_A, sex: 'male', departmentCode: '05', enrolledAt: '2026-02-20T15:00:00Z', count: 2, active: 1 },
  { course: COURSE_B, sex: 'female', departmentCode: '11', enrolledAt: '2026-03-05T15:00:00Z', count: 4 },
  { course: COURSE_B, sex: 'male', departmentCode: '11', enrolledAt: '2026-03-06T15:00:00Z', count: 1 },
];

async function insertEnrollments(ctx: TestApp): Promise<void> {
  const { Enrollment } = enrollmentModels(ctx.database.connection);
  const documents = PEOPLE.flatMap((cohort) =>
    Array.from({ length: cohort.count }, (_, index) => {
      const isCompleted = index < (cohort.completed ?? 0);
      const enrolledAt = new Date(cohort.enrolledAt);
      return {
        userId: new Types.ObjectId(),
        courseSlug: cohort.course,
        status: isCompleted ? 'completed' : 'active',
        enrolledAt,
        enrolledBy: 'manager',
        ...(index < (cohort.active ?? 0) ? { lastActivityAt: enrolledAt } : {}),
        ...(isCompleted ? { completedAt: new Date(enrolledAt.getTime() + 30 * 86_400_000) } : {}),
        certified: index < (cohort.certified ?? 0),
        profile: { sex: cohort.sex, departmentCode: cohort.departmentCode, municipalityCode: `${cohort.departmentCode}001`, ageBand: '29-40' },
      };
    }),
  );
  await Enrollment.insertMany(documents);
}

describe('the statistics dashboard and its downloads', function () {
  this.timeout(60_000);
  let fixture: CourseFixture;
  let ctx: TestApp;
  let manager: WebSession;
  let facilitator: WebSession;
  let managerApi: Staff;

  before(async () => {
    fixture = courseFixture({ ...shortCourseFiles(COURSE_A, { title: COURSE_A_TITLE }), ...shortCourseFiles(COURSE_B, { title: COURSE_B_TITLE }) });
    ctx = await createTestApp({ COURSES_DIR: fixture.root });
    await ctx.services.courses.importCourses();
    await insertEnrollments(ctx);
    const managerEmail = staffEmail('gestora.estadisticas');
    managerApi = await staffAccount(ctx, 'manager', managerEmail);
    manager = await signInThroughForm(ctx.app, { email: managerEmail, password: STAFF_PASSWORD });
    const facilitatorEmail = staffEmail('facilitador.estadisticas');
    const facilitatorAccount = await staffAccount(ctx, 'facilitator', facilitatorEmail);
    await request(ctx.app).put(`/api/v1/courses/${COURSE_A}/facilitators`).set(managerApi.auth).send({ userIds: [facilitatorAccount.id] }).expect(200);
    facilitator = await signInThroughForm(ctx.app, { email: facilitatorEmail, password: STAFF_PASSWORD });
  });

  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  it('shows a manager every course: the totals sentence with decimal commas, the table and the three charts', async () => {
    const page = await manager.agent.get('/stats').expect(200);
    expect(page.text).to.include('16 inscritos: 13 mujeres (81,3 %), 3 hombres (18,7 %)');
    expect(page.text).to.include(`<option value="${COURSE_B}">${COURSE_B_TITLE}</option>`);
    expect(page.text).to.include('<caption id="participation-caption">Participación por Sexo</caption>');
    for (const chart of ['chart-sex', 'chart-departments', 'chart-months']) {
      expect(page.text).to.include(`aria-labelledby="${chart}-title ${chart}-desc"`);
    }
    // The departments by name, largest first; the months by name.
    expect(page.text.indexOf('<th scope="row">Antioquia</th>')).to.be.greaterThan(0).and.lessThan(page.text.indexOf('<th scope="row">Chocó</th>'));
    expect(page.text).to.include('<th scope="row">ene 2026</th>');
    expect(page.text).to.include('href="/stats/participation.pdf?by=sex"');
  });

  it('applies the filters: a course, a date range, two groupings and small-cell suppression', async () => {
    const page = await manager.agent
      .get('/stats')
      .query({ course: COURSE_A, from: '2026-02-01', to: '2026-02-28', by: 'departmentCode', by2: 'sex', k: '3' })
      .expect(200);
    // February in course A: 3 women of Chocó and 2 men of Antioquia. The 2 men are below k, and with the
    // total shown the women's count would give them away: both are withheld (complementary suppression).
    expect(page.text).to.include('5 inscritos: mujeres: cifra reservada, hombres: cifra reservada');
    expect(page.text).to.include('Participación por Departamento, Sexo');
    expect(page.text).to.include('Reservado');
    expect(page.text).to.include('<label for="field-cohort">Cohorte</label>');
    expect(page.text).to.include(`href="/stats/participation.csv?course=${COURSE_A}&amp;from=2026-02-01&amp;to=2026-02-28&amp;k=3&amp;by=departmentCode%2Csex"`);
  });

  it('refuses a grouping repeated and a range that ends before it starts, on the form', async () => {
    const page = await manager.agent.get('/stats').query({ by: 'sex', by2: 'sex', from: '2026-03-01', to: '2026-02-01' }).expect(400);
    expect(page.text).to.include('class="error-summary"');
    expect(page.text).to.include('href="#field-by2"');
    expect(page.text).to.include('href="#field-to"');
    expect(page.text).not.to.include('inscritos:');
  });

  it('limits a facilitator to the courses they facilitate, and refuses another course', async () => {
    const page = await facilitator.agent.get('/stats').expect(200);
    expect(page.text).to.include('11 inscritos: 9 mujeres (81,8 %), 2 hombres (18,2 %)');
    expect(page.text).to.include(COURSE_A_TITLE);
    expect(page.text).not.to.include(COURSE_B_TITLE);
    expect(page.text).to.include('Todos mis cursos');
    await facilitator.agent.get('/stats').query({ course: COURSE_B }).expect(403);
    await facilitator.agent.get('/stats/participation.pdf').query({ course: COURSE_B }).buffer(true).parse(binary).expect(403);
  });

  it('downloads the CSV, the workbook and the printable report with the same filters', async () => {
    const csv = await manager.agent.get('/stats/participation.csv').query({ by: 'sex,departmentCode' }).expect(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.text).to.include('Mujer,Antioquia,6');

    const xlsx = await manager.agent.get('/stats/participation.xlsx').query({ course: COURSE_A }).buffer(true).parse(binary).expect(200);
    expect(xlsx.headers['content-type']).to.match(/spreadsheetml/);
    expect((xlsx.body as Buffer).subarray(0, 4).toString('binary')).to.equal('PK\u0003\u0004');

    const pdf = await manager.agent.get('/stats/participation.pdf').query({ course: COURSE_A, by: 'sex', k: '3' }).buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    expect(pdf.headers['content-disposition']).to.match(/^attachment; filename="informe-participacion-\d{4}-\d{2}-\d{2}\.pdf"$/);
    const text = await pdfText(pdf.body as Buffer);
    expect(text).to.include('Informe de participación');
    expect(text).to.include(`Curso: ${COURSE_A_TITLE}`);
    expect(text).to.include('Reserva de celdas pequeñas (k): 3');
    expect(text).to.include('11 inscritos: mujeres: cifra reservada, hombres: cifra reservada');
    expect(text).to.include('Mujer Reservado Reservado Reservado 3 Reservado 0');
    expect(text).to.match(/Generado el .+ \(hora de Bogotá\)/);
    expect(text).to.include('Página 1 de 1');
  });

  it('serves the printable report on the API with a bearer token', async () => {
    const pdf = await request(ctx.app).get('/api/v1/stats/participation.pdf').query({ by: 'departmentCode' }).set(managerApi.auth).buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    expect(text).to.include('16 inscritos: 13 mujeres (81,3 %), 3 hombres (18,7 %)');
    expect(text).to.include('Agrupado por: Departamento');
    expect(text).to.include('Bogotá');
  });
});
