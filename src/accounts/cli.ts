import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/connection.js';
import { buildServices } from '../services.js';
import { ROLES, type Role } from '../shared/authorization.js';
import { createLogger } from '../shared/logger.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

/**
 * `npm run user:create -- --email ana@example.org --role admin [--role manager]
 *  [--password …] [--given-name …] [--family-name …]`: an account made by an operator.
 * Without --password one is generated and printed once.
 */
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    role: { type: 'string', multiple: true },
    password: { type: 'string' },
    'given-name': { type: 'string' },
    'family-name': { type: 'string' },
  },
  strict: true,
});

const roles = (values.role ?? ['learner']).flatMap((role) => role.split(','));
const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
if (!values.email || unknown.length > 0) {
  process.stderr.write(`usage: npm run user:create -- --email EMAIL --role ${ROLES.join('|')} [--password P] [--given-name N] [--family-name N]\n`);
  if (unknown.length > 0) process.stderr.write(`unknown role(s): ${unknown.join(', ')}\n`);
  process.exit(2);
}
if (values.password !== undefined && values.password.length < 10) {
  process.stderr.write('the password must be at least 10 characters long\n');
  process.exit(2);
}


const config = loadConfig();
// Quiet unless asked: the command prints its own result.
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const database = await connectDatabase(config, logger);
try {
  const services = buildServices({ config, logger, database });
  const created = await services.accounts.auth.createSystemAccount({
    email: values.email,
    roles: roles as Role[],
    ...(values.password ? { password: values.password } : {}),
    ...(values['given-name'] ? { givenName: values['given-name'] } : {}),
    ...(values['family-name'] ? { familyName: values['family-name'] } : {}),
  });
  process.stdout.write(`created ${created.email} (${roles.join(', ')})\n`);
  if (created.generatedPassword) process.stdout.write(`password: ${created.generatedPassword}\n`);
} catch (error) {
  const isDuplicate = isDuplicateKey(error);
  process.stderr.write(isDuplicate ? `an account with the email ${values.email} already exists\n` : `${String(error)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
