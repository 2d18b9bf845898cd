import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody } from '../../helpers/factories.js';
import { webSession } from '../../helpers/web-session.js';

/** The registration body as the form sends it: text fields, the consent box ticked. */
function formBody(overrides: Record<string, unknown> = {}): Record<string, string> {
  const { dataConsent: _consent, ...body } = registrationBody(overrides);
  return { ...Object.fromEntries(Object.entries(body).map(([key, value]) => [key, String(value)])), dataConsent: 'yes' };
}

/** The opening tag of the control with this id. */
function controlTag(html: string, id: string): string {
  const match = new RegExp(`<(input|select|textarea)[^>]*\\bid="${id}"[^>]*>`).exec(html);
  if (!match) throw new Error(`no control #${id}`);
  return match[0];
}

describe('the registration form', () => {
  const ctx = useTestApp();

  it('labels every control, groups the profile in fieldsets with legends and links the privacy policy', async () => {
    const page = await request(ctx().app).get('/register').expect(200);
    const ids = [...page.text.matchAll(/<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"/g)].map((match) => match[1]!);
    expect(ids.length).to.be.greaterThan(20);
    for (const id of ids) expect(page.text, `label for #${id}`).to.include(`<label for="${id}"`);
    expect((page.text.match(/<fieldset/g) ?? []).length).to.equal((page.text.match(/<legend>/g) ?? []).length);
    expect(page.text).to.include('href="/privacy"');
    expect(page.text).to.include('<script src="/js/territories.js" defer></script>');
    // All 33 DIVIPOLA departments (Bogotá D.C. included), and no municipality before one is chosen.
    const departments = /<select id="field-departmentCode"[\s\S]*?<\/select>/.exec(page.text)![0];
    expect((departments.match(/<option value="\d{2}"/g) ?? []).length).to.equal(33);
    const municipalities = /<select id="field-municipalityCode"[\s\S]*?<\/select>/.exec(page.text)![0];
    expect(municipalities.match(/<option value="\d{5}"/g)).to.equal(null);
  });

  it('re-renders a refused form with what was typed, each message tied to its field and a summary on top', async () => {
    const session = webSession(ctx().app);
    const typed = formBody({ email: 'no-es-un-correo', birthDate: '1988-02-30', password: 'corta' });
    delete (typed as Record<string, string>).dataConsent;
    const response = await session.post('/register', typed);
    expect(response.status).to.equal(400);
    const html = response.text;
    expect(html).to.include('class="error-summary"');
    for (const [field, label, message] of [
      ['email', 'Correo electrónico', 'Escribe un correo electrónico válido'],
      ['password', 'Contraseña', 'La contraseña debe tener al menos 10 caracteres.'],
      ['birthDate', 'Fecha de nacimiento', 'Esa fecha no existe.'],
      ['dataConsent', 'Autorizo el tratamiento de mis datos personales', 'Para continuar debes autorizar el tratamiento de tus datos personales.'],
    ] as const) {
      expect(html).to.match(new RegExp(`<a href="#field-${field}">${label}[^<]*: ${message}`));
      expect(html).to.match(new RegExp(`id="field-${field}-error"><span class="visually-hidden">Error:</span> ${message}`));
      expect(controlTag(html, `field-${field}`)).to.match(new RegExp(`aria-describedby="[^"]*field-${field}-error`)).and.include('aria-invalid="true"');
    }
    // What was typed comes back, except the password.
    expect(controlTag(html, 'field-email')).to.include('value="no-es-un-correo"');
    expect(controlTag(html, 'field-givenName')).to.include('value="María José"');
    expect(controlTag(html, 'field-familyName')).to.include('value="Gómez O&#39;Neill"');
    expect(html).to.match(/<option value="CC" selected>/);
    expect(html).to.match(/<option value="05001" selected>Medellín<\/option>/);
    expect(html).to.match(/id="field-ethnicGroup-2" name="ethnicGroup" value="afrocolombian" checked>/);
    expect(controlTag(html, 'field-password')).to.include('value=""');
    expect(html).not.to.include('corta');
  });

  it('without JavaScript, "Load municipalities" brings the chosen department\'s list and keeps the rest', async () => {
    const session = webSession(ctx().app);
    const response = await session.post('/register', { givenName: 'Ana', departmentCode: '52', action: 'loadMunicipalities' });
    expect(response.status).to.equal(200);
    expect(response.text).not.to.include('class="error-summary"');
    const municipalities = /<select id="field-municipalityCode"[\s\S]*?<\/select>/.exec(response.text)![0];
    expect(municipalities).to.include('<option value="52001">Pasto</option>');
    expect(municipalities).not.to.include('value="05001"');
    expect(response.text).to.include('<option value="52" selected>');
    expect(controlTag(response.text, 'field-givenName')).to.include('value="Ana"');
  });

  it('creates the account, signs the person in and sends the confirmation mail', async () => {
    const session = webSession(ctx().app);
    const body = formBody();
    const response = await session.post('/register', body);
    expect(response.status).to.equal(303);
    expect(response.headers.location).to.equal('/account');
    const account = await session.agent.get('/account').expect(200);
    expect(account.text).to.include('¡Te damos la bienvenida a Capacita!');
    expect(account.text).to.include('María José Gómez O&#39;Neill');
    const mail = await ctx().database.connection.collection('outbox_mails').findOne({ to: body.email });
    expect(mail?.subject).to.equal('Confirma tu correo en Capacita');
    // The consent was recorded: the API can sign in and sees no pending consent.
    const token = (await request(ctx().app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(201)).body.token;
    const me = await request(ctx().app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body.consentPending).to.equal(false);
  });

  it('says so, at the field, when the email already has an account', async () => {
    const existing = await registerAndSignIn(ctx().app);
    const response = await webSession(ctx().app).post('/register', formBody({ email: existing.email }));
    expect(response.status).to.equal(409);
    expect(response.text).to.include('<a href="#field-email">Correo electrónico: Ya existe una cuenta con este correo.</a>');
  });
});
