import { expect } from 'chai';
import { MAIL_LIMITS, outboxListQuerySchema, outgoingMailSchema, parseOrThrow } from '../../../src/notifications/notifications.schemas.js';
import { AppError } from '../../../src/shared/errors.js';

const validMail = {
  to: 'jose.nunez@alcaldia-tumaco.test',
  subject: 'Recordatorio: sesión en vivo mañana',
  text: 'Hola, José: mañana a las 9:00 empieza la sesión «Participación ciudadana y control social».',
};

const pdf = (bytes: number) => ({ filename: 'certificado.pdf', contentType: 'application/pdf', content: Buffer.alloc(bytes) });

/** The field paths a mail is rejected for (empty when it is accepted). */
function problemsOf(mail: unknown): string[] {
  const parsed = outgoingMailSchema.safeParse(mail);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('the outgoing mail schema', () => {
  it('accepts a plain Spanish mail, and one with HTML, attachments and an idempotency key', () => {
    expect(problemsOf(validMail)).to.deep.equal([]);
    expect(problemsOf({ ...validMail, html: '<p>Hola</p>', attachments: [pdf(1000)], idempotencyKey: 'reminder-24h:abc' })).to.deep.equal([]);
  });

  it('rejects a recipient that is not one mail address', () => {
    for (const to of ['', 'jose', 'jose@', 'a@b.test, c@d.test', 'José <jose@alcaldia.test>', 'x'.repeat(250) + '@a.test']) {
      expect(problemsOf({ ...validMail, to }), to).to.deep.equal(['to']);
    }
  });

  it('requires a one-line subject and a text', () => {
    expect(problemsOf({ ...validMail, subject: '  ' })).to.deep.equal(['subject']);
    expect(problemsOf({ ...validMail, subject: 'Hola\r\nBcc: todos@example.test' })).to.deep.equal(['subject']);
    expect(problemsOf({ ...validMail, subject: 'x'.repeat(MAIL_LIMITS.subjectLength + 1) })).to.deep.equal(['subject']);
    expect(problemsOf({ ...validMail, text: '' })).to.deep.equal(['text']);
    const { text: _text, ...withoutText } = validMail;
    expect(problemsOf(withoutText)).to.deep.equal(['text']);
  });

  it('caps the size of the text, the HTML and the attachments', () => {
    // Counted in bytes: "ñ" is two.
    expect(problemsOf({ ...validMail, text: 'ñ'.repeat(MAIL_LIMITS.textBytes / 2 + 1) })).to.deep.equal(['text']);
    expect(problemsOf({ ...validMail, html: 'x'.repeat(MAIL_LIMITS.htmlBytes + 1) })).to.deep.equal(['html']);
    expect(problemsOf({ ...validMail, attachments: Array.from({ length: MAIL_LIMITS.attachmentCount + 1 }, () => pdf(10)) })).to.deep.equal(['attachments']);
    expect(problemsOf({ ...validMail, attachments: [pdf(MAIL_LIMITS.attachmentsTotalBytes / 2), pdf(MAIL_LIMITS.attachmentsTotalBytes / 2 + 1)] })).to.deep.equal(['attachments']);
  });

  it('rejects attachments without bytes, a name or a MIME type', () => {
    expect(problemsOf({ ...validMail, attachments: [{ ...pdf(10), content: 'JVBERi0=' }] })).to.deep.equal(['attachments.0.content']);
    expect(problemsOf({ ...validMail, attachments: [{ ...pdf(10), filename: '' }] })).to.deep.equal(['attachments.0.filename']);
    expect(problemsOf({ ...validMail, attachments: [{ ...pdf(10), contentType: 'pdf' }] })).to.deep.equal(['attachments.0.contentType']);
  });

  it('rejects unknown fields and non-string values', () => {
    expect(problemsOf({ ...validMail, bcc: 'todos@example.test' })).to.deep.equal(['']);
    expect(problemsOf({ ...validMail, subject: { $gt: '' } })).to.deep.equal(['subject']);
  });

  it('turns a rejection into validation_failed with a message per field', () => {
    let failure: unknown;
    try {
      parseOrThrow(outgoingMailSchema, { ...validMail, to: 'jose', text: '' }, 'mail');
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(AppError);
    expect((failure as AppError).code).to.equal('validation_failed');
    expect(Object.keys((failure as AppError).details?.fields as object)).to.have.members(['to', 'text']);
  });

  it('names an unknown field in the rejection', () => {
    expect(() => parseOrThrow(outgoingMailSchema, { ...validMail, bcc: 'todos@example.test' }, 'mail'))
      .to.throw(AppError)
      .with.property('details')
      .that.deep.equals({ fields: { bcc: 'is not allowed' } });
  });
});

describe('the outbox list query', () => {
  it('takes an optional status and cursor, reading an empty status as "all"', () => {
    expect(outboxListQuerySchema.parse({})).to.deep.equal({});
    expect(outboxListQuerySchema.parse({ status: '' }).status).to.equal(undefined);
    expect(outboxListQuerySchema.parse({ status: 'failed', cursor: '1772719200000.65f000000000000000000001', lang: 'en' })).to.deep.equal({
      status: 'failed',
      cursor: '1772719200000.65f000000000000000000001',
    });
  });

  it('rejects an unknown status, a forged cursor or a repeated parameter', () => {
    expect(outboxListQuerySchema.safeParse({ status: 'deleted' }).success).to.equal(false);
    expect(outboxListQuerySchema.safeParse({ cursor: '{"$gt":""}' }).success).to.equal(false);
    expect(outboxListQuerySchema.safeParse({ status: ['failed', 'sent'] }).success).to.equal(false);
  });
});
