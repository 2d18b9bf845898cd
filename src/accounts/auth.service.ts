import { Types } from 'mongoose';
import type { Actor, Role } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import type { AccountsDependencies } from './accounts.service.js';
import { emailSchema } from './accounts.schemas.js';
import { ACTOR_FIELDS, toActor } from './profile.js';
import { generatePassword, hashPassword, hashToken, newToken, verifyPassword } from './secrets.js';
import { accountTokenModel, apiTokenModel } from './token.models.js';
import { userModel, type UserRecord } from './user.model.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

/** API.md, "Precise rules": 10 failures per account, 100 per address, in 15 minutes. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 10;
export const MAX_FAILURES_PER_ADDRESS = 100;
export const API_TOKEN_LIFETIME_MS = 8 * 60 * 60 * 1000;
const RESET_LIFETIME_MS = 60 * 60 * 1000;
const VERIFICATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Welcome mails repaired per run; the rest follow at the next one. */
const WELCOME_BATCH = 500;

const WRONG_CREDENTIALS = 'The email or the password is not correct.';

export interface IssuedToken {
  token: string;
  expiresAt: string;
  user: Actor;
}

export function createAuthService(deps: AccountsDependencies) {
  const User = userModel(deps.connection);
  const ApiToken = apiTokenModel(deps.connection);
  const AccountToken = accountTokenModel(deps.connection);
  const accountKey = (email: string): string => `login:account:${email}`;
  const addressKey = (address: string): string => `login:address:${address}`;

  async function refuseIfLimited(email: string, address: string): Promise<void> {
    const [account, origin] = await Promise.all([deps.rateLimiter.peek(accountKey(email)), deps.rateLimiter.peek(addressKey(address))]);
    const limited = [
      account.count >= MAX_FAILURES_PER_ACCOUNT ? account : undefined,
      origin.count >= MAX_FAILURES_PER_ADDRESS ? origin : undefined,
    ].filter((state) => state !== undefined);
    if (limited.length === 0) return;
    const resetsAt = Math.max(...limited.map((state) => state.resetsAt.getTime()));
    const retryAfterSeconds = Math.max(1, Math.ceil((resetsAt - deps.clock.now().getTime()) / 1000));
    throw new AppError('rate_limited', 'Too many failed sign-in attempts. Try again later.', { retryAfterSeconds });
  }

  /**
   * Mails a single-use link; the token itself is never stored, only its hash. An
   * invitation is a password link for an account someone else made: it says so, and
   * lasts as long as a verification link.
   */
  async function sendLink(user: UserRecord, purpose: 'verify_email' | 'reset_password', isInvitation = false, idempotencyKey?: string): Promise<void> {
    if (!user.email) return;
    const token = newToken('');
    const lifetime = purpose === 'reset_password' && !isInvitation ? RESET_LIFETIME_MS : VERIFICATION_LIFETIME_MS;
    const record = await AccountToken.create({
      tokenHash: hashToken(token),
      userId: user._id,
      purpose,
      expiresAt: new Date(deps.clock.now().getTime() + lifetime),
    });
    const t = deps.i18n.getFixedT(user.locale ?? 'es', 'accounts');
    const path = purpose === 'reset_password' ? 'reset-password' : 'verify-email';
    const link = `${deps.config.baseUrl}/${path}?token=${encodeURIComponent(token)}`;
    const mail = isInvitation ? 'mail.invite' : purpose === 'reset_password' ? 'mail.reset' : 'mail.verify';
    const name = user.givenName ?? '';
    await deps.mailer.queue({
      to: user.email,
      subject: t(`${mail}.subject`),
      text: t(`${mail}.text`, { name, link, hours: Math.round(lifetime / 3_600_000) }),
      idempotencyKey: idempotencyKey ?? `${purpose}:${record._id.toHexString()}`,
    });
  }

  /**
   * The verification mail that follows a registration, once per account even when a
   * retry or the repair job sends it again (one idempotency key per account); then the
   * account's pending mark is cleared.
   */
  async function sendWelcome(user: UserRecord): Promise<void> {
    if (user.status === 'active' && !user.emailVerifiedAt) await sendLink(user, 'verify_email', false, `verify_email:welcome:${user._id.toHexString()}`);
    await User.updateOne({ _id: user._id }, { $unset: { welcomeMailPending: 1 } });
  }

  /** Marks a link used, once: the first request wins, every later one finds nothing. */
  async function consumeLink(token: string, purpose: 'verify_email' | 'reset_password'): Promise<Types.ObjectId> {
    const now = deps.clock.now();
    const record = await AccountToken.findOneAndUpdate(
      { tokenHash: hashToken(token), purpose, usedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: 'after', lean: true },
    );
    if (!record) throw new AppError('gone', 'This link has expired or has already been used.');
    return record.userId;
  }

  return {
    /**
     * Email and password → the person, or one and the same refusal whether the email is
     * unknown, the password wrong or the account closed. Failures count per account
     * and per address; past the limit even a right password waits for the window.
     */
    async authenticate(rawEmail: string, password: string, address: string): Promise<Actor> {
      const parsed = emailSchema.safeParse(rawEmail);
      const email = parsed.success ? parsed.data : rawEmail.trim().toLowerCase().slice(0, 254);
      await refuseIfLimited(email, address);
      const user = parsed.success ? await User.findOne({ email, status: 'active' }).lean<UserRecord>() : null;
      const isValid = await verifyPassword(user?.passwordHash, password);
      if (!user || !isValid) {
        await Promise.all([deps.rateLimiter.hit(accountKey(email), LOGIN_WINDOW_MS), deps.rateLimiter.hit(addressKey(address), LOGIN_WINDOW_MS)]);
        throw new AppError('unauthenticated', WRONG_CREDENTIALS);
      }
      await Promise.all([deps.rateLimiter.reset(accountKey(email)), User.updateOne({ _id: user._id }, { $set: { lastLoginAt: deps.clock.now() } })]);
      return toActor(user);
    },

    async issueApiToken(actor: Actor): Promise<IssuedToken> {
      const token = newToken('cap_');
      const expiresAt = new Date(deps.clock.now().getTime() + API_TOKEN_LIFETIME_MS);
      await ApiToken.create({ tokenHash: hashToken(token), userId: new Types.ObjectId(actor.id), expiresAt });
      return { token, expiresAt: expiresAt.toISOString(), user: actor };
    },

    /** The person a bearer token stands for, if it is valid, unexpired and unrevoked. */
    async actorForToken(token: string): Promise<Actor | undefined> {
      if (token.length > 200) return undefined;
      const record = await ApiToken.findOne({ tokenHash: hashToken(token), revokedAt: null, expiresAt: { $gt: deps.clock.now() } }, { userId: 1 }).lean();
      if (!record) return undefined;
      const user = await User.findOne({ _id: record.userId, status: 'active' }, ACTOR_FIELDS).lean<Pick<UserRecord, '_id' | 'email' | 'roles'>>();
      return user ? toActor(user) : undefined;
    },

    async revokeApiToken(token: string): Promise<void> {
      await ApiToken.updateOne({ tokenHash: hashToken(token), revokedAt: null }, { $set: { revokedAt: deps.clock.now() } });
    },

    /** Always the same answer, whether or not the email belongs to someone. */
    async requestPasswordReset(rawEmail: string): Promise<void> {
      const parsed = emailSchema.safeParse(rawEmail);
      if (!parsed.success) return;
      const user = await User.findOne({ email: parsed.data, status: 'active' }).lean<UserRecord>();
      if (user) await sendLink(user, 'reset_password');
    },

    /** Sets the new password; resolves with the person's id (so the web can end their other sessions). */
    /** Mails the person of an account made for them a link to choose their password. */
    async sendInvitation(userId: string): Promise<void> {
      const user = await User.findOne({ _id: userId, status: 'active' }).lean<UserRecord>();
      if (user) await sendLink(user, 'reset_password', true);
    },

    async resetPassword(token: string, password: string): Promise<string> {
      const userId = await consumeLink(token, 'reset_password');
      const passwordHash = await hashPassword(password);
      // The link came by mail, so the address is proven; whoever held the old password
      // loses their tokens with it, and a lock-out from failed attempts ends.
      const user = await User.findOneAndUpdate(
        { _id: userId, status: 'active' },
        { $set: { passwordHash, emailVerifiedAt: deps.clock.now() } },
        { returnDocument: 'after', lean: true },
      );
      if (!user) throw new AppError('gone', 'This account can no longer be used.');
      await ApiToken.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: deps.clock.now() } });
      if (user.email) await deps.rateLimiter.reset(accountKey(user.email));
      return user._id.toHexString();
    },

    async sendWelcomeVerification(userId: string): Promise<void> {
      const user = await User.findOne({ _id: userId, welcomeMailPending: true }).lean<UserRecord>();
      if (user) await sendWelcome(user);
    },

    /** Welcome mails a process that died right after a registration never queued. */
    async sendPendingWelcomeMails(): Promise<number> {
      const pending = await User.find({ welcomeMailPending: true }).limit(WELCOME_BATCH).lean<UserRecord[]>();
      for (const user of pending) await sendWelcome(user);
      return pending.length;
    },

    async sendEmailVerification(userId: string): Promise<void> {
      const user = await User.findOne({ _id: userId, status: 'active', emailVerifiedAt: null }).lean<UserRecord>();
      if (user) await sendLink(user, 'verify_email');
    },

    async verifyEmail(token: string): Promise<void> {
      const userId = await consumeLink(token, 'verify_email');
      await User.updateOne({ _id: userId }, { $set: { emailVerifiedAt: deps.clock.now() } });
    },

    /**
     * An account made by an operator (CLI, first start) rather than by registration: no
     * profile, email taken as verified. Without a password one is generated and returned
     * so the caller can show it once.
     */
    async createSystemAccount(input: { email: string; roles: Role[]; password?: string; givenName?: string; familyName?: string }): Promise<{ email: string; generatedPassword?: string }> {
      const email = emailSchema.parse(input.email);
      const generatedPassword = input.password ? undefined : generatePassword();
      await User.create({
        email,
        passwordHash: await hashPassword(input.password ?? generatedPassword!),
        roles: input.roles,
        givenName: input.givenName ?? 'Administración',
        familyName: input.familyName ?? 'Capacita',
        emailVerifiedAt: deps.clock.now(),
      });
      return { email, ...(generatedPassword ? { generatedPassword } : {}) };
    },

    /**
     * On first start with no administrator: one from ADMIN_EMAIL/ADMIN_PASSWORD, or with a
     * generated password. Two processes starting together meet at the unique email; only
     * one creates it.
     */
    async ensureInitialAdmin(email: string | undefined, password: string | undefined): Promise<{ email: string; generatedPassword?: string } | undefined> {
      if ((await User.countDocuments({ roles: 'admin', status: 'active' })) > 0) return undefined;
      try {
        return await this.createSystemAccount({ email: email ?? 'admin@capacita.local', roles: ['admin'], ...(password ? { password } : {}) });
      } catch (error) {
        if (isDuplicateKey(error)) {
          deps.logger.warn({ email }, 'no administrator created: an account with this email exists');
          return undefined;
        }
        throw error;
      }
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
