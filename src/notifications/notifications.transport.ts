import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type StreamSentMessageInfo } from 'nodemailer';
import type { Config } from '../config.js';

/**
 * The one place that calls nodemailer. With SMTP_URL, mails go to that server; without
 * it, each mail is written as an .eml file under `<dataDir>/outbox/` (openable in any
 * mail program), which counts as sent: a fresh install works with no mail server.
 */
export interface MailTransport {
  kind: 'smtp' | 'file';
  /** The folder the file transport writes to. */
  directory?: string;
  /** Resolves once the server accepted the mail (or the file is on disk); rejects otherwise. */
  send(message: SendMailOptions, mailId: string): Promise<void>;
}

// Not pooled: nothing stays open between sends, so there is nothing to close on stop.
// Bounded waits, so a hung server fails an attempt well inside the sender's lease.
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 } as const;
// Outbox content is always given as bytes or strings: never let a mail read a file or a URL.
const NO_EXTERNAL_CONTENT = { disableFileAccess: true, disableUrlAccess: true } as const;

export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'dataDir'>): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(join(config.dataDir, 'outbox'));
}

function smtpTransport(url: string): MailTransport {
  // Options given in the URL's query string (e.g. ?socketTimeout=) take precedence.
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS, ...NO_EXTERNAL_CONTENT });
  return {
    kind: 'smtp',
    async send(message) {
      await transporter.sendMail(message);
    },
  };
}

function fileTransport(directory: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...NO_EXTERNAL_CONTENT });
  return {
    kind: 'file',
    directory,
    async send(message, mailId) {
      const info: StreamSentMessageInfo = await transporter.sendMail(message);
      if (!Buffer.isBuffer(info.message)) throw new Error('the stream transport did not return a buffer');
      // Mails can carry reset links: owner-only. Written aside then renamed, so a
      // reader never sees half a file and a retry simply replaces it.
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const path = join(directory, `${mailId}.eml`);
      const partial = `${path}.partial`;
      await writeFile(partial, info.message, { mode: 0o600 });
      await rename(partial, path);
    },
  };
}
