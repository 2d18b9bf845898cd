import { Router, type Request } from 'express';
import { coursePath, quizPath, type CoursesService } from '../courses/index.js';
import { formatDateTime } from '../web/dates.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { sendQuizReportCsv } from './quiz-report.csv.js';
import type { QuizReport, QuizReportService } from './quiz-report.service.js';
import { formatNumber, quizOfRequest } from './quizzes.web.js';

/**
 * The facilitator's report of a module quiz as a page (GET …/quizzes/:moduleSlug/report):
 * totals, the score distribution (a table, and a server-drawn SVG chart beside it that
 * screen readers skip: the table says the same), each question's facility with the ones
 * worth a look flagged, and each learner's attempts; and the API's CSV for a person
 * signed in on the web. The service decides who may read it (the course's team).
 */

export interface QuizReportPagesDependencies {
  reports: QuizReportService;
  courses: CoursesService;
}

/** Facility (share of attempts fully right) under this is worth a look: too hard, or a wrong key. */
export const HARD_BELOW = 30;
/** Facility over this is worth a look: it tells nobody apart. */
export const EASY_ABOVE = 95;

const CHART = { width: 520, height: 220, top: 20, bottom: 40, left: 10, barGap: 8 };

/** The distribution as SVG rectangles and labels (presentation attributes only: the CSP forbids inline styles). */
function chartOf(distribution: QuizReport['scoreDistribution']) {
  const max = Math.max(1, ...distribution.map((band) => band.attempts));
  const plot = CHART.height - CHART.top - CHART.bottom;
  const slot = (CHART.width - CHART.left * 2) / distribution.length;
  const barWidth = slot - CHART.barGap;
  return {
    width: CHART.width,
    height: CHART.height,
    baseline: CHART.height - CHART.bottom,
    bars: distribution.map((band, index) => {
      const height = Math.round((band.attempts / max) * plot);
      const x = Math.round(CHART.left + index * slot + CHART.barGap / 2);
      return {
        x,
        y: CHART.height - CHART.bottom - height,
        width: Math.round(barWidth),
        height,
        labelX: Math.round(x + barWidth / 2),
        label: band.band,
        count: band.attempts,
        countY: CHART.height - CHART.bottom - height - 4,
      };
    }),
  };
}

export function quizReportPagesRouter({ reports, courses }: QuizReportPagesDependencies): Router {
  const router = Router();

  const reportOfRequest = async (request: Request) => {
    const found = await quizOfRequest(courses, request);
    return { ...found, report: await reports.reportOf(signedInUser(request), found.quizId) };
  };

  router.get('/courses/:slug/quizzes/:moduleSlug/report', authorize('quizzes:report'), async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const { course, moduleIndex, moduleSlug, report } = await reportOfRequest(request);
    const module = course.modules[moduleIndex]!;
    const quizTitle = module.quiz!.title;
    const percent = (value: number): string => t('quizzes:percent', { value: formatNumber(value, language) });
    const path = `${quizPath(course.slug, moduleSlug)}/report`;
    response.render('quizzes/report', {
      title: t('quizzes:report.title', { quiz: quizTitle }),
      course: { title: course.title, href: coursePath(course.slug) },
      module: { heading: t('courses:course.moduleHeading', { number: moduleIndex + 1, title: module.title }), href: `${coursePath(course.slug)}#module-${module.slug}` },
      csvHref: `${path}.csv`,
      totals: [
        t('quizzes:report.totals.attempts', { count: report.attempts }),
        t('quizzes:report.totals.learners', { count: report.learners }),
        t('quizzes:report.totals.passed', { count: report.passedLearners, total: report.learners }),
      ],
      hasAttempts: report.attempts > 0,
      distribution: report.scoreDistribution.map((band) => ({ band: band.band, attempts: band.attempts })),
      chart: chartOf(report.scoreDistribution),
      questions: report.questions.map((question, index) => {
        const flag = question.attempts === 0 ? undefined : question.facility < HARD_BELOW ? 'hard' : question.facility > EASY_ABOVE ? 'easy' : undefined;
        return {
          number: index + 1,
          prompt: question.prompt || question.id,
          typeText: question.type ? t(`quizzes:types.${question.type}`) : t('quizzes:report.removedQuestion'),
          attempts: question.attempts,
          facility: question.attempts > 0 ? percent(question.facility) : '—',
          meanMark: question.attempts > 0 ? percent(question.meanMark) : '—',
          flag,
          flagText: flag ? t(`quizzes:report.flag.${flag}`) : '',
        };
      }),
      people: report.people.map((person) => ({
        name: person.name || t('quizzes:report.noName'),
        email: person.email ?? '',
        attempts: person.attempts,
        bestScore: percent(person.bestScore),
        passed: person.passed,
        passedText: t(person.passed ? 'quizzes:report.yes' : 'quizzes:report.no'),
        lastSubmittedAt: person.lastSubmittedAt ? formatDateTime(person.lastSubmittedAt, language) : '—',
      })),
      thresholds: t('quizzes:report.flagNote', { low: percent(HARD_BELOW), high: percent(EASY_ABOVE) }),
    });
  });

  router.get('/courses/:slug/quizzes/:moduleSlug/report.csv', authorize('quizzes:report'), async (request, response) => {
    sendQuizReportCsv(response, (await reportOfRequest(request)).report);
  });

  return router;
}
