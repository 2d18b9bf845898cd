import type { i18n } from 'i18next';
import { Types, type Connection } from 'mongoose';
import type { Config } from '../config.js';
import type { Mailer } from '../notifications/index.js';
import type { RateLimiter } from '../rate-limits/index.js';
import { ageBandOf } from '../shared/age-band.js';
import type { Actor, Role } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { isMunicipalityOf } from '../territories/index.js';
import {
  DOCUMENT_TYPES,
  PRIVACY_POLICY_VERSION,
  type AdminUserInput,
  type ProfileUpdateInput,
  type RegistrationInput,
} from './accounts.schemas.js';
import { ACTOR_FIELDS, toActor, toProfile, type Profile } from './profile.js';
import { hashPassword, verifyPassword } from './secrets.js';
import { accountTokenModel, apiTokenModel } from './token.models.js';
import { userModel, type UserRecord } from './user.model.js';
import { duplicateKeyOf } from '../shared/duplicate-key.js';

export interface AccountsDependencies {
  connection: Connection;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  clock: Clock;
  config: Pick<Config, 'baseUrl'>;
  i18n: i18n;
  logger: Logger;
  /** Other modules' parts of a person's data export (enrollments, attempts…). */
  exportSections?: ExportSection[];
}

/** How to address a person in a mail or a report. */
export interface Contact {
  name: string;
  email: string | null;
  /** The language they chose (`es` or `en`): mails go out in it. */
  locale: string;
}

export interface ExportSection {
  name: string;
  collect(userId: string): Promise<unknown>;
}

/** Fields a duplicate-key error names, mapped to the form field people see. */
function conflictFrom(error: unknown): AppError | undefined {
  const index = duplicateKeyOf(error);
  if (!index) return undefined;
  const field = index === 'email' ? 'email' : 'documentNumber';
  return new AppError('conflict', field === 'email' ? 'An account with this email already exists.' : 'An account with this document already exists.', {
    fields: { [field]: field === 'email' ? 'validation.emailTaken' : 'validation.documentTaken' },
  });
}

function birthDateOf(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** Profile input → stored fields (dates as dates, absent fields left out, `null` ones cleared). */
function storedProfile(input: Partial<ProfileUpdateInput>): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    stored[field] = field === 'birthDate' ? birthDateOf(value as string) : value;
  }
  return stored;
}

function clearedFields(input: Partial<ProfileUpdateInput>): Record<string, ''> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value === null).map(([field]) => [field, '']));
}

