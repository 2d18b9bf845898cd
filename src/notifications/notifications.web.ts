import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import { Router, type Request, type RequestHandler } from 'express';
import { MAIL_STATUSES } from './notifications.model.js';
import type { Outbox, OutboxMailDetail, OutboxMailSummary } from './notifications.outbox.js';
import { outboxListQuerySchema, parseOrThrow } from './notifications.schemas.js';

/**
 * The admin outbox pages, mounted under `/admin/outbox` behind the guard the app hands
 * in (authentication and the admin role are the guard's job, CSRF the app's). Links are
 * built from `req.baseUrl`, so the pages work wherever they are mounted.
 */

const TIME_ZONE = tz('America/Bogota');
const DATE_FORMAT = 'yyyy-MM-dd HH:mm';

export interface OutboxPageDependencies {
  outbox: Outbox;
  /** Set when mails are written to files instead of an SMTP server: the page says where. */
  fileDirectory: string | undefined;
}

export function outboxRouter(guard: RequestHandler, { outbox, fileDirectory }: OutboxPageDependencies): Router {
  const router = Router();
  router.use(guard);
  // Mail addresses and contents: never kept by a browser or proxy cache.
  router.use((_request, response, next) => {
    response.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/', async (request, response) => {
    const query = parseOrThrow(outboxListQuerySchema, request.query, 'outbox filter');
    const page = await outbox.listMails(query);
    const basePath = request.baseUrl;
    const nextPage = page.nextCursor
      ? `${basePath}?${new URLSearchParams({ ...(query.status ? { status: query.status } : {}), cursor: page.nextCursor }).toString()}`
      : undefined;
    response.render('notifications/outbox', {
      title: request.t('notifications:outbox.title'),
      listPath: basePath || '/',
      fileDirectory,
      statusOptions: MAIL_STATUSES.map((status) => ({
        value: status,
        label: request.t(`notifications:status.${status}`),
        isSelected: status === query.status,
      })),
      isFiltered: query.status !== undefined,
      mails: page.mails.map((mail) => toRow(mail, request)),
      nextPage,
    });
  });

  router.get('/:id', async (request, response) => {
    const mail = await outbox.findMail(request.params.id);
    response.render('notifications/mail', {
      title: mail.subject,
      listPath: request.baseUrl || '/',
      mail: toDetail(mail, request),
      retryPath: `${request.baseUrl}/${mail.id}/retry`,
      wasRetried: request.query.retried === '1',
    });
  });

  router.post('/:id/retry', async (request, response) => {
    await outbox.retryMail(request.params.id);
    response.redirect(303, `${request.baseUrl}/${request.params.id}?retried=1`);
  });

  return router;
}

interface ShownDate {
  iso: string;
  text: string;
}

/** Stored in UTC, shown in Bogotá time (SPEC). */
function showDate(date: Date | undefined): ShownDate | undefined {
  return date ? { iso: date.toISOString(), text: format(date, DATE_FORMAT, { in: TIME_ZONE }) } : undefined;
}

function toRow(mail: OutboxMailSummary, request: Request) {
  return {
    href: `${request.baseUrl}/${mail.id}`,
    to: mail.to,
    subject: mail.subject,
    status: mail.status,
    statusLabel: request.t(`notifications:status.${mail.status}`),
    attempts: mail.attempts,
    createdAt: showDate(mail.createdAt),
    sentAt: showDate(mail.sentAt),
    // Only a queued mail has a next attempt worth showing.
    nextAttemptAt: mail.status === 'queued' ? showDate(mail.nextAttemptAt) : undefined,
  };
}

function toDetail(mail: OutboxMailDetail, request: Request) {
  const sizeFormat = new Intl.NumberFormat(request.language, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });
  return {
    ...toRow(mail, request),
    text: mail.text,
    hasHtml: mail.hasHtml,
    lastError: mail.lastError,
    canRetry: mail.status === 'failed',
    attachments: mail.attachments.map(({ filename, contentType, size }) => ({
      filename,
      contentType,
      size: sizeFormat.format(size / 1024),
    })),
  };
}
