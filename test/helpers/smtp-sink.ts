import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 (port 0) that keeps what it receives, for tests of
 * mail delivery: `await sink.nextMail()` resolves when the next mail has been accepted.
 * It can refuse mail with a temporary error (`refuse()`), hold its answer to a mail it
 * has received (`hold()`, to catch a sender mid-send), or go away and come back on the
 * same port (`stop()`, `start()`) to play a mail server outage.
 */

export interface ReceivedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ReceivedMail {
  /** The SMTP envelope (MAIL FROM / RCPT TO). */
  envelope: { from: string; to: string[] };
  /** The message exactly as received. */
  raw: Buffer;
  /** Header name (lower-case) → value, encoded words decoded; the first of repeated headers. */
  headers: Map<string, string>;
  to: string;
  from: string;
  subject: string;
  messageId: string;
  /** The text/plain body, decoded to a string. */
  text: string;
  html: string | undefined;
  attachments: ReceivedAttachment[];
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Every mail accepted so far, in order. */
  received: ReceivedMail[];
  /** The next mail not yet taken by an earlier `nextMail()`, waiting for it if need be. Resolves when the server has the whole message (and has accepted it, unless held). */
  nextMail(timeoutMs?: number): Promise<ReceivedMail>;
  /** From now on, answer MAIL FROM with this temporary error (451 by default); `false` accepts again. */
  refuse(reply?: { code: number; message: string } | false): void;
  /** From now on, receive mails but keep the sender waiting for the answer; the returned function answers them all (accepted) and stops holding. */
  hold(): () => void;
  /** Stops listening, as a server that is down; resolves once the port is closed. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops for good (idempotent). */
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters: Array<(mail: ReceivedMail) => void> = [];
  let taken = 0;
  let refusal: { code: number; message: string } | false = false;
  let held: Array<() => void> | undefined;
  let server: SMTPServer | undefined;
  let port = 0;

  const accept = (mail: ReceivedMail): void => {
    received.push(mail);
    const waiter = waiters.shift();
    if (waiter) {
      taken += 1;
      waiter(mail);
    }
  };

  const options: SMTPServerOptions = {
    logger: false,
    authOptional: true,
    // Plain SMTP: nodemailer would otherwise upgrade to the self-signed certificate and refuse it.
    disabledCommands: ['AUTH', 'STARTTLS'],
    closeTimeout: 500,
    disableReverseLookup: true, // a DNS lookup per connection would slow every test
    onMailFrom(_address, _session, callback) {
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
        };
        let mail: ReceivedMail;
        try {
          mail = parseMail(Buffer.concat(chunks), envelope);
        } catch (error) {
          callback(error as Error);
          return;
        }
        accept(mail);
        if (held) held.push(() => callback());
        else callback();
      });
    },
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = new SMTPServer(options);
      next.on('error', () => undefined); // a client hanging up mid-session is not the test's business
      next.server.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.server.off('error', reject);
        port = (next.server.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });

  const stop = (): Promise<void> => {
    const running = server;
    server = undefined;
    return running ? new Promise((resolve) => running.close(() => resolve())) : Promise.resolve();
  };

  await listen();
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    nextMail(timeoutMs = 10_000) {
      const ready = received[taken];
      if (ready) {
        taken += 1;
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(deliver), 1);
          reject(new Error(`no mail reached the SMTP sink within ${timeoutMs} ms`));
        }, timeoutMs);
        const deliver = (mail: ReceivedMail): void => {
          clearTimeout(timer);
          resolve(mail);
        };
        waiters.push(deliver);
      });
    },
    refuse(reply = { code: 451, message: 'Try again later' }) {
      refusal = reply;
    },
    hold() {
      const holding: Array<() => void> = [];
      held = holding;
      return () => {
        if (held === holding) held = undefined;
        for (const answer of holding.splice(0)) answer();
      };
    },
    stop,
    start: () => (server ? Promise.resolve() : listen()),
    close: stop,
  };
}

/** Gives each test its own sinks: `const startSink = useSmtpSinks();` then `await startSink()`; all closed after each test. */
export function useSmtpSinks(): () => Promise<SmtpSink> {
  const sinks: SmtpSink[] = [];
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  });
  return async () => {
    const sink = await startSmtpSink();
    sinks.push(sink);
    return sink;
  };
}

// --- Just enough MIME to read what nodemailer writes -------------------------------

interface Entity {
  headers: Map<string, string>;
  /** The body as a binary ("latin1") string: one character per byte. */
  body: string;
}

