import type { Actor, Role } from '../shared/authorization.js';
import type { UserRecord } from './user.model.js';

/** A person as the API and the pages show them: never the password hash. */
export interface Profile {
  id: string;
  email: string | null;
  roles: Role[];
  status: 'active' | 'deactivated' | 'deleted';
  givenName: string | null;
  familyName: string | null;
  documentType: string | null;
  documentNumber: string | null;
  sex: string | null;
  genderIdentity: string | null;
  birthDate: string | null;
  phone: string | null;
  departmentCode: string | null;
  municipalityCode: string | null;
  organization: string | null;
  position: string | null;
  actorType: string | null;
  ethnicGroup: string | null;
  disability: string | null;
  migrationStatus: string | null;
  emailVerified: boolean;
  hasPassword: boolean;
  consentPending: boolean;
  createdAt: string;
}

/** `YYYY-MM-DD` of a date stored at UTC midnight. */
export function isoDay(date: Date | null | undefined): string | null {
  return date ? date.toISOString().slice(0, 10) : null;
}

export function toProfile(user: UserRecord): Profile {
  return {
    id: user._id.toHexString(),
    email: user.email ?? null,
    roles: (user.roles ?? []) as Role[],
    status: user.status as Profile['status'],
    givenName: user.givenName ?? null,
    familyName: user.familyName ?? null,
    documentType: user.documentType ?? null,
    documentNumber: user.documentNumber ?? null,
    sex: user.sex ?? null,
    genderIdentity: user.genderIdentity ?? null,
    birthDate: isoDay(user.birthDate),
    phone: user.phone ?? null,
    departmentCode: user.departmentCode ?? null,
    municipalityCode: user.municipalityCode ?? null,
    organization: user.organization ?? null,
    position: user.position ?? null,
    actorType: user.actorType ?? null,
    ethnicGroup: user.ethnicGroup ?? null,
    disability: user.disability ?? null,
    migrationStatus: user.migrationStatus ?? null,
    emailVerified: Boolean(user.emailVerifiedAt),
    hasPassword: Boolean(user.passwordHash),
    consentPending: (user.consents ?? []).length === 0,
    createdAt: (user.createdAt ?? new Date(0)).toISOString(),
  };
}

/** The fields of a user an Actor is made of: what a sign-in check reads, nothing more. */
export const ACTOR_FIELDS = { email: 1, roles: 1 } as const;

export function toActor(user: Pick<UserRecord, '_id' | 'email' | 'roles'>): Actor {
  return { id: user._id.toHexString(), email: user.email ?? '', roles: (user.roles ?? []) as Role[] };
}

/** The name to greet someone with. */
export function displayName(profile: Pick<Profile, 'givenName' | 'familyName' | 'email'>): string {
  return [profile.givenName, profile.familyName].filter(Boolean).join(' ') || profile.email || '';
}
