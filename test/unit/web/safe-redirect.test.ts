import { expect } from 'chai';
import { safeNextPath } from '../../../src/web/safe-redirect.js';

describe('where sign-in may lead (?next=)', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    expect(safeNextPath('/account')).to.equal('/account');
    expect(safeNextPath('/admin/users?q=ana&role=admin#list')).to.equal('/admin/users?q=ana&role=admin#list');
    expect(safeNextPath('/cursos/%C3%B1and%C3%BA')).to.equal('/cursos/%C3%B1and%C3%BA');
  });

  it('normalises dot segments without leaving the site', () => {
    expect(safeNextPath('/a/../../etc')).to.equal('/etc');
  });

  for (const hostile of [
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example',
    'HTTPS://evil.example/account',
    'javascript:alert(1)',
    'evil.example/account',
    '/\t/evil.example',
    '/\n/evil.example',
    ' /account',
    '',
  ]) {
    it(`refuses ${JSON.stringify(hostile)}`, () => {
      expect(safeNextPath(hostile)).to.equal('/');
    });
  }

  it('refuses what is not a string, and uses the fallback given', () => {
    expect(safeNextPath(['/account'])).to.equal('/');
    expect(safeNextPath(undefined, '/account')).to.equal('/account');
    expect(safeNextPath('/x'.repeat(1500))).to.equal('/');
  });
});
