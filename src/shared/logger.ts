import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs to stdout; secrets and credentials never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'capacita' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'],
      censor: '[redacted]',
    },
  });
}
