import { expect } from 'chai';
import { MongoServerError } from 'mongodb';

/**
 * Awaits an operation that must fail on the server and returns the driver's error,
 * so a test can go on to check `code`, `keyPattern`, `keyValue` or `writeErrors`.
 */
export async function expectServerError(operation: Promise<unknown>, code: number): Promise<MongoServerError> {
  let failure: unknown;
  try {
    await operation;
  } catch (error) {
    failure = error;
  }
  expect(failure, `expected the server to answer code ${code}`).to.be.instanceOf(MongoServerError);
  const error = failure as MongoServerError;
  expect(error.code, error.message).to.equal(code);
  return error;
}
