import { expect } from 'chai';
import { Types } from 'mongoose';
import { enrollmentModels } from '../../src/enrollments/enrollment.model.js';
import { expectSoundPage, signInAndConsent, useBrowserApp } from '../helpers/browser.js';
import { courseFixture, shortCourseFiles } from '../helpers/course-fixture.js';
import { accountWithRoles } from '../helpers/web-session.js';

const COURSE = 'participacion-ciudadana';
const COURSE_TITLE = 'Participación ciudadana';
const fixture = courseFixture(shortCourseFiles(COURSE, { title: COURSE_TITLE }));

/** Known counts: 12 women and 3 men of Nariño, 5 women of Cauca, enrolled in January and February 2026. */
const PEOPLE = [
  { sex: 'female', departmentCode: '52', enrolledAt: '2026-01-12T15:00:00Z', count: 12 },
  { sex: 'male', departmentCode: '52', enrolledAt: '2026-01-20T15:00:00Z', count: 3 },
  { sex: 'female', departmentCode: '19', enrolledAt: '2026-02-03T15:00:00Z', count: 5 },
];

/**
 * A programme manager reads the statistics in a real browser: from the menu to the
 * dashboard, a filter applied, the table and the three charts with their tables; the
 * page passes the accessibility check and fits a phone's width.
 */
describe('in the browser: a manager reads the participation statistics', function () {
  this.timeout(120_000);
  const harness = useBrowserApp({ COURSES_DIR: fixture.root });
  after(() => fixture.cleanUp());

  it('opens the dashboard, filters it, and sees the table and the charts', async () => {
    const { baseUrl, newPage, testApp } = harness();
    await testApp.services.courses.importCourses();
    const { Enrollment } = enrollmentModels(testApp.database.connection);
    await Enrollment.insertMany(
      PEOPLE.flatMap(({ count, enrolledAt, ...profile }) =>
        Array.from({ length: count }, () => ({ userId: new Types.ObjectId(), courseSlug: COURSE, enrolledAt: new Date(enrolledAt), enrolledBy: 'manager', profile })),
      ),
    );

    const manager = await accountWithRoles(testApp.services, ['manager']);
    const page = await newPage();
    await signInAndConsent(page, baseUrl, manager);
    await page.getByRole('link', { name: 'Estadísticas' }).click();
    await page.waitForURL(`${baseUrl}/stats`);
    await page.getByText('20 inscritos: 17 mujeres (85,0 %), 3 hombres (15,0 %)').waitFor();
    await expectSoundPage(page);

    await page.getByLabel('Curso', { exact: true }).selectOption(COURSE);
    await page.getByLabel('Departamento', { exact: true }).selectOption('52');
    await page.getByLabel('Y además por', { exact: true }).selectOption('ageBand');
    await page.getByRole('button', { name: 'Aplicar filtros' }).click();
    await page.getByText('15 inscritos: 12 mujeres (80,0 %), 3 hombres (20,0 %)').waitFor();
    expect(await page.getByRole('table', { name: 'Participación por Sexo, Grupo de edad' }).isVisible()).to.equal(true);
    for (const chart of ['Inscritos por sexo', 'Inscritos por departamento y sexo', 'Inscripciones y finalizaciones por mes']) {
      expect(await page.getByRole('img', { name: chart }).isVisible(), chart).to.equal(true);
      expect(await page.getByRole('table', { name: `${chart}: cifras del gráfico` }).isVisible(), chart).to.equal(true);
    }
    // Each chart is a well-formed SVG image to the browser's own XML parser.
    const svgErrors = await page.evaluate<number>(
      "[...document.querySelectorAll('svg.stats-chart')].filter((svg) => new DOMParser().parseFromString(svg.outerHTML, 'image/svg+xml').querySelector('parsererror')).length",
    );
    expect(svgErrors).to.equal(0);
    expect(await page.getByRole('link', { name: 'Informe para imprimir (PDF)' }).getAttribute('href')).to.equal(`/stats/participation.pdf?course=${COURSE}&department=52&by=sex%2CageBand`);
    await expectSoundPage(page);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).to.equal(true);
    await expectSoundPage(page);
  });
});
