import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { COHORT_A2, COURSE_A, COURSE_B, insertParticipationFixture, staff } from './statistics-fixture.js';

/** The fixture's numbers (statistics-fixture.ts), worked out by hand. */

type Row = Array<string | number | null>;
const MEASURES = ['enrolled', 'active', 'completed', 'certified', 'attendedLiveSessions'] as const;

interface Group {
  key: Record<string, string | null>;
  share: Record<string, number | null>;
  suppressed?: boolean;
  [measure: string]: unknown;
}

/** Each group as [key values…, enrolled, active, completed, certified, attended]. */
const rowsOf = (groups: Group[], by: string[]): Row[] => groups.map((group) => [...by.map((dimension) => group.key[dimension] ?? null), ...MEASURES.map((measure) => group[measure] as number | null)]);

describe('GET /api/v1/stats/participation', function () {
  this.timeout(30_000);
  const ctx = useTestApp();
  let manager: { Authorization: string };

  before(async () => {
    await ctx().services.courses.importCourses();
    await insertParticipationFixture(ctx());
    manager = (await staff(ctx(), 'manager')).auth;
  });

  const participation = async (query: string, auth = manager, status = 200) => (await request(ctx().app).get(`/api/v1/stats/participation${query}`).set(auth).expect(status)).body;

  it('counts by sex by default, every sex listed, with totals that are the sum of the groups', async () => {
    const body = await participation('');
    expect(body.filters).to.deep.equal({ course: null, cohort: null, from: null, to: null, department: null, by: ['sex'], k: null, courses: null });
    expect(body.totals).to.deep.equal({ enrolled: 40, active: 34, completed: 22, certified: 19, attendedLiveSessions: 25 });
    expect(rowsOf(body.groups, ['sex'])).to.deep.equal([
      ['female', 26, 21, 15, 15, 21],
      ['male', 11, 11, 7, 4, 4],
      ['intersex', 1, 0, 0, 0, 0],
      ['undisclosed', 0, 0, 0, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ]);
    expect(body.groups.every((group: Group) => group.suppressed === undefined)).to.equal(true);
  });

  it('gives each measure its share of that measure\'s total, one decimal, by the largest remainder', async () => {
    const body = await participation('');
    const shares = (measure: string) => body.groups.map((group: Group) => group.share[measure]);
    expect(shares('enrolled')).to.deep.equal([65, 27.5, 2.5, 0, 5]);
    // 21/34, 11/34, 2/34 = 61.76…, 32.35…, 5.88…: rounding each would give 100.1.
    expect(shares('active')).to.deep.equal([61.8, 32.3, 0, 0, 5.9]);
    expect(shares('completed')).to.deep.equal([68.2, 31.8, 0, 0, 0]);
    expect(shares('certified')).to.deep.equal([78.9, 21.1, 0, 0, 0]);
    expect(shares('attendedLiveSessions')).to.deep.equal([84, 16, 0, 0, 0]);
  });

  it('makes every measure\'s shares add up to 100.0 for every grouping', async () => {
    for (const by of ['sex', 'departmentCode', 'ageBand', 'actorType', 'departmentCode,sex', 'ageBand,sex,ethnicGroup']) {
      const body = await participation(`?by=${by}`);
      for (const measure of MEASURES) {
        const sum = body.groups.reduce((total: number, group: Group) => total + (group.share[measure] ?? 0), 0);
        expect(sum, `${by} ${measure}`).to.be.closeTo(100, 0.1);
        const counted = body.groups.reduce((total: number, group: Group) => total + (group[measure] as number), 0);
        expect(counted, `${by} ${measure} total`).to.equal(body.totals[measure]);
      }
    }
  });

  const byDimension: Record<string, Row[]> = {
    departmentCode: [
      ['05', 20, 19, 19, 19, 19],
      ['11', 10, 10, 0, 0, 6],
      ['52', 8, 3, 3, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ],
    municipalityCode: [
      ['05001', 20, 19, 19, 19, 19],
      ['11001', 10, 10, 0, 0, 6],
      ['52001', 8, 3, 3, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ],
    ageBand: [
      ['<18', 4, 4, 4, 4, 4],
      ['18-28', 14, 8, 8, 8, 8],
      ['29-40', 10, 10, 0, 0, 6],
      ['41-59', 3, 3, 3, 0, 0],
      ['60+', 7, 7, 7, 7, 7],
      [null, 2, 2, 0, 0, 0],
    ],
    actorType: [
      ['public_servant', 19, 19, 15, 12, 12],
      ['community_leader', 6, 6, 0, 0, 6],
      ['youth_network', 5, 0, 0, 0, 0],
      ['civil_society', 7, 7, 7, 7, 7],
      ['other', 1, 0, 0, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ],
    ethnicGroup: [
      ['none', 23, 23, 19, 19, 19],
      ['indigenous', 8, 3, 3, 0, 0],
      ['afrocolombian', 6, 6, 0, 0, 6],
      ['rrom', 1, 0, 0, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ],
    disability: [
      ['yes', 3, 3, 3, 0, 0],
      ['no', 28, 22, 12, 12, 18],
      ['undisclosed', 7, 7, 7, 7, 7],
      [null, 2, 2, 0, 0, 0],
    ],
    migrationStatus: [
      ['none', 27, 22, 12, 12, 18],
      ['migrant', 3, 3, 3, 0, 0],
      ['returnee', 7, 7, 7, 7, 7],
      ['host_community', 1, 0, 0, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ],
  };
  for (const [dimension, expected] of Object.entries(byDimension)) {
    it(`groups by ${dimension}, listing only the values someone has, "no value" last`, async () => {
      const body = await participation(`?by=${dimension}`);
      expect(rowsOf(body.groups, [dimension])).to.deep.equal(expected);
      expect(body.totals).to.deep.equal({ enrolled: 40, active: 34, completed: 22, certified: 19, attendedLiveSessions: 25 });
    });
  }

  it('crosses department with sex, every sex listed for every department', async () => {
    const body = await participation('?by=departmentCode,sex');
    expect(body.filters.by).to.deep.equal(['departmentCode', 'sex']);
    expect(rowsOf(body.groups, ['departmentCode', 'sex'])).to.deep.equal([
      ['05', 'female', 15, 15, 15, 15, 15],
      ['05', 'male', 4, 4, 4, 4, 4],
      ['05', 'intersex', 1, 0, 0, 0, 0],
      ['05', 'undisclosed', 0, 0, 0, 0, 0],
      ['11', 'female', 6, 6, 0, 0, 6],
      ['11', 'male', 4, 4, 0, 0, 0],
      ['11', 'intersex', 0, 0, 0, 0, 0],
      ['11', 'undisclosed', 0, 0, 0, 0, 0],
      ['52', 'female', 5, 0, 0, 0, 0],
      ['52', 'male', 3, 3, 3, 0, 0],
      ['52', 'intersex', 0, 0, 0, 0, 0],
      ['52', 'undisclosed', 0, 0, 0, 0, 0],
      [null, 'female', 0, 0, 0, 0, 0],
      [null, 'male', 0, 0, 0, 0, 0],
      [null, 'intersex', 0, 0, 0, 0, 0],
      [null, 'undisclosed', 0, 0, 0, 0, 0],
      [null, null, 2, 2, 0, 0, 0],
    ]);
  });

  it('filters by course, cohort and department', async () => {
    const course = await participation(`?course=${COURSE_A}`);
    expect(course.totals).to.deep.equal({ enrolled: 26, active: 21, completed: 15, certified: 12, attendedLiveSessions: 18 });
    expect(rowsOf(course.groups, ['sex'])).to.deep.equal([
      ['female', 19, 14, 8, 8, 14],
      ['male', 7, 7, 7, 4, 4],
      ['intersex', 0, 0, 0, 0, 0],
      ['undisclosed', 0, 0, 0, 0, 0],
    ]);
    const cohort = await participation(`?cohort=${COHORT_A2.toHexString()}`);
    expect(rowsOf(cohort.groups, ['sex']).slice(0, 2)).to.deep.equal([
      ['female', 5, 0, 0, 0, 0],
      ['male', 3, 3, 3, 0, 0],
    ]);
    const department = await participation('?department=11&by=sex,ageBand');
    expect(department.filters.department).to.equal('11');
    expect(department.totals.enrolled).to.equal(10);
    expect(rowsOf(department.groups, ['sex', 'ageBand'])).to.deep.equal([
      ['female', '29-40', 6, 6, 0, 0, 6],
      ['male', '29-40', 4, 4, 0, 0, 0],
      ['intersex', '29-40', 0, 0, 0, 0, 0],
      ['undisclosed', '29-40', 0, 0, 0, 0, 0],
    ]);
  });

  it('counts enrollment days in Bogotá time, both ends included', async () => {
    // 2026-01-31 23:00 in Bogotá is 1 February in UTC: it belongs to 31 January.
    const lastOfJanuary = await participation('?from=2026-01-31&to=2026-01-31');
    expect(lastOfJanuary.filters).to.include({ from: '2026-01-31', to: '2026-01-31' });
    expect(lastOfJanuary.totals).to.deep.equal({ enrolled: 4, active: 4, completed: 4, certified: 4, attendedLiveSessions: 4 });
    // February: kind 3 and kind 4 (28 February, 23:30 in Bogotá; already March in UTC).
    const february = await participation('?from=2026-02-01&to=2026-02-28');
    expect(february.totals.enrolled).to.equal(8);
    const fromMarch = await participation('?from=2026-03-01');
    expect(rowsOf(fromMarch.groups, ['sex'])).to.deep.equal([
      ['female', 7, 7, 7, 7, 7],
      ['male', 4, 4, 0, 0, 0],
      ['intersex', 1, 0, 0, 0, 0],
      ['undisclosed', 0, 0, 0, 0, 0],
      [null, 2, 2, 0, 0, 0],
    ]);
    const untilJanuary = await participation('?to=2026-01-31');
    expect(untilJanuary.totals.enrolled).to.equal(18);
  });

  it('suppresses counts below k, and the next smallest cell where one hidden cell could be worked out from the total', async () => {
    const body = await participation('?k=5');
    expect(body.filters.k).to.equal(5);
    // Totals stay.
    expect(body.totals).to.deep.equal({ enrolled: 40, active: 34, completed: 22, certified: 19, attendedLiveSessions: 25 });
    // enrolled: 1 and 2 hidden (two cells: safe). active: only 2 is small → 11 (male) hidden as its complement.
    // certified and attended: male 4 is small → female hidden as its complement. completed: nothing small.
    expect(rowsOf(body.groups, ['sex'])).to.deep.equal([
      ['female', 26, 21, 15, null, null],
      ['male', 11, null, 7, null, null],
      ['intersex', null, 0, 0, 0, 0],
      ['undisclosed', 0, 0, 0, 0, 0],
      [null, null, null, 0, 0, 0],
    ]);
    expect(body.groups.map((group: Group) => group.suppressed ?? false)).to.deep.equal([true, true, true, false, true]);
    expect(body.groups[1].share).to.deep.equal({ enrolled: 27.5, active: null, completed: 31.8, certified: null, attendedLiveSessions: null });
  });

  it('refuses what it cannot count: unknown dimensions, more than three, repeated ones, impossible days', async () => {
    for (const query of ['?by=religion', '?by=sex,ageBand,actorType,disability', '?by=sex,sex', '?from=2026-02-30', '?from=2026-03-01&to=2026-02-01', '?k=0', '?cohort=xyz']) {
      const body = await participation(query, manager, 400);
      expect(body.error.code, query).to.equal('validation_failed');
    }
    await participation('?course=no-such-course', manager, 404);
  });

  it('shows facilitators only their own courses, and refuses another course', async () => {
    const facilitator = await staff(ctx(), 'facilitator');
    const nothing = await participation('', facilitator.auth);
    expect(nothing.filters.courses).to.deep.equal([]);
    expect(nothing.totals.enrolled).to.equal(0);
    await request(ctx().app).put(`/api/v1/courses/${COURSE_B}/facilitators`).set(manager).send({ userIds: [facilitator.id] }).expect(200);
    const own = await participation('', facilitator.auth);
    expect(own.filters.courses).to.deep.equal([COURSE_B]);
    expect(own.totals).to.deep.equal({ enrolled: 14, active: 13, completed: 7, certified: 7, attendedLiveSessions: 7 });
    expect((await participation(`?course=${COURSE_B}`, facilitator.auth)).totals.enrolled).to.equal(14);
    const refused = await participation(`?course=${COURSE_A}`, facilitator.auth, 403);
    expect(refused.error.code).to.equal('forbidden');
    await request(ctx().app).get(`/api/v1/stats/participation.csv?course=${COURSE_A}`).set(facilitator.auth).expect(403);
  });

  it('gives the line chart enrollments and completions by Bogotá month, empty months as zeros', async () => {
    const points = await ctx().services.statistics.enrollmentsOverTime({ id: 'x', email: 'x@example.org', roles: ['manager'] }, { by: ['sex'] });
    expect(points).to.deep.equal([
      { period: '2026-01', enrolled: 18, completed: 0 },
      { period: '2026-02', enrolled: 8, completed: 12 },
      { period: '2026-03', enrolled: 11, completed: 10 },
      { period: '2026-04', enrolled: 1, completed: 0 },
      { period: '2026-05', enrolled: 0, completed: 0 },
      { period: '2026-06', enrolled: 2, completed: 0 },
    ]);
    const ofCourseB = await ctx().services.statistics.enrollmentsOverTime({ id: 'x', email: 'x@example.org', roles: ['admin'] }, { course: COURSE_B });
    expect(ofCourseB.map((point) => point.period)).to.deep.equal(['2026-03', '2026-04', '2026-05', '2026-06']);
  });
});
