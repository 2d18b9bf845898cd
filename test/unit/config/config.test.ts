import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('configuration', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'capacita-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses the documented defaults', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.port).to.equal(3000);
    expect(config.baseUrl).to.equal('http://localhost:3000');
    expect(config.mongodbUri).to.equal(undefined);
    expect(config.smtpUrl).to.equal(undefined);
    expect(config.mailFrom).to.include('@');
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('defaults DATA_DIR to ./data resolved from the working directory', () => {
    const config = loadConfig({ SESSION_SECRET: 'x'.repeat(40) });
    expect(config.dataDir).to.equal(join(process.cwd(), 'data'));
  });

  it('generates a session secret once, keeps it owner-only in the data directory, and reuses it', () => {
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.sessionSecret).to.have.length.greaterThan(40);
    expect(second.sessionSecret).to.equal(first.sessionSecret);
    const file = join(dataDir, 'secrets.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).sessionSecret).to.equal(first.sessionSecret);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('takes SESSION_SECRET from the environment when given', () => {
    const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 's'.repeat(32) });
    expect(config.sessionSecret).to.equal('s'.repeat(32));
  });

  it('strips a trailing slash from BASE_URL', () => {
    expect(loadConfig({ DATA_DIR: dataDir, BASE_URL: 'https://capacita.example.org/' }).baseUrl).to.equal('https://capacita.example.org');
  });

  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MONGODB_URI', 'postgres://localhost/db'],
    ['SMTP_URL', 'http://mail'],
    ['ADMIN_EMAIL', 'not-an-email'],
    ['ADMIN_PASSWORD', 'short'],
    ['SESSION_SECRET', 'too-short'],
    ['LOG_LEVEL', 'loud'],
  ] as const) {
    it(`refuses ${name}=${value} with a message naming the variable`, () => {
      expect(() => loadConfig({ DATA_DIR: dataDir, [name]: value })).to.throw(ConfigError, name);
    });
  }
});
