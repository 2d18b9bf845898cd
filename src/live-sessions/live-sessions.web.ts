import express, { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import { LOAD_MUNICIPALITIES } from '../accounts/index.js';
import { coursePath, type CoursesService, type CourseView } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError, isAppError } from '../shared/errors.js';
import { formatClockTime, formatDate, formatDateTime, formatLongDate } from '../web/dates.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, type FormState } from '../web/form-fields.js';
import { listValue, pressedButton, readForm } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import { bogotaDayOf } from './holidays.js';
import { placeOf } from './live-sessions.place.js';
import { attendanceSchema, rsvpSchema } from './live-sessions.schemas.js';
import type { LiveSessionsService, LiveSessionView } from './live-sessions.service.js';
import {
  ADD_AGENDA_ROWS, AGENDA_ROWS, agendaRowCount, changesOf, refusalMessagesOf, SESSION_FORM_FIELDS, sessionForm, sessionInputOf, sessionValues,
} from './session-form.js';

/**
 * The live-session pages: scheduling and editing (a form in Colombian time, with an
 * agenda table), the session page (RSVP, calendar file, the team's links), cancelling
 * after a confirmation, the attendance roster, and the agenda laid out for printing.
 * Who may do what on which course is the service's to decide; the pages ask it first,
 * so that a stranger gets 403 rather than a form.
 */

export interface LiveSessionPagesDependencies {
  sessions: LiveSessionsService;
  courses: Pick<CoursesService, 'getCourse' | 'isFacilitatorOf'>;
  enrollments: Pick<EnrollmentsService, 'listCohorts'>;
  /** Heads the printed agenda (the institution settings). */
  institutionName(): Promise<string>;
  clock: Clock;
}

const sessionPath = (id: string): string => `/live-sessions/${encodeURIComponent(id)}`;
const schedulePath = (courseSlug: string): string => `${coursePath(courseSlug)}/live-sessions`;
const idOf = (request: Request): string => String(request.params.id);

/** The conflicts a page turns into a message, by `details.reason`; any other error goes to the error page. */
function conflictReasonOf(error: unknown, reasons: readonly string[]): string | undefined {
  const reason = isAppError(error) && error.code === 'conflict' ? error.details?.reason : undefined;
  return typeof reason === 'string' && reasons.includes(reason) ? reason : undefined;
}

/** `sábado, 21 de noviembre de 2026, de 09:00 a 12:00`, or both ends in full when a session runs past midnight. */
function whenText(t: TFunction, language: string, session: Pick<LiveSessionView, 'startsAt' | 'endsAt'>): string {
  if (bogotaDayOf(new Date(session.startsAt)) !== bogotaDayOf(new Date(session.endsAt))) {
    return t('live-sessions:pages.whenSpanning', { start: formatDateTime(session.startsAt, language), end: formatDateTime(session.endsAt, language) });
  }
  return t('live-sessions:pages.when', { date: formatLongDate(session.startsAt, language), start: formatClockTime(session.startsAt), end: formatClockTime(session.endsAt) });
}

function agendaRows(session: LiveSessionView) {
  return session.agenda.map((item) => ({ time: formatClockTime(item.startsAt), topic: item.topic, responsible: item.responsible }));
}

/**
 * The upcoming sessions a person may see, as links, for the pages of modules that may
 * not import this one (the course page, "My courses"): app.ts hands this to them.
 */
export function upcomingSessionLinks(sessions: Pick<LiveSessionsService, 'upcomingFor'>) {
  return {
    async upcomingFor(actor: Actor, options: { courseSlug?: string; limit: number }) {
      const upcoming = await sessions.upcomingFor(actor, options);
      return upcoming.map((session) => ({
        title: session.title,
        courseSlug: session.courseSlug,
        startsAt: session.startsAt,
        response: session.response,
        href: sessionPath(session.id),
      }));
    },
  };
}

