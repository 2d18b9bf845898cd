import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';

/** Finding a person by what staff have at hand (manual certificate issuance): an email address or a document number, exactly. */
describe('accounts: finding people by email or document number', () => {
  const ctx = useTestApp();
  const find = (typed: string) => ctx().services.accounts.service.findPeople(typed);

  it('finds one person by email in any case, and by document number typed with dots or spaces', async () => {
    const person = await registerAndSignIn(ctx().app, { documentNumber: '1085123456' });
    expect((await find(` ${person.email.toUpperCase()} `)).map((found) => found.id)).to.deep.equal([person.id]);
    expect((await find('1.085.123.456')).map((found) => found.id)).to.deep.equal([person.id]);
    expect((await find('1085 123 456')).map((found) => found.id)).to.deep.equal([person.id]);
  });

  it('matches whole values only, and nothing for empty text', async () => {
    await registerAndSignIn(ctx().app, { documentNumber: '1085777888' });
    expect(await find('1085777')).to.deep.equal([]);
    expect(await find('persona.')).to.deep.equal([]);
    expect(await find('   ')).to.deep.equal([]);
  });

  it('gives everyone who holds a number under different document types', async () => {
    const citizen = await registerAndSignIn(ctx().app, { documentType: 'CC', documentNumber: '77123456' });
    const foreigner = await registerAndSignIn(ctx().app, { documentType: 'CE', documentNumber: '77123456' });
    expect((await find('77123456')).map((found) => found.id)).to.have.members([citizen.id, foreigner.id]);
  });

  it('does not find a deleted account', async () => {
    const person = await registerAndSignIn(ctx().app, { documentNumber: '1085999111' });
    await request(ctx().app).delete('/api/v1/me').set(person.auth).send({ password: person.password }).expect(204);
    expect(await find(person.email)).to.deep.equal([]);
    expect(await find('1085999111')).to.deep.equal([]);
  });
});
