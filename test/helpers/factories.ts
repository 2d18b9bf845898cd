import { randomInt } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';

let sequence = 0;

/** A valid registration body; each call gives a new email and document number. */
export function registrationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  const unique = `${Date.now().toString(36)}${sequence}${randomInt(1000)}`;
  return {
    email: `persona.${unique}@example.org`,
    password: 'contraseña-segura-2026',
    givenName: 'María José',
    familyName: "Gómez O'Neill",
    documentType: 'CC',
    documentNumber: `10${String(randomInt(10_000_000, 99_999_999))}${sequence}`.slice(0, 12),
    sex: 'female',
    birthDate: '1988-04-12',
    phone: '+57 300 123 4567',
    departmentCode: '05',
    municipalityCode: '05001',
    organization: 'Alcaldía de Medellín',
    position: 'Gestora social',
    actorType: 'public_servant',
    ethnicGroup: 'afrocolombian',
    disability: 'no',
    migrationStatus: 'none',
    dataConsent: true,
    ...overrides,
  };
}

export interface SignedIn {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

/** Registers someone through the API and signs them in with a bearer token. */
export async function registerAndSignIn(app: Express, overrides: Record<string, unknown> = {}): Promise<SignedIn> {
  const body = registrationBody(overrides);
  const registered = await request(app).post('/api/v1/accounts').send(body).expect(201);
  const signedIn = await request(app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(201);
  const token = signedIn.body.token as string;
  return { id: registered.body.id, email: String(body.email), password: String(body.password), token, auth: { Authorization: `Bearer ${token}` } };
}
