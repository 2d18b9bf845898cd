import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A child process whose stdout lines can be awaited, killed for sure after the suite. */
export interface ChildHandle {
  child: ChildProcess;
  output: string[];
  /** Resolves with the first stdout line matching `pattern`, rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

export function spawnChild(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildHandle {
  const child = spawn(command, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const output: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return (code as number | null) ?? (signal as string);
  });
  const onLine = (line: string): void => {
    output.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));

  return {
    child,
    output,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = output.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before a line matching ${pattern}:\n${output.join('\n')}`));
        });
      });
    },
  };
}

/** Kills whatever a test left running (also when it failed half-way). */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
