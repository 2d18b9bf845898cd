import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { inspectLogo } from './logo-image.js';
import { INSTITUTION_ID, institutionModel, type StoredInstitution, type StoredLogo } from './settings.model.js';
import { LOGO_LIMITS, type InstitutionInput } from './settings.schemas.js';

export interface SettingsDependencies {
  connection: Connection;
  config: Pick<Config, 'institutionName'>;
  clock: Clock;
}

export type Logo = StoredLogo;

/** The settings as they apply now: defaults filled in. */
export interface InstitutionSettings {
  name: string;
  city: string;
  logo: Logo | null;
  /** When an administrator last changed anything; null while everything is a default. */
  updatedAt: Date | null;
}

/** Why a logo was refused (details.reason of the validation_failed error). */
export type LogoRefusal = 'too_large' | 'not_an_image' | 'dimensions';

export const DEFAULT_CITY = 'Bogotá D.C.';

/**
 * Every certificate rendered reads these facts, and a bulk download renders hundreds in
 * a row, so reads are kept in memory briefly. Briefly, because several app processes
 * may run and a change made through another one must show soon; a change made through
 * this one shows at once (the cache is dropped on every write).
 */
const CACHE_MS = 5_000;

/** `lean()` hands binary data back as the driver's BSON Binary rather than as a Buffer. */
function asBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const bytes = (value as { buffer?: Uint8Array }).buffer;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new AppError('internal', 'The stored logo is not binary data.');
}

function refused(reason: LogoRefusal, message: string): AppError {
  return new AppError('validation_failed', message, { reason });
}

export function createSettingsService({ connection, config, clock }: SettingsDependencies) {
  const Institution = institutionModel(connection);
  const defaultName = config.institutionName ?? 'Capacita';
  let cache: { readAt: number; settings: Promise<InstitutionSettings> } | undefined;

  async function read(): Promise<InstitutionSettings> {
    const stored = await Institution.findById(INSTITUTION_ID).lean<StoredInstitution>();
    const logo = stored?.logo;
    return {
      name: stored?.name ?? defaultName,
      city: stored?.city ?? DEFAULT_CITY,
      logo: logo ? { contentType: logo.contentType, data: asBuffer(logo.data), updatedAt: logo.updatedAt } : null,
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  function cached(): Promise<InstitutionSettings> {
    const now = clock.now().getTime();
    if (!cache || now - cache.readAt >= CACHE_MS) {
      const settings = read();
      cache = { readAt: now, settings };
      // A failed read is not remembered: the next caller tries again.
      settings.catch(() => {
        if (cache?.settings === settings) cache = undefined;
      });
    }
    return cache.settings;
  }

  async function write(actor: Actor, changes: Partial<Pick<StoredInstitution, 'name' | 'city' | 'logo'>>): Promise<void> {
    await Institution.updateOne({ _id: INSTITUTION_ID }, { $set: { ...changes, updatedAt: clock.now(), updatedBy: actor.id } }, { upsert: true });
    cache = undefined;
  }

  return {
    /** What a certificate prints: name, issuing city and logo. */
    async institution(): Promise<{ name: string; city: string; logo: Buffer | null }> {
      const { name, city, logo } = await cached();
      return { name, city, logo: logo?.data ?? null };
    },

    /** The logo as served at /settings/logo; null when there is none. */
    async logo(): Promise<Logo | null> {
      return (await cached()).logo;
    },

    /** The settings read afresh, for the administrators' page (what they just saved, whichever process saved it). */
    current: read,

    async updateInstitution(actor: Actor, { name, city }: InstitutionInput): Promise<void> {
      await write(actor, { name, city });
    },

    /** Stores a PNG or JPEG logo; the type is read from the bytes, whatever the upload claimed. */
    async setLogo(actor: Actor, { data }: { data: Buffer }): Promise<void> {
      if (data.length > LOGO_LIMITS.maxBytes) throw refused('too_large', `The logo must be at most ${LOGO_LIMITS.maxBytes} bytes.`);
      const facts = inspectLogo(data);
      if (!facts) throw refused('not_an_image', 'The logo must be a PNG or JPEG image.');
      const sides = [facts.width, facts.height];
      if (sides.some((side) => side < LOGO_LIMITS.minSide || side > LOGO_LIMITS.maxSide)) {
        throw refused('dimensions', `The logo must be between ${LOGO_LIMITS.minSide} and ${LOGO_LIMITS.maxSide} pixels on each side.`);
      }
      await write(actor, { logo: { contentType: facts.contentType, data, updatedAt: clock.now() } });
    },

    async removeLogo(actor: Actor): Promise<void> {
      await write(actor, { logo: null });
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
