import { expect } from 'chai';
import { errorSummary, fieldBuilder } from '../../../src/web/form-fields.js';
import { fieldMessagesOf, listValue, readForm } from '../../../src/web/form-input.js';
import { AppError } from '../../../src/shared/errors.js';

const t = ((key: string) => `«${key}»`) as never;

describe('form fields and form input', () => {
  it('takes only the named fields, as text; empty text is not given', () => {
    const body = { email: ' ana@example.org ', givenName: '', _csrf: 'token', roles: ['learner', 'admin'], evil: { $gt: '' }, sex: { $ne: 1 } };
    expect(readForm(body, ['email', 'givenName', 'roles', 'sex'])).to.deep.equal({ email: ' ana@example.org ', roles: ['learner', 'admin'] });
    expect(listValue({ roles: 'learner' }, 'roles')).to.deep.equal(['learner']);
    expect(listValue({}, 'roles')).to.deep.equal([]);
  });

  it('ties hint and error to the control, and never gives a password back', () => {
    const field = fieldBuilder({ values: { password: 'secreta-123' }, errors: { password: 'Muy corta' } });
    const password = field.input('password', { label: 'Contraseña', hint: 'Mínimo 10', type: 'password' });
    expect(password).to.include({ id: 'field-password', value: '', error: 'Muy corta', describedBy: 'field-password-hint field-password-error' });
    const plain = fieldBuilder({ values: { q: 'ana' }, errors: {} }).input('q', { label: 'Buscar' });
    expect(plain).to.include({ value: 'ana', describedBy: '' });
  });

  it('lists summary messages in page order, with what is not a field first', () => {
    const errors = { sex: 'Elige', email: 'Correo', _: 'General' };
    const field = fieldBuilder({ values: {}, errors });
    const fields = [field.input('email', { label: 'Correo' }), field.radios('sex', { label: 'Sexo', choices: [{ value: 'female', label: 'Mujer' }] })];
    expect(errorSummary(errors, fields)).to.deep.equal([
      { text: 'General' },
      { text: 'Correo: Correo', href: '#field-email' },
      { text: 'Sexo: Elige', href: '#field-sex' },
    ]);
  });

  it('reads field messages from validation and conflict errors, translating keys, and throws anything else on', () => {
    const conflict = new AppError('conflict', 'taken', { fields: { email: 'validation.emailTaken' } });
    expect(fieldMessagesOf(conflict, t)).to.deep.equal({ email: '«validation.emailTaken»' });
    const other = new AppError('not_found', 'gone');
    expect(() => fieldMessagesOf(other, t)).to.throw(AppError);
    expect(() => fieldMessagesOf(new AppError('conflict', 'last admin', { reason: 'last_admin' }), t)).to.throw(AppError);
  });
});
