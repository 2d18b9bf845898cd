/**
 * Errors in MongoDB's shape: the official driver turns `{ok: 0, code, codeName, errmsg}`
 * into a MongoServerError, so the application sees the same codes as on a real server.
 */

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  EmptyFieldName: 56,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  InvalidIndexSpecificationOption: 197,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  /** mongod's "Unrecognized pipeline stage name". */
  Location40324: 40324,
  /** mongod's "$changeStream is only supported on replica sets". */
  Location40573: 40573,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

const namesByCode = new Map<number, string>(
  Object.entries(ErrorCodes).map(([name, code]) => [code, name]),
);

export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra fields copied into the error reply (keyPattern and keyValue for 11000). */
  readonly extra: Record<string, unknown>;

  constructor(codeName: ErrorCodeName, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.code = ErrorCodes[codeName];
    this.codeName = codeName;
    this.extra = extra;
  }

  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The shape of one entry of a write command's `writeErrors`. */
  toWriteError(index: number): Record<string, unknown> {
    return { index, code: this.code, codeName: this.codeName, errmsg: this.message, ...this.extra };
  }
}

export function codeNameOf(code: number): string {
  return namesByCode.get(code) ?? 'UnknownError';
}

/** mingo reports malformed queries, updates and pipelines with its own Error class. */
export function isMingoError(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'MingoError';
}

/** Whether an error is the engine's own failure rather than something the client sent. */
export function isInternalError(error: unknown): boolean {
  return !(error instanceof CommandError) && !isMingoError(error);
}

/**
 * The error a client gets. Errors raised by mingo while compiling or running a query are
 * the client's fault (an unknown or malformed operator): they answer BadValue, never a
 * silent wrong result. Anything else is ours and answers InternalError, not a client code.
 */
export function asCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CommandError(isMingoError(error) ? 'BadValue' : 'InternalError', message);
}