/** Reads a message as nodemailer writes it (also an .eml file of the file transport). */
export function parseMail(raw: Buffer, envelope: ReceivedMail['envelope'] = { from: '', to: [] }): ReceivedMail {
  const root = parseEntity(raw.toString('latin1'));
  const leaves = flatten(root);
  const isAttachment = (entity: Entity): boolean => /^attachment/i.test(entity.headers.get('content-disposition') ?? '');
  const bodyOf = (type: string): string | undefined => {
    const part = leaves.find((entity) => !isAttachment(entity) && mediaType(entity) === type);
    return part ? decodeBody(part).toString('utf8') : undefined;
  };
  const decoded = new Map([...root.headers].map(([name, value]) => [name, decodeWords(value)]));
  return {
    envelope,
    raw,
    headers: decoded,
    to: decoded.get('to') ?? '',
    from: decoded.get('from') ?? '',
    subject: decoded.get('subject') ?? '',
    messageId: decoded.get('message-id') ?? '',
    text: bodyOf('text/plain') ?? '',
    html: bodyOf('text/html'),
    attachments: leaves.filter(isAttachment).map((entity) => {
      const disposition = parameters(entity.headers.get('content-disposition') ?? '');
      const type = parameters(entity.headers.get('content-type') ?? '');
      return {
        filename: disposition.get('filename') ?? type.get('name') ?? '',
        contentType: mediaType(entity),
        content: decodeBody(entity),
      };
    }),
  };
}

function parseEntity(source: string): Entity {
  const split = source.indexOf('\r\n\r\n');
  const head = split === -1 ? source : source.slice(0, split);
  const body = split === -1 ? '' : source.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The leaf parts of a (possibly nested) multipart entity, in order. */
function flatten(entity: Entity): Entity[] {
  const boundary = parameters(entity.headers.get('content-type') ?? '').get('boundary');
  if (!mediaType(entity).startsWith('multipart/') || !boundary) return [entity];
  const sections = entity.body.split(`--${boundary}`);
  // Before the first delimiter is the preamble; from the closing `--boundary--` on, the epilogue.
  return sections
    .slice(1)
    .filter((section) => !section.startsWith('--'))
    .flatMap((section) => flatten(parseEntity(section.replace(/^\r\n/, '').replace(/\r\n$/, ''))));
}

function mediaType(entity: Entity): string {
  const [type = ''] = (entity.headers.get('content-type') ?? 'text/plain').split(';');
  return type.trim().toLowerCase();
}

function decodeBody(entity: Entity): Buffer {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(entity.body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(entity.body);
  return Buffer.from(entity.body, 'latin1');
}

function decodeQuotedPrintable(body: string): Buffer {
  const bytes = body
    .replace(/[ \t]+\r\n/g, '\r\n')
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1');
}

/** `=?UTF-8?Q?...?=` and `=?UTF-8?B?...?=` words; the space between two such words is not part of the text. */
function decodeWords(value: string): string {
  const unspaced = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  const decoded = unspaced.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('latin1')
      : text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_hex, hex: string) => String.fromCharCode(parseInt(hex, 16))),
  );
  // Encoded words carry UTF-8 bytes; plain header text is ASCII, which reads the same either way.
  return Buffer.from(decoded, 'latin1').toString('utf8');
}

/** `type/sub; name="value"; filename*0*=utf-8''a%C3%B1; filename*1*=o.pdf` → parameter name → decoded value. */
function parameters(header: string): Map<string, string> {
  const pieces = new Map<string, { value: string; isExtended: boolean }[]>();
  for (const match of header.matchAll(/;\s*([^\s=;*]+)(?:\*(\d+))?(\*)?=("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    const [, name = '', index = '0', star, rawValue = ''] = match;
    const value = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue.trim();
    const list = pieces.get(name.toLowerCase()) ?? [];
    list[Number(index)] = { value, isExtended: star === '*' };
    pieces.set(name.toLowerCase(), list);
  }
  const result = new Map<string, string>();
  for (const [name, list] of pieces) {
    const joined = list
      .map(({ value, isExtended }, position) => {
        if (!isExtended) return value;
        // RFC 2231: the first extended piece starts with `charset'language'`.
        const encoded = position === 0 ? value.replace(/^[^']*'[^']*'/, '') : value;
        return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      })
      .join('');
    const isAnyExtended = list.some((piece) => piece.isExtended);
    result.set(name, isAnyExtended ? Buffer.from(joined, 'latin1').toString('utf8') : decodeWords(joined));
  }
  return result;
}
