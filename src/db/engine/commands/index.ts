import { asCommandError, CommandError, isInternalError } from '../errors.js';
import type { Doc } from '../storage/document.js';
import * as admin from './admin.js';
import * as catalog from './catalog.js';
import type { CommandContext, CommandHandler } from './context.js';
import * as crud from './crud.js';
import { getMore, killCursors } from './cursors.js';
import * as query from './query.js';

/** Command name (as sent, case-sensitive like mongod's aliases) → handler. */
const handlers = new Map<string, CommandHandler>([
  ['hello', admin.hello],
  ['isMaster', admin.hello],
  ['ismaster', admin.hello],
  ['ping', admin.ping],
  ['buildInfo', admin.buildInfo],
  ['buildinfo', admin.buildInfo],
  ['endSessions', admin.endSessions],
  ['killSessions', admin.noOpSessions],
  ['refreshSessions', admin.noOpSessions],
  ['serverStatus', admin.serverStatus],
  ['hostInfo', admin.hostInfo],
  ['getCmdLineOpts', admin.getCmdLineOpts],
  ['getParameter', admin.getParameter],
  ['getLog', admin.getLog],
  ['connectionStatus', admin.connectionStatus],
  ['whatsmyuri', admin.whatsmyuri],
  ['commitTransaction', admin.transactionsUnsupported],
  ['abortTransaction', admin.transactionsUnsupported],
  ['listDatabases', catalog.listDatabases],
  ['listCollections', catalog.listCollections],
  ['create', catalog.create],
  ['drop', catalog.drop],
  ['dropDatabase', catalog.dropDatabase],
  ['renameCollection', catalog.renameCollection],
  ['createIndexes', catalog.createIndexes],
  ['listIndexes', catalog.listIndexes],
  ['dropIndexes', catalog.dropIndexes],
  ['deleteIndexes', catalog.dropIndexes],
  ['collStats', catalog.collStats],
  ['dbStats', catalog.dbStats],
  ['insert', crud.insert],
  ['update', crud.update],
  ['delete', crud.deleteCommand],
  ['findAndModify', crud.findAndModify],
  ['findandmodify', crud.findAndModify],
  ['find', query.find],
  ['getMore', getMore],
  ['killCursors', killCursors],
  ['aggregate', query.aggregate],
  ['count', query.count],
  ['distinct', query.distinct],
  ['explain', query.explain],
]);

/** Commands that write: refused once the journal has failed, since nothing could be made durable. */
const WRITE_COMMANDS = new Set([
  'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'create', 'drop', 'dropDatabase',
  'renameCollection', 'createIndexes', 'dropIndexes', 'deleteIndexes', 'aggregate',
]);

export function isKnownCommand(name: string): boolean {
  return handlers.has(name);
}

/**
 * Runs one command and always answers with a reply document: errors become
 * `{ok: 0, code, codeName, errmsg}` as mongod sends them. Internal failures are
 * reported without a stack trace; `onInternalError` gets the original for the log.
 */
export async function runCommand(
  body: Doc,
  context: CommandContext,
  onInternalError: (error: unknown, command: string) => void,
): Promise<Doc> {
  const name = Object.keys(body)[0] ?? '';
  try {
    const handler = handlers.get(name);
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
    if (body.txnNumber !== undefined || body.startTransaction !== undefined || body.autocommit !== undefined) {
      throw new CommandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const db = body.$db;
    if (typeof db !== 'string' || db.length === 0) throw new CommandError('InvalidNamespace', 'the command has no $db');
    if (WRITE_COMMANDS.has(name) && context.store.journalFailure) {
      throw new CommandError('InternalError', `writes are refused: ${context.store.journalFailure.message}`);
    }
    return await handler(body, db, context);
  } catch (error) {
    if (isInternalError(error)) onInternalError(error, name);
    return asCommandError(error).toReply();
  }
}
