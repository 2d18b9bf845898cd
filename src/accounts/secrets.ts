import { createHash, randomBytes, randomInt } from 'node:crypto';
import argon2 from 'argon2';

/**
 * Passwords: argon2id with OWASP's minimum parameters (19 MiB, 2 passes), slow enough
 * to make stolen hashes expensive and fast enough (~20 ms) for logins under load.
 * Tokens handed to people (API tokens, mail links) are random, 256 bits, and stored
 * as SHA-256 hashes: with that much entropy a slow hash adds nothing.
 */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password. Without a stored hash (unknown email, account without password)
 * it verifies against a dummy hash anyway, so the answer takes as long either way.
 */
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const hash = storedHash ?? (await dummyHash);
  try {
    const isMatch = await argon2.verify(hash, password);
    return Boolean(storedHash) && isMatch;
  } catch {
    return false;
  }
}

export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A password for a system-made account, shown once: 20 characters, no look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]).join('');
}
