import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'mongod.lock';

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
  const path = join(dbpath, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
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
  try {
    unlinkSync(join(dbpath, LOCK_FILE));
  } catch {
    // already gone
  }
}
