import type { TFunction } from 'i18next';
import { can, type Actor, type Permission } from '../shared/authorization.js';

/**
 * The main menu. Each entry names the permission its page needs, so a person sees
 * exactly the pages the permission table lets them open — nothing to keep in step.
 */
interface Entry {
  href: string;
  labelKey: string;
  /** Absent: shown to everyone. */
  permission?: Permission;
}

const MAIN_MENU: readonly Entry[] = [
  { href: '/', labelKey: 'nav.home' },
  { href: '/courses', labelKey: 'courses:nav.catalog' },
  { href: '/my-courses', labelKey: 'enrollments:nav.myCourses', permission: 'enrollments:self' },
  { href: '/account', labelKey: 'nav.account', permission: 'profile:read' },
  { href: '/admin/users', labelKey: 'nav.users', permission: 'users:list' },
  { href: '/admin/users/import', labelKey: 'nav.import', permission: 'users:import' },
  { href: '/admin/certificates', labelKey: 'certificates:admin.nav', permission: 'certificates:manage' },
  { href: '/stats', labelKey: 'reports:dashboard.nav', permission: 'statistics:read' },
  { href: '/admin/outbox', labelKey: 'nav.outbox', permission: 'outbox:read' },
  { href: '/admin/settings', labelKey: 'settings:nav.settings', permission: 'settings:manage' },
];

export interface NavigationItem {
  href: string;
  label: string;
  isCurrent: boolean;
}

function isWithin(path: string, href: string): boolean {
  return path === href || (href !== '/' && path.startsWith(`${href}/`));
}

export function navigationFor(actor: Actor | undefined, path: string, t: TFunction): NavigationItem[] {
  const visible = MAIN_MENU.filter((entry) => !entry.permission || can(actor, entry.permission));
  // The most specific entry is the current one (/admin/users/import, not /admin/users).
  const current = visible
    .filter((entry) => isWithin(path, entry.href))
    .sort((a, b) => b.href.length - a.href.length)[0];
  return visible.map((entry) => ({ href: entry.href, label: t(entry.labelKey), isCurrent: entry === current }));
}
