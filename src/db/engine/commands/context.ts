import { CommandError } from '../errors.js';
import type { Doc } from '../storage/document.js';
import type { Store } from '../storage/store.js';
import type { CursorRegistry } from './cursors.js';

export interface EngineInfo {
  startedAt: Date;
  dbpath: string;
  /** How the engine was started, as getCmdLineOpts reports it. */
  argv: string[];
  address: string;
}

export interface CommandContext {
  store: Store;
  cursors: CursorRegistry;
  connectionId: number;
  engine: EngineInfo;
  /** Logs one of the engine's own failures (the client only gets InternalError). */
  reportInternalError: (error: unknown, command: string) => void;
}

/** A command handler: the database name comes from the command's `$db`. */
export type CommandHandler = (command: Doc, db: string, context: CommandContext) => Doc | Promise<Doc>;

/** The collection a command names in its first field, validated. */
export function collectionNameOf(command: Doc, commandName: string): string {
  const name = command[commandName];
  if (typeof name !== 'string' || name.length === 0) {
    throw new CommandError('InvalidNamespace', `collection name must be a non-empty string for ${commandName}`);
  }
  return name;
}
