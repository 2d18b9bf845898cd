import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn } from '../../helpers/factories.js';

describe('PUT /api/v1/courses/:slug/facilitators', () => {
  let fixture: CourseFixture;
  let ctx: TestApp;
  let manager: { Authorization: string };
  before(async () => {
    fixture = courseFixture(sampleCourseFiles());
    ctx = await createTestApp({ COURSES_DIR: fixture.root });
    await ctx.services.courses.importCourses();
    await ctx.services.accounts.auth.createSystemAccount({ email: 'gestora@example.org', roles: ['manager'], password: 'clave-gestora-2026' });
    const token = (await request(ctx.app).post('/api/v1/auth/tokens').send({ email: 'gestora@example.org', password: 'clave-gestora-2026' }).expect(201)).body.token;
    manager = { Authorization: `Bearer ${token}` };
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  it('replaces the list, and a re-import of the course keeps it', async () => {
    const first = await registerAndSignIn(ctx.app);
    const second = await registerAndSignIn(ctx.app);
    await request(ctx.app).put('/api/v1/courses/curso-de-prueba/facilitators').set(manager).send({ userIds: [first.id, second.id] }).expect(200);
    const response = await request(ctx.app).put('/api/v1/courses/curso-de-prueba/facilitators').set(manager).send({ userIds: [second.id] }).expect(200);
    expect(response.body).to.deep.equal({ slug: 'curso-de-prueba', facilitatorIds: [second.id] });
    fixture.write('curso-de-prueba/segundo-modulo/01-cierre.md', '---\ntitle: Cierre\nminutes: 6\n---\n\nOtro texto.\n');
    await ctx.services.courses.importCourses();
    expect((await ctx.services.courses.getCourse('curso-de-prueba')).facilitatorIds).to.deep.equal([second.id]);
  });

  it('answers 400 for unknown user ids and changes nothing; 404 for an unknown course', async () => {
    const person = await registerAndSignIn(ctx.app);
    await request(ctx.app).put('/api/v1/courses/curso-de-prueba/facilitators').set(manager).send({ userIds: [person.id] }).expect(200);
    const response = await request(ctx.app)
      .put('/api/v1/courses/curso-de-prueba/facilitators')
      .set(manager)
      .send({ userIds: [person.id, '0123456789abcdef01234567'] })
      .expect(400);
    expect(response.body.error.details.unknownIds).to.deep.equal(['0123456789abcdef01234567']);
    expect((await ctx.services.courses.getCourse('curso-de-prueba')).facilitatorIds).to.deep.equal([person.id]);
    await request(ctx.app).put('/api/v1/courses/no-existe/facilitators').set(manager).send({ userIds: [] }).expect(404);
  });

  it('lists the courses a person is on the team of, only while they hold a team role; a manager gets only assigned ones', async () => {
    const facilitator = { id: '', email: 'facilitadora.equipo@example.org', roles: ['facilitator' as const] };
    const manager = { id: '', email: 'gestor.equipo@example.org', roles: ['manager' as const] };
    for (const person of [facilitator, manager]) {
      await ctx.services.accounts.auth.createSystemAccount({ email: person.email, roles: [...person.roles], password: 'clave-equipo-2026' });
      person.id = (await request(ctx.app).post('/api/v1/auth/tokens').send({ email: person.email, password: 'clave-equipo-2026' }).expect(201)).body.user.id;
    }
    expect(await ctx.services.courses.facilitatedCourseSlugs(manager)).to.deep.equal([]);
    await ctx.services.courses.setFacilitators('curso-de-prueba', [facilitator.id, manager.id]);
    expect(await ctx.services.courses.facilitatedCourseSlugs(facilitator)).to.deep.equal(['curso-de-prueba']);
    expect(await ctx.services.courses.facilitatedCourseSlugs(manager)).to.deep.equal(['curso-de-prueba']);
    // A learner left on the list (their role taken away) facilitates nothing, as isFacilitatorOf says.
    expect(await ctx.services.courses.facilitatedCourseSlugs({ ...facilitator, roles: ['learner'] })).to.deep.equal([]);
  });
});
