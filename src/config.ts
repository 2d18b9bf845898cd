import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The only reader of the environment. Every setting is validated once at start-up
 * (a wrong value stops the process with a clear message), typed, and frozen. Secrets
 * that are not given are generated once and kept in the data directory, so sessions
 * survive restarts without anyone having to invent a secret.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  BASE_URL: optionalString.pipe(z.url().optional()),
  MONGODB_URI: optionalString.pipe(z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional()),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional()),
  MAIL_FROM: z.string().trim().min(3).default('Capacita <no-reply@localhost>'),
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(10, 'must be at least 10 characters').optional()),
  INSTITUTION_NAME: optionalString.pipe(z.string().max(200).optional()),
  COURSES_DIR: optionalString,
  PRIVACY_CONTACT_EMAIL: optionalString.pipe(z.email().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORK_LEASE_SECONDS: z.coerce.number().int().min(5).max(3_600).default(300),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Public address used in links (mails, calendar feeds, certificate QR codes). */
  baseUrl: string;
  /** Set: use this MongoDB. Unset: run the embedded engine under `dataDir/db`. */
  mongodbUri: string | undefined;
  dataDir: string;
  sessionSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** The institution running this installation: the data controller in the privacy policy. */
  institutionName: string | undefined;
  /** Where the course files are (courses/ of the project unless COURSES_DIR says otherwise). */
  coursesDir: string;
  /** Where people send requests about their personal data (Ley 1581). */
  privacyContactEmail: string | undefined;
  logLevel: string;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-*, mark cookies secure. */
  trustProxy: boolean;
  shutdownTimeoutMs: number;
  /** How many app processes serve (node cluster); 1 serves from this process alone. */
  webConcurrency: number;
  /** How long work held by a process (a mail being sent, a running job) stays held if that process dies. */
  workLeaseMs: number;
}

export class ConfigError extends Error {}

const SECRETS_FILE = 'secrets.json';

interface StoredSecrets {
  sessionSecret: string;
}

/** Secrets generated on first start and reused afterwards; readable by the owner only. */
function loadOrCreateSecrets(dataDir: string): StoredSecrets {
  const path = join(dataDir, SECRETS_FILE);
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredSecrets>;
    if (typeof stored.sessionSecret === 'string' && stored.sessionSecret.length >= 32) {
      return { sessionSecret: stored.sessionSecret };
    }
  }
  const secrets: StoredSecrets = { sessionSecret: randomBytes(48).toString('base64url') };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

export function loadConfig(environment: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const values = parsed.data;
  const dataDir = isAbsolute(values.DATA_DIR) ? values.DATA_DIR : resolve(values.DATA_DIR);
  const sessionSecret = values.SESSION_SECRET ?? loadOrCreateSecrets(dataDir).sessionSecret;
  const baseUrl = (values.BASE_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    baseUrl,
    mongodbUri: values.MONGODB_URI,
    dataDir,
    sessionSecret,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    adminEmail: values.ADMIN_EMAIL,
    adminPassword: values.ADMIN_PASSWORD,
    institutionName: values.INSTITUTION_NAME,
    coursesDir: values.COURSES_DIR ? resolve(values.COURSES_DIR) : fileURLToPath(new URL('../courses', import.meta.url)),
    privacyContactEmail: values.PRIVACY_CONTACT_EMAIL,
    logLevel: values.LOG_LEVEL,
    trustProxy: values.TRUST_PROXY,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    webConcurrency: values.WEB_CONCURRENCY,
    workLeaseMs: values.WORK_LEASE_SECONDS * 1_000,
  });
}