export function createAccountsService(deps: AccountsDependencies) {
  const User = userModel(deps.connection);
  const ApiToken = apiTokenModel(deps.connection);
  const AccountToken = accountTokenModel(deps.connection);

  async function findUser(id: string): Promise<UserRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return User.findById(id).lean<UserRecord>();
  }

  async function requireUser(id: string): Promise<UserRecord> {
    const user = await findUser(id);
    if (!user || user.status === 'deleted') throw new AppError('not_found', 'No such user.');
    return user;
  }

  async function insertUser(fields: Record<string, unknown>): Promise<UserRecord> {
    try {
      const created = await User.create(fields);
      return created.toObject() as UserRecord;
    } catch (error) {
      throw conflictFrom(error) ?? error;
    }
  }

  return {
    async register(input: RegistrationInput, language = 'es'): Promise<Profile> {
      const { password, dataConsent: _consent, email, ...profile } = input;
      const user = await insertUser({
        email,
        passwordHash: await hashPassword(password),
        roles: ['learner'],
        ...storedProfile(profile),
        locale: language,
        consents: [{ policyVersion: PRIVACY_POLICY_VERSION, acceptedAt: deps.clock.now(), source: 'registration' }],
        welcomeMailPending: true,
      });
      return toProfile(user);
    },

    async createUser(input: AdminUserInput): Promise<Profile> {
      const { password, email, roles, ...profile } = input;
      const user = await insertUser({
        email,
        ...(password ? { passwordHash: await hashPassword(password) } : {}),
        roles,
        ...storedProfile(profile),
      });
      return toProfile(user);
    },

    /** Names and emails of many people at once (for lists of enrolled people). */
    async contactsOf(ids: string[]): Promise<Map<string, Contact>> {
      const valid = ids.filter((id) => Types.ObjectId.isValid(id));
      const users = await User.find({ _id: { $in: valid } }, { givenName: 1, familyName: 1, email: 1, locale: 1 }).lean<UserRecord[]>();
      return new Map(
        users.map((user) => [
          user._id.toHexString(),
          { name: [user.givenName, user.familyName].filter(Boolean).join(' '), email: user.email ?? null, locale: user.locale ?? 'es' },
        ]),
      );
    },

    /**
     * The people an email address or a document number names, exactly (a document
     * number typed with dots or spaces too). Usually one or none; a number can belong to
     * two people under different document types. Deleted accounts are not people any more.
     */
    async findPeople(emailOrDocument: string): Promise<Profile[]> {
      const text = emailOrDocument.trim();
      if (!text) return [];
      // Every document type listed, so that the (documentType, documentNumber) index serves the lookup.
      const filter = text.includes('@')
        ? { email: text.toLowerCase() }
        : { documentType: { $in: [...DOCUMENT_TYPES] }, documentNumber: text.replace(/[.\s]/g, '').toUpperCase() };
      const users = await User.find({ ...filter, status: { $ne: 'deleted' } }).limit(10).lean<UserRecord[]>();
      return users.map(toProfile);
    },

    /** The ids among `ids` that name no usable account. */
    async unknownUserIds(ids: string[]): Promise<string[]> {
      const valid = ids.filter((id) => Types.ObjectId.isValid(id));
      const found = await User.find({ _id: { $in: valid }, status: 'active' }, { _id: 1 }).lean();
      const known = new Set(found.map((user) => user._id.toHexString()));
      return ids.filter((id) => !known.has(id));
    },

    async getProfile(id: string): Promise<Profile> {
      return toProfile(await requireUser(id));
    },

    /** The signed-in person for a session or token, or undefined if the account is no longer usable. */
    async actorFor(id: string): Promise<Actor | undefined> {
      // Every signed-in page asks (passport's deserializeUser): only what an actor is made of.
      if (!Types.ObjectId.isValid(id)) return undefined;
      const user = await User.findOne({ _id: id, status: 'active' }, ACTOR_FIELDS).lean<Pick<UserRecord, '_id' | 'email' | 'roles'>>();
      return user ? toActor(user) : undefined;
    },

    async updateProfile(id: string, input: ProfileUpdateInput): Promise<Profile> {
      const current = await requireUser(id);
      // The pair is checked together: changing one side must still make a valid pair.
      const department = input.departmentCode ?? current.departmentCode;
      const municipality = input.municipalityCode ?? current.municipalityCode;
      if ((input.departmentCode || input.municipalityCode) && (!department || !municipality || !isMunicipalityOf(department, municipality))) {
        throw new AppError('validation_failed', 'The municipality must belong to the department.', {
          fields: { municipalityCode: 'validation.municipalityNotInDepartment' },
        });
      }
      try {
        const cleared = clearedFields(input);
        const updated = await User.findOneAndUpdate(
          { _id: current._id, status: { $ne: 'deleted' } },
          { $set: storedProfile(input), ...(Object.keys(cleared).length > 0 ? { $unset: cleared } : {}) },
          { returnDocument: 'after', lean: true },
        );
        if (!updated) throw new AppError('not_found', 'No such user.');
        return toProfile(updated as UserRecord);
      } catch (error) {
        throw conflictFrom(error) ?? error;
      }
    },

    async acceptPrivacyPolicy(id: string): Promise<void> {
      await User.updateOne(
        { _id: id, 'consents.policyVersion': { $ne: PRIVACY_POLICY_VERSION } },
        { $push: { consents: { policyVersion: PRIVACY_POLICY_VERSION, acceptedAt: deps.clock.now(), source: 'registration' } } },
      );
    },

    async setRoles(actor: Actor, id: string, roles: Role[]): Promise<Profile> {
      const user = await requireUser(id);
      if (user.roles?.includes('admin') && !roles.includes('admin')) {
        const otherAdmins = await User.countDocuments({ roles: 'admin', status: 'active', _id: { $ne: user._id } });
        if (otherAdmins === 0) throw new AppError('conflict', 'The last administrator cannot lose the admin role.', { reason: 'last_admin' });
      }
      const updated = await User.findByIdAndUpdate(user._id, { $set: { roles } }, { returnDocument: 'after', lean: true });
      deps.logger.info({ actor: actor.id, user: id, roles }, 'roles changed');
      return toProfile(updated as UserRecord);
    },

    async setActive(actor: Actor, id: string, isActive: boolean): Promise<Profile> {
      const user = await requireUser(id);
      if (!isActive && actor.id === id) throw new AppError('conflict', 'You cannot deactivate your own account.', { reason: 'self' });
      const updated = await User.findByIdAndUpdate(
        user._id,
        isActive ? { $set: { status: 'active' }, $unset: { deactivatedAt: '' } } : { $set: { status: 'deactivated', deactivatedAt: deps.clock.now() } },
        { returnDocument: 'after', lean: true },
      );
      if (!isActive) await ApiToken.updateMany({ userId: user._id, revokedAt: null }, { $set: { revokedAt: deps.clock.now() } });
      deps.logger.info({ actor: actor.id, user: id, active: isActive }, 'account status changed');
      return toProfile(updated as UserRecord);
    },

    async listUsers(query: { search?: string; role?: Role; limit: number; cursor?: string }): Promise<{ items: Profile[]; nextCursor: string | null }> {
      const filter: Record<string, unknown> = { status: { $ne: 'deleted' } };
      if (query.role) filter.roles = query.role;
      if (query.search) {
        const pattern = new RegExp(query.search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
        filter.$or = [{ email: pattern }, { givenName: pattern }, { familyName: pattern }, { documentNumber: pattern }];
      }
      if (query.cursor) {
        if (!Types.ObjectId.isValid(query.cursor)) throw new AppError('validation_failed', 'Invalid cursor.', { fields: { cursor: 'validation.invalid' } });
        filter._id = { $gt: new Types.ObjectId(query.cursor) };
      }
      const users = await User.find(filter).sort({ _id: 1 }).limit(query.limit + 1).lean<UserRecord[]>();
      const page = users.slice(0, query.limit);
      return { items: page.map(toProfile), nextCursor: users.length > query.limit ? page.at(-1)!._id.toHexString() : null };
    },

    /** Everything held on a person, for Ley 1581's right of access. */
    async exportPersonalData(id: string): Promise<Record<string, unknown>> {
      const user = await requireUser(id);
      const tokens = await ApiToken.find({ userId: user._id }).sort({ createdAt: 1 }).lean();
      const sections: Record<string, unknown> = {};
      for (const section of deps.exportSections ?? []) sections[section.name] = await section.collect(id);
      return {
        exportedAt: deps.clock.now().toISOString(),
        profile: toProfile(user),
        consents: (user.consents ?? []).map((consent) => ({
          policyVersion: consent.policyVersion,
          acceptedAt: consent.acceptedAt.toISOString(),
          source: consent.source,
        })),
        account: {
          createdAt: user.createdAt?.toISOString() ?? null,
          lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
          emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
        },
        apiTokens: tokens.map((token) => ({
          createdAt: token.createdAt?.toISOString() ?? null,
          expiresAt: token.expiresAt.toISOString(),
          revokedAt: token.revokedAt?.toISOString() ?? null,
        })),
        ...sections,
      };
    },

    /**
     * Deletion as anonymisation: names, document, email, phone, birth date and free-text
     * fields are erased; sex, age band, territory and group codes stay so that the
     * programme's aggregate counts do not change. Sign-in becomes impossible.
     */
    async deleteAccount(id: string, password: string | undefined): Promise<void> {
      const user = await requireUser(id);
      if (user.passwordHash && !(await verifyPassword(user.passwordHash, password ?? ''))) {
        throw new AppError('validation_failed', 'The password is not correct.', { fields: { password: 'validation.passwordIncorrect' } });
      }
      const now = deps.clock.now();
      await User.updateOne(
        { _id: user._id },
        {
          $set: { status: 'deleted', deletedAt: now, roles: [], ...(user.birthDate ? { ageBand: ageBandOf(user.birthDate, now) } : {}) },
          $unset: {
            email: '', passwordHash: '', givenName: '', familyName: '', documentType: '', documentNumber: '',
            birthDate: '', phone: '', genderIdentity: '', organization: '', position: '', emailVerifiedAt: '', lastLoginAt: '',
          },
        },
      );
      await ApiToken.deleteMany({ userId: user._id });
      await AccountToken.deleteMany({ userId: user._id });
      deps.logger.info({ user: id }, 'account anonymised at the person\'s request');
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
