import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary directories for the calling suite: `const makeDirectory = useTempDirectories('ttl')`
 * then `makeDirectory()` in a test. Every one is removed after the suite, pass or fail.
 */
export function useTempDirectories(label: string): () => string {
  const directories: string[] = [];
  after(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(join(tmpdir(), `capacita-${label}-`));
    directories.push(directory);
    return directory;
  };
}
