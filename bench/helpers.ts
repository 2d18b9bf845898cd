import { spawn } from 'node:child_process';

/** Shared by the benchmarks: the engine as its own process, and percentiles. */

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * `npm run db` on a port of its own, as when several app processes share it, so client
 * and server do not share an event loop. `nodeOptions` go to the engine's Node (a
 * larger heap for millions of documents).
 */
export async function startStandaloneEngine(dbpath: string, nodeOptions: string[] = []): Promise<{ uri: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'src/db/engine/cli.ts', '--port', '0', '--dbpath', dbpath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /listening on (mongodb:\/\/[^ "]+)/.exec(buffered);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
  });
  return {
    uri,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