export function liveSessionPagesRouter({ sessions, courses, enrollments, institutionName, clock }: LiveSessionPagesDependencies): Router {
  const router = Router();

  /** The course's team only (its facilitators, managers): others get 403 before any form. */
  async function ensureTeamOf(request: Request, courseSlug: string): Promise<void> {
    if (!(await courses.isFacilitatorOf(signedInUser(request), courseSlug))) throw new AppError('forbidden', 'You do not facilitate this course.');
  }

  /** A session for its team's pages (edit, cancel): 404 when missing, 403 for anyone else. */
  async function sessionForTeam(request: Request): Promise<LiveSessionView> {
    const { session, isTeam } = await sessions.sessionForViewer(signedInUser(request), idOf(request));
    if (!isTeam) throw new AppError('forbidden', 'You do not facilitate this course.');
    return session;
  }

  interface FormPage {
    course: CourseView;
    /** Absent: a new session. */
    session?: LiveSessionView;
    state: FormState;
    rowCount: number;
    status?: number;
  }

  async function renderForm(request: Request, response: Response, { course, session, state, rowCount, status = 200 }: FormPage): Promise<void> {
    const t = request.t;
    const cohorts = await enrollments.listCohorts(course.slug);
    const form = sessionForm(t, state, cohorts.map((cohort) => ({ value: cohort.id, label: cohort.name })), rowCount, { canRepeat: !session });
    response.status(status).render('live-sessions/form', {
      title: session ? t('live-sessions:form.editTitle', { title: session.title }) : t('live-sessions:form.newTitle'),
      intro: t(session ? 'live-sessions:form.editIntro' : 'live-sessions:form.newIntro', { course: course.title }),
      course: { title: course.title, href: coursePath(course.slug) },
      session: session ? { title: session.title, href: sessionPath(session.id) } : undefined,
      action: session ? `${sessionPath(session.id)}/edit` : schedulePath(course.slug),
      submitLabel: t(session ? 'live-sessions:form.save' : 'live-sessions:form.schedule'),
      cancelHref: session ? sessionPath(session.id) : coursePath(course.slug),
      groups: form.groups,
      agenda: { ...form.agenda, canAddRows: form.agenda.rowCount < AGENDA_ROWS.max, addAction: ADD_AGENDA_ROWS, maxRows: AGENDA_ROWS.max, addedRows: AGENDA_ROWS.added },
      summary: errorSummary(state.errors, form.fields),
      scripts: ['/js/territories.js', '/js/live-session-form.js'],
    });
  }

  /** The extra buttons of the form (more agenda rows, a department's municipalities): the same form again, nothing saved. */
  function reloadRowCount(request: Request, values: ReturnType<typeof readForm>): number | undefined {
    const button = pressedButton(request.body);
    if (button === ADD_AGENDA_ROWS) return agendaRowCount(values, AGENDA_ROWS.added);
    if (button === LOAD_MUNICIPALITIES) return agendaRowCount(values);
    return undefined;
  }

  router.get('/courses/:slug/live-sessions/new', authorize('live-sessions:schedule'), async (request, response) => {
    const course = await courses.getCourse(String(request.params.slug));
    await ensureTeamOf(request, course.slug);
    await renderForm(request, response, { course, state: emptyForm(), rowCount: AGENDA_ROWS.initial });
  });

  router.post('/courses/:slug/live-sessions', authorize('live-sessions:schedule'), async (request, response) => {
    const t = request.t;
    const course = await courses.getCourse(String(request.params.slug));
    await ensureTeamOf(request, course.slug);
    const values = readForm(request.body, SESSION_FORM_FIELDS);
    const reloaded = reloadRowCount(request, values);
    if (reloaded !== undefined) {
      await renderForm(request, response, { course, state: emptyForm(values), rowCount: reloaded });
      return;
    }
    const parsed = sessionInputOf(t, values, { canRepeat: true });
    const rowCount = agendaRowCount(values);
    if ('errors' in parsed) {
      await renderForm(request, response, { course, state: { values, errors: parsed.errors }, rowCount, status: 400 });
      return;
    }
    let scheduled: Awaited<ReturnType<LiveSessionsService['scheduleSession']>>;
    try {
      scheduled = await sessions.scheduleSession(signedInUser(request), course.slug, parsed.input);
    } catch (error) {
      const errors = refusalMessagesOf(error, t, parsed.rowsSent, { isSeries: parsed.input.recurrence !== undefined });
      await renderForm(request, response, { course, state: { values, errors }, rowCount, status: isAppError(error) ? error.status : 400 });
      return;
    }
    // A series: the page of its first session, which lists the others.
    if (scheduled.series) flash(request, 'success', 'live-sessions:pages.scheduledSeries', { title: scheduled.title, count: scheduled.series.sessions.length });
    else flash(request, 'success', 'live-sessions:pages.scheduled', { title: scheduled.title });
    for (const warning of scheduled.warnings) {
      if (!warning.startsWith('holiday:')) continue;
      flash(request, 'warning', scheduled.series ? 'live-sessions:pages.holidayWarningSeries' : 'live-sessions:pages.holidayWarning', { holiday: warning.slice('holiday:'.length) });
    }
    response.redirect(303, sessionPath(scheduled.id));
  });

  router.get('/live-sessions/:id', authorize('live-sessions:read'), async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const { session, isTeam, isInvited, response: answer } = await sessions.sessionForViewer(signedInUser(request), idOf(request));
    const course = await courses.getCourse(session.courseSlug);
    const cohortName = session.cohortId ? (await enrollments.listCohorts(course.slug)).find((cohort) => cohort.id === session.cohortId)?.name : undefined;
    const path = sessionPath(session.id);
    const isCancelled = session.status === 'cancelled';
    const hasEnded = new Date(session.endsAt) <= clock.now();
    const place = session.modality === 'virtual' ? null : placeOf(session);
    const label = (name: string): string => t(`live-sessions:pages.facts.${name}`);
    // The other sessions of its series, for the "Sesión 2 de 6" line and its links.
    const series = session.seriesId
      ? await sessions.seriesSessions(signedInUser(request), session.seriesId)
      : [];
    const position = series.findIndex((other) => other.id === session.id);
    response.render('live-sessions/session', {
      title: session.title,
      course: { title: course.title, href: coursePath(course.slug) },
      isCancelled,
      facts: [
        { label: label('course'), value: course.title, href: coursePath(course.slug) },
        { label: label('when'), value: whenText(t, language, session) },
        { label: label('modality'), value: t(`live-sessions:modality.${session.modality}`) },
        ...(place ? [{ label: label('place'), value: place }] : []),
        ...(session.meetingUrl && session.modality !== 'in_person' ? [{ label: label('meetingUrl'), value: session.meetingUrl, href: session.meetingUrl }] : []),
        ...(cohortName ? [{ label: label('cohort'), value: cohortName }] : []),
        { label: label('capacity'), value: session.capacity === null ? t('live-sessions:pages.noCapacity') : t('live-sessions:pages.capacity', { count: session.capacity }) },
        { label: label('answers'), value: t('live-sessions:pages.answers', { yes: session.rsvpCounts.yes, no: session.rsvpCounts.no }) },
      ],
      series:
        position >= 0
          ? {
              positionText: t('live-sessions:pages.seriesPosition', { position: position + 1, total: series.length }),
              label: t('live-sessions:pages.seriesLabel'),
              sessions: series.map((other, index) => ({
                text: t(other.status === 'cancelled' ? 'live-sessions:pages.seriesItemCancelled' : 'live-sessions:pages.seriesItem', { number: index + 1, date: formatDate(other.startsAt, language) }),
                href: sessionPath(other.id),
                isCurrent: other.id === session.id,
              })),
            }
          : undefined,
      agenda: agendaRows(session),
      agendaHref: `${path}/agenda`,
      calendarHref: `${path}/calendar.ics`,
      rsvp: isInvited
        ? {
            action: `${path}/rsvp`,
            currentText: t(`live-sessions:rsvp.current.${answer ?? 'none'}`),
            canAnswer: !isCancelled && !hasEnded,
          }
        : undefined,
      team: isTeam
        ? {
            editHref: isCancelled ? undefined : `${path}/edit`,
            cancelHref: isCancelled ? undefined : `${path}/cancel`,
            attendanceHref: `${path}/attendance`,
          }
        : undefined,
    });
  });

  router.post('/live-sessions/:id/rsvp', authorize('live-sessions:rsvp'), async (request, response) => {
    const id = idOf(request);
    const { response: answer } = parseInput(rsvpSchema, readForm(request.body, ['response']), request.t);
    try {
      await sessions.respond(signedInUser(request), id, answer);
    } catch (error) {
      const reason = conflictReasonOf(error, ['full', 'cancelled', 'changed']);
      if (!reason) throw error;
      flash(request, 'error', `live-sessions:rsvp.refused.${reason}`);
      response.redirect(303, sessionPath(id));
      return;
    }
    flash(request, 'success', `live-sessions:rsvp.saved.${answer}`);
    response.redirect(303, sessionPath(id));
  });

  router.get('/live-sessions/:id/calendar.ics', authorize('live-sessions:read'), async (request, response) => {
    const { filename, body } = await sessions.sessionCalendar(signedInUser(request), idOf(request));
    // attachment() would set the type from the extension; the charset comes after it.
    response.attachment(filename).type('text/calendar; charset=utf-8').send(body);
  });

  router.get('/live-sessions/:id/agenda', authorize('live-sessions:read'), async (request, response) => {
    const t = request.t;
    const session = await sessions.getSession(signedInUser(request), idOf(request));
    const course = await courses.getCourse(session.courseSlug);
    const place = session.modality === 'virtual' ? null : placeOf(session);
    response.render('live-sessions/agenda', {
      title: t('live-sessions:agendaPage.title', { title: session.title }),
      institutionName: await institutionName(),
      courseTitle: course.title,
      sessionTitle: session.title,
      sessionHref: sessionPath(session.id),
      isCancelled: session.status === 'cancelled',
      when: whenText(t, languageOf(request), session),
      place,
      meetingUrl: session.modality === 'in_person' ? null : session.meetingUrl,
      agenda: agendaRows(session),
      scripts: ['/js/print.js'],
    });
  });

  router.get('/live-sessions/:id/edit', authorize('live-sessions:schedule'), async (request, response) => {
    const session = await sessionForTeam(request);
    if (session.status === 'cancelled') {
      flash(request, 'info', 'live-sessions:pages.cancelledNoEdit');
      response.redirect(303, sessionPath(session.id));
      return;
    }
    const values = sessionValues(session);
    await renderForm(request, response, { course: await courses.getCourse(session.courseSlug), session, state: emptyForm(values), rowCount: agendaRowCount(values) });
  });

  router.post('/live-sessions/:id/edit', authorize('live-sessions:schedule'), async (request, response) => {
    const t = request.t;
    const session = await sessionForTeam(request);
    const course = await courses.getCourse(session.courseSlug);
    const values = readForm(request.body, SESSION_FORM_FIELDS);
    const reloaded = reloadRowCount(request, values);
    if (reloaded !== undefined) {
      await renderForm(request, response, { course, session, state: emptyForm(values), rowCount: reloaded });
      return;
    }
    const parsed = sessionInputOf(t, values);
    const rowCount = agendaRowCount(values);
    if ('errors' in parsed) {
      await renderForm(request, response, { course, session, state: { values, errors: parsed.errors }, rowCount, status: 400 });
      return;
    }
    const changes = changesOf(session, parsed.input);
    if (Object.keys(changes).length === 0) {
      flash(request, 'info', 'live-sessions:pages.unchanged');
      response.redirect(303, sessionPath(session.id));
      return;
    }
    try {
      await sessions.updateSession(signedInUser(request), session.id, changes);
    } catch (error) {
      if (conflictReasonOf(error, ['cancelled'])) {
        flash(request, 'error', 'live-sessions:pages.cancelledNoEdit');
        response.redirect(303, sessionPath(session.id));
        return;
      }
      const errors = refusalMessagesOf(error, t, parsed.rowsSent);
      await renderForm(request, response, { course, session, state: { values, errors }, rowCount, status: isAppError(error) ? error.status : 400 });
      return;
    }
    flash(request, 'success', 'live-sessions:pages.updated', { title: parsed.input.title });
    response.redirect(303, sessionPath(session.id));
  });

  router.get('/live-sessions/:id/cancel', authorize('live-sessions:schedule'), async (request, response) => {
    const t = request.t;
    const session = await sessionForTeam(request);
    if (session.status === 'cancelled') {
      flash(request, 'info', 'live-sessions:pages.alreadyCancelled');
      response.redirect(303, sessionPath(session.id));
      return;
    }
    const course = await courses.getCourse(session.courseSlug);
    response.render('live-sessions/cancel', {
      title: t('live-sessions:cancelPage.title', { title: session.title }),
      course: { title: course.title, href: coursePath(course.slug) },
      session: { title: session.title, href: sessionPath(session.id) },
      when: whenText(t, languageOf(request), session),
      answers: t('live-sessions:pages.answers', { yes: session.rsvpCounts.yes, no: session.rsvpCounts.no }),
      action: `${sessionPath(session.id)}/cancel`,
    });
  });

  router.post('/live-sessions/:id/cancel', authorize('live-sessions:schedule'), async (request, response) => {
    const cancelled = await sessions.cancelSession(signedInUser(request), idOf(request));
    flash(request, 'success', 'live-sessions:pages.cancelled', { title: cancelled.title });
    response.redirect(303, sessionPath(cancelled.id));
  });

  router.get('/live-sessions/:id/attendance', authorize('live-sessions:attendance'), async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const roster = await sessions.roster(signedInUser(request), idOf(request));
    const { session } = roster;
    const course = await courses.getCourse(session.courseSlug);
    const presentCount = roster.people.filter((person) => person.isPresent).length;
    response.render('live-sessions/attendance', {
      title: t('live-sessions:roster.title', { title: session.title }),
      course: { title: course.title, href: coursePath(course.slug) },
      session: { title: session.title, href: sessionPath(session.id) },
      when: whenText(t, language, session),
      isOpen: roster.isOpen,
      closedText: session.status === 'cancelled' ? t('live-sessions:roster.closedCancelled') : t('live-sessions:roster.closedTooEarly', { time: formatDateTime(roster.opensAt, language) }),
      action: `${sessionPath(session.id)}/attendance`,
      count: { text: t('live-sessions:roster.count', { present: presentCount, total: roster.people.length }), template: t('live-sessions:roster.count', { present: '{{present}}', total: '{{total}}' }), total: roster.people.length },
      people: roster.people.map((person) => ({
        id: person.userId,
        name: person.name || t('live-sessions:roster.noName'),
        email: person.email ?? '',
        responseText: t(`live-sessions:roster.response.${person.response ?? 'none'}`),
        isPresent: person.isPresent,
        presentText: t(person.isPresent ? 'live-sessions:roster.present' : 'live-sessions:roster.absent'),
      })),
      scripts: roster.isOpen ? ['/js/attendance.js'] : [],
    });
  });

  /**
   * The roster's submit (a form, without script) or the page script's save of every
   * change (JSON `{present}`, CSRF token in X-CSRF-Token, answered in JSON). Either way
   * the list sent replaces the saved one.
   */
  router.post('/live-sessions/:id/attendance', authorize('live-sessions:attendance'), express.json({ limit: '512kb' }), async (request, response) => {
    const id = idOf(request);
    const isScript = request.is('application/json') === 'application/json';
    const { present } = parseInput(attendanceSchema, isScript ? request.body : { present: listValue(readForm(request.body, ['present']), 'present') }, request.t);
    let saved: { present: number; absent: number };
    try {
      saved = await sessions.recordAttendance(signedInUser(request), id, present);
    } catch (error) {
      const reason = conflictReasonOf(error, ['too_early', 'cancelled']);
      if (!reason) throw error;
      if (isScript) {
        response.status(409).json({ error: { code: 'conflict', message: request.t(`live-sessions:roster.refused.${reason}`), details: { reason } } });
        return;
      }
      flash(request, 'error', `live-sessions:roster.refused.${reason}`);
      response.redirect(303, `${sessionPath(id)}/attendance`);
      return;
    }
    if (isScript) {
      response.json(saved);
      return;
    }
    flash(request, 'success', 'live-sessions:roster.saved', { present: saved.present, absent: saved.absent });
    response.redirect(303, `${sessionPath(id)}/attendance`);
  });

  return router;
}
