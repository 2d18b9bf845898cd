import { AppError } from './errors.js';

/**
 * The one authorisation mechanism. Every route names the permission it needs; this
 * table says which roles hold it. Ownership ("only your own attempt") is checked with
 * `ensureOwner`, which answers not_found rather than forbidden so that another
 * person's resource does not even reveal that it exists (API.md, "Precise rules").
 */

export const ROLES = ['learner', 'facilitator', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: the signed-in person (web session or API token). */
export interface Actor {
  id: string;
  email: string;
  roles: Role[];
}

const EVERYONE: readonly Role[] = ROLES;

export const PERMISSIONS = {
  // One's own account.
  'profile:read': EVERYONE,
  'profile:update': EVERYONE,
  'profile:export': EVERYONE,
  'account:delete': EVERYONE,
  // People.
  'users:list': ['admin'],
  'users:create': ['admin'],
  'users:update-roles': ['admin'],
  'users:deactivate': ['admin'],
  'users:import': ['admin', 'manager'],
  // Courses, cohorts, enrollment.
  'courses:assign-facilitators': ['manager', 'admin'],
  'cohorts:create': ['manager', 'admin'],
  'enrollments:self': EVERYONE,
  'enrollments:bulk': ['manager', 'admin'],
  /** Facilitators only on the courses they are assigned to (checked by the route). */
  'enrollments:follow': ['facilitator', 'manager', 'admin'],
  /** Enrolled learners; facilitators of the course and managers (checked by the service). */
  'lessons:read': EVERYONE,
  // Quizzes.
  /** Enrolled learners; the course's facilitators and managers also see the answers (checked by the service). */
  'quizzes:read': EVERYONE,
  /** Enrolled learners, on their own attempts only (checked by the service). */
  'quizzes:attempt': EVERYONE,
  /** Facilitators only on the courses they are assigned to (checked by the service). */
  'question-bank:manage': ['facilitator', 'manager', 'admin'],
  /** Facilitators only for the courses they are assigned to (checked by the service). */
  'quizzes:report': ['facilitator', 'manager', 'admin'],
  // Live sessions.
  /** Facilitators only on the courses they are assigned to (checked by the service). */
  'live-sessions:schedule': ['facilitator', 'manager', 'admin'],
  /** Invited learners (enrolled, in the session's cohort if any) and the course's team (checked by the service). */
  'live-sessions:read': EVERYONE,
  /** Invited learners (checked by the service). */
  'live-sessions:rsvp': EVERYONE,
  /** Facilitators only on the courses they are assigned to (checked by the service). */
  'live-sessions:attendance': ['facilitator', 'manager', 'admin'],
  /** One's own calendar feed: its secret address, and a new one that revokes it. */
  'live-sessions:feed': EVERYONE,
  // Certificates (verification is public and needs none).
  /** One's own certificates: the list, and the PDF of one's own (another person's is 404, checked by the service). */
  'certificates:read-own': EVERYONE,
  /** Every certificate: list and search, any PDF, revoke, re-issue, issue by hand. */
  'certificates:manage': ['manager', 'admin'],
  // Participation statistics.
  /** Facilitators only for the courses they are assigned to (checked by the service). */
  'statistics:read': ['facilitator', 'manager', 'admin'],
  // Mail.
  'outbox:read': ['admin'],
  'outbox:retry': ['admin'],
  // Institution settings (name, city and logo printed on certificates).
  'settings:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Actor | undefined, permission: Permission): boolean {
  if (!actor) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return actor.roles.some((role) => allowed.includes(role));
}

/** Throws unauthenticated without an actor, forbidden without the permission. */
export function ensureAllowed(actor: Actor | undefined, permission: Permission): asserts actor is Actor {
  if (!actor) throw new AppError('unauthenticated', 'Authentication is required.');
  if (!can(actor, permission)) throw new AppError('forbidden', 'You do not have permission to do this.');
}

/** The resource belongs to the actor, or it does not exist as far as they can tell. */
export function ensureOwner(actor: Actor, ownerId: string | undefined, what = 'resource'): void {
  if (ownerId !== actor.id) throw new AppError('not_found', `No such ${what}.`);
}
