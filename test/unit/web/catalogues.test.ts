import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { expect } from 'chai';

/** Every text has both languages: a key in Spanish and not in English (or back) is a gap on screen. */
function keysOf(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [`${prefix}[]`];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => keysOf(inner, `${prefix}${key}.`));
  return [prefix.slice(0, -1)];
}

const sourceRoot = new URL('../../../src/', import.meta.url);
const modules = readdirSync(sourceRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/locales/es.json`, sourceRoot)))
  .map((entry) => entry.name);

describe('the i18n catalogues', () => {
  it('exist for the web shell and the accounts pages', () => {
    expect(modules).to.include.members(['web', 'accounts']);
  });

  for (const module of modules) {
    it(`${module}: Spanish and English have the same keys`, () => {
      const read = (language: string) => JSON.parse(readFileSync(new URL(`${module}/locales/${language}.json`, sourceRoot), 'utf8')) as unknown;
      expect(keysOf(read('en')).sort()).to.deep.equal(keysOf(read('es')).sort());
    });
  }
});
