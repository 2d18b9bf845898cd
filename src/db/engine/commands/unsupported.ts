import { CommandError } from '../errors.js';
import { isDocument, type Doc } from '../storage/document.js';

/**
 * Options the engine cannot honour are refused rather than silently ignored: a query
 * run without its collation, say, would answer with different documents than MongoDB.
 */

/** A collation other than "simple" (binary comparison, what the engine does) is refused. */
export function refuseCollation(collation: unknown): void {
  if (isDocument(collation) && collation.locale !== 'simple') {
    throw new CommandError('CommandNotSupported', 'collations other than "simple" are not supported by the embedded engine');
  }
}

/** Read commands: collation, and tailable cursors (which need capped collections). */
export function refuseUnsupportedReadOptions(command: Doc): void {
  if (command.tailable === true || command.awaitData === true) {
    throw new CommandError('CommandNotSupported', 'tailable cursors need capped collections, which the embedded engine does not support');
  }
  refuseCollation(command.collation);
  for (const option of ['min', 'max', 'returnKey', 'showRecordId']) {
    if (command[option] !== undefined && command[option] !== false) {
      throw new CommandError('CommandNotSupported', `the find option '${option}' is not supported by the embedded engine`);
    }
  }
}

/**
 * Write commands with `let` variables: supported for find and aggregate only. Ignoring
 * them would leave `$$name` undefined in the filter or update pipeline.
 */
export function refuseWriteVariables(command: Doc): void {
  if (command.let !== undefined) {
    throw new CommandError('CommandNotSupported', "'let' variables are supported by the embedded engine on find and aggregate only");
  }
}
