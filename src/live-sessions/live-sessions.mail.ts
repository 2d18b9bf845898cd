import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { TFunction } from 'i18next';
import { formatClockTime, formatLongDate } from '../web/dates.js';
import type { LiveSessionView } from './live-session.view.js';
import { placeOf } from './live-sessions.place.js';

/** What a person is told about a session: the first invitation, a change, a cancellation, or a reminder. */
export type NoticeKind = 'invitation' | 'seriesInvitation' | 'update' | 'cancellation' | 'reminder24h' | 'reminder1h';

export interface NoticeContext {
  kind: NoticeKind;
  session: LiveSessionView;
  /** Every session of a new series (a `seriesInvitation`), the first being `session`. */
  occurrences?: LiveSessionView[] | undefined;
  courseTitle: string;
  recipientName: string;
  /** The recipient's language and its translations (namespace `live-sessions`). */
  language: string;
  t: TFunction;
  /** The session's page, absolute. */
  sessionUrl: string;
  institutionName: string;
}

export interface NoticeContent {
  subject: string;
  text: string;
  html: string;
}

const TEMPLATE = fileURLToPath(new URL('../../views/live-sessions/notice-mail.ejs', import.meta.url));

/**
 * One notice in the recipient's language, as plain text and HTML with the same content:
 * the session's facts and its agenda (hour, topic, responsible), as on a printed seminar
 * agenda. A cancellation carries only what identifies the session.
 */
export async function composeNotice(context: NoticeContext): Promise<NoticeContent> {
  const { kind, session, t, language } = context;
  const date = formatLongDate(session.startsAt, language);
  const start = formatClockTime(session.startsAt);
  const end = formatClockTime(session.endsAt);
  const occurrences = context.occurrences ?? [];
  const facts = { title: session.title, course: context.courseTitle, date, start, count: occurrences.length };
  const subject = t(`mail.${kind}.subject`, facts);
  const greeting = context.recipientName ? t('mail.greeting', { name: context.recipientName }) : t('mail.greetingNoName');
  const intro = t(`mail.${kind}.intro`, facts);
  const isCancellation = kind === 'cancellation';
  const place = placeOf(session);
  const details: Array<[string, string]> = isCancellation
    ? []
    : [
        [t('mail.labels.course'), context.courseTitle],
        ...(occurrences.length > 0 ? [] : [[t('mail.labels.when'), t('mail.when', { date, start, end })] as [string, string]]),
        [t('mail.labels.modality'), t(`modality.${session.modality}`)],
        ...(place ? [[t('mail.labels.venue'), place] as [string, string]] : []),
        ...(session.meetingUrl ? [[t('mail.labels.meetingUrl'), session.meetingUrl] as [string, string]] : []),
      ];
  const agenda = isCancellation ? [] : session.agenda.map((item) => ({ time: formatClockTime(item.startsAt), topic: item.topic, responsible: item.responsible }));
  const dates = occurrences.map((one) => t('mail.when', { date: formatLongDate(one.startsAt, language), start: formatClockTime(one.startsAt), end: formatClockTime(one.endsAt) }));
  const calendarHint = t(isCancellation ? 'mail.cancellation.calendarHint' : dates.length > 0 ? 'mail.seriesInvitation.calendarHint' : 'mail.calendarHint');
  const signature = t('mail.signature', { institution: context.institutionName });

  const text = [
    greeting,
    intro,
    details.map(([label, value]) => `${label}: ${value}`).join('\n'),
    dates.length > 0 ? [t('mail.labels.dates'), ...dates.map((when) => `- ${when}`)].join('\n') : '',
    agenda.length > 0 ? [t('mail.labels.agenda'), ...agenda.map((item) => `${item.time}  ${item.topic} — ${item.responsible}`)].join('\n') : '',
    isCancellation ? '' : t('mail.details', { link: context.sessionUrl }),
    calendarHint,
    signature,
  ]
    .filter((paragraph) => paragraph.length > 0)
    .join('\n\n');

  const html = await ejs.renderFile(
    TEMPLATE,
    {
      language,
      subject,
      greeting,
      intro,
      details,
      dates,
      agenda,
      labels: { dates: t('mail.labels.dates'), agenda: t('mail.labels.agenda'), hour: t('mail.labels.hour'), topic: t('mail.labels.topic'), responsible: t('mail.labels.responsible') },
      link: isCancellation ? null : { url: context.sessionUrl, label: t('mail.detailsLabel') },
      calendarHint,
      signature,
    },
    { cache: true }, // the template is read once per process, not once per invitee
  );
  return { subject, text: `${text}\n`, html };
}
