import { expect } from 'chai';
import ical, { type VEvent } from 'node-ical';
import request from 'supertest';
import type { TestApp } from '../../helpers/app.js';

/** A staff member with an API token. */
export interface Staff {
  id: string;
  email: string;
  auth: { Authorization: string };
}

const STAFF_PASSWORD = 'clave-de-equipo-2026';

let staffSequence = 0;
export async function staffToken(ctx: TestApp, role: 'manager' | 'facilitator'): Promise<Staff> {
  staffSequence += 1;
  const email = `equipo.sesiones.${role}.${Date.now().toString(36)}${staffSequence}@example.org`;
  await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password: STAFF_PASSWORD, givenName: 'Luz', familyName: 'Mosquera' });
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password: STAFF_PASSWORD }).expect(201);
  return { id: response.body.user.id, email, auth: { Authorization: `Bearer ${response.body.token}` } };
}

/** A new token for the same person (tokens last 8 hours of the test clock). */
export async function signInAgain(ctx: TestApp, staff: Staff): Promise<Staff> {
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email: staff.email, password: STAFF_PASSWORD }).expect(201);
  return { ...staff, auth: { Authorization: `Bearer ${response.body.token}` } };
}

/** The one event of a calendar file, parsed by an independent parser. */
export function eventOf(text: string): VEvent {
  const events = Object.values(ical.sync.parseICS(text)).filter((component) => component?.type === 'VEVENT') as VEvent[];
  expect(events).to.have.length(1);
  return events[0]!;
}
