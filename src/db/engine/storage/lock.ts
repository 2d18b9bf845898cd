import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LOCK_FILE = 'mongod.lock';

/**
 * Directories this process has locked. The lock file alone cannot tell "this process
 * holds it" from "a dead process that had our pid left it" (a container restarts with
 * the same pid), so a lock file naming our own pid counts as stale unless it is here.
 * Kept on globalThis: a process that loads this module twice (a CommonJS and an ESM
 * copy, as test runners can) must still see one set.
 */
const HELD_KEY = Symbol.for('capacita.engine.lockedDataDirectories');
const processGlobals = globalThis as typeof globalThis & { [HELD_KEY]?: Set<string> };
const heldByThisProcess: Set<string> = (processGlobals[HELD_KEY] ??= new Set<string>());

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One engine per data directory, as with mongod: two processes appending to the same
 * journal would corrupt it. A lock left by a process that died is taken over.
 */
export function acquireLock(dbpath: string): void {
  const directory = resolve(dbpath);
  if (heldByThisProcess.has(directory)) {
    throw new Error(`the data directory ${dbpath} is in use by process ${process.pid} (this one)`);
  }
  const path = join(dbpath, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      heldByThisProcess.add(directory);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new Error(`the data directory ${dbpath} is in use by process ${holder}`);
    }
    unlinkSync(path);
  }
  throw new Error(`could not lock the data directory ${dbpath}`);
}

export function releaseLock(dbpath: string): void {
  heldByThisProcess.delete(resolve(dbpath));
  try {
    unlinkSync(join(dbpath, LOCK_FILE));
  } catch {
    // already gone
  }
}
