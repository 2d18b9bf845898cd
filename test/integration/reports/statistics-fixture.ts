import { Types } from 'mongoose';
import request from 'supertest';
import type { TestApp } from '../../helpers/app.js';

/**
 * Forty enrollments with counts worked out by hand (the comments in the suites),
 * written straight into the collection: statistics read only what is stored, and this
 * is far faster than forty people going through the API. Nine kinds of enrollment:
 *
 *   #  n  course cohort sex         dept municipality age    actor             ethnic        disab.      migration       enrolled (Bogotá)  activity  completed   certified attended
 *   1  8  A      A1     female      05   05001        18-28  public_servant    none          no          none            2026-01-10         yes       2026-02-15  yes       2
 *   2  6  A      A1     female      11   11001        29-40  community_leader  afrocolombian no          none            2026-01-20         yes       —           no        1
 *   3  3  A      A2     male        52   52001        41-59  public_servant    indigenous    yes         migrant         2026-02-05         no        2026-03-10  no        0
 *   4  5  A      A2     female      52   52001        18-28  youth_network     indigenous    no          none            2026-02-28 23:30   no        —           no        0
 *   5  7  B      —      female      05   05001        60+    civil_society     none          undisclosed returnee        2026-03-15         yes       2026-03-30  yes       1
 *   6  4  B      —      male        11   11001        29-40  public_servant    none          no          none            2026-03-20         yes       —           no        0
 *   7  1  B      —      intersex    05   05001        18-28  other             rrom          no          host_community  2026-04-02         no        —           no        0
 *   8  2  B      —      (no profile: an anonymised snapshot-less enrollment)   2026-06-10         yes       —           no        0
 *   9  4  A      A1     male        05   05001        <18    public_servant    none          no          none            2026-01-31 23:00   no        2026-02-01  yes       1
 *
 * Kind 3 completed without a recorded lesson (quizzes only) and kind 9 without one
 * either: both still count as active. Kinds 4 and 9 are enrolled late in the evening in
 * Bogotá, which is already the next day (and for kind 4 the next month) in UTC.
 */

export const COURSE_A = 'gestion-social-integral';
export const COURSE_B = 'enfoques-diferenciales-genero-inclusion';
export const COHORT_A1 = new Types.ObjectId();
export const COHORT_A2 = new Types.ObjectId();

interface Kind {
  n: number;
  course: string;
  cohort: Types.ObjectId | null;
  profile: Record<string, string>;
  enrolledAt: string;
  hasActivity: boolean;
  completedAt?: string;
  isCertified: boolean;
  attended: number;
}

const person = (sex: string, departmentCode: string, ageBand: string, actorType: string, ethnicGroup: string, disability: string, migrationStatus: string) => ({
  sex,
  departmentCode,
  municipalityCode: `${departmentCode}001`,
  ageBand,
  actorType,
  ethnicGroup,
  disability,
  migrationStatus,
});

const KINDS: Kind[] = [
  { n: 8, course: COURSE_A, cohort: COHORT_A1, profile: person('female', '05', '18-28', 'public_servant', 'none', 'no', 'none'), enrolledAt: '2026-01-10T10:00:00-05:00', hasActivity: true, completedAt: '2026-02-15T10:00:00-05:00', isCertified: true, attended: 2 },
  { n: 6, course: COURSE_A, cohort: COHORT_A1, profile: person('female', '11', '29-40', 'community_leader', 'afrocolombian', 'no', 'none'), enrolledAt: '2026-01-20T10:00:00-05:00', hasActivity: true, isCertified: false, attended: 1 },
  { n: 3, course: COURSE_A, cohort: COHORT_A2, profile: person('male', '52', '41-59', 'public_servant', 'indigenous', 'yes', 'migrant'), enrolledAt: '2026-02-05T10:00:00-05:00', hasActivity: false, completedAt: '2026-03-10T10:00:00-05:00', isCertified: false, attended: 0 },
  { n: 5, course: COURSE_A, cohort: COHORT_A2, profile: person('female', '52', '18-28', 'youth_network', 'indigenous', 'no', 'none'), enrolledAt: '2026-02-28T23:30:00-05:00', hasActivity: false, isCertified: false, attended: 0 },
  { n: 7, course: COURSE_B, cohort: null, profile: person('female', '05', '60+', 'civil_society', 'none', 'undisclosed', 'returnee'), enrolledAt: '2026-03-15T10:00:00-05:00', hasActivity: true, completedAt: '2026-03-30T10:00:00-05:00', isCertified: true, attended: 1 },
  { n: 4, course: COURSE_B, cohort: null, profile: person('male', '11', '29-40', 'public_servant', 'none', 'no', 'none'), enrolledAt: '2026-03-20T10:00:00-05:00', hasActivity: true, isCertified: false, attended: 0 },
  { n: 1, course: COURSE_B, cohort: null, profile: person('intersex', '05', '18-28', 'other', 'rrom', 'no', 'host_community'), enrolledAt: '2026-04-02T10:00:00-05:00', hasActivity: false, isCertified: false, attended: 0 },
  { n: 2, course: COURSE_B, cohort: null, profile: {}, enrolledAt: '2026-06-10T10:00:00-05:00', hasActivity: true, isCertified: false, attended: 0 },
  { n: 4, course: COURSE_A, cohort: COHORT_A1, profile: person('male', '05', '<18', 'public_servant', 'none', 'no', 'none'), enrolledAt: '2026-01-31T23:00:00-05:00', hasActivity: false, completedAt: '2026-02-01T10:00:00-05:00', isCertified: true, attended: 1 },
];

export async function insertParticipationFixture(ctx: TestApp): Promise<void> {
  const documents = KINDS.flatMap((kind) =>
    Array.from({ length: kind.n }, () => ({
      userId: new Types.ObjectId(),
      courseSlug: kind.course,
      cohortId: kind.cohort,
      status: kind.completedAt ? 'completed' : 'active',
      enrolledAt: new Date(kind.enrolledAt),
      enrolledBy: 'manager',
      completedLessons: [],
      passedQuizzes: [],
      attendedSessions: kind.attended,
      ...(kind.hasActivity ? { lastActivityAt: new Date('2026-06-20T10:00:00-05:00') } : {}),
      ...(kind.completedAt ? { completedAt: new Date(kind.completedAt), completionPublishedAt: new Date(kind.completedAt) } : {}),
      certified: kind.isCertified,
      profile: kind.profile,
    })),
  );
  await ctx.database.connection.collection('enrollments').insertMany(documents);
}

let sequence = 0;

/** A staff account signed in with a bearer token. */
export async function staff(ctx: TestApp, role: 'facilitator' | 'manager' | 'admin'): Promise<{ id: string; auth: { Authorization: string } }> {
  sequence += 1;
  const email = `estadisticas.${role}.${sequence}.${Date.now().toString(36)}@example.org`;
  await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password: 'clave-estadisticas-2026' });
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password: 'clave-estadisticas-2026' }).expect(201);
  return { id: response.body.user.id, auth: { Authorization: `Bearer ${response.body.token}` } };
}
