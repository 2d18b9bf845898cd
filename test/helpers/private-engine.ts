import { MongoClient } from 'mongodb';
import { startEngine, type EngineOptions, type RunningEngine } from '../../src/db/engine/index.js';

export interface PrivateEngine {
  engine: RunningEngine;
  client: MongoClient;
  /** Closes the client and the engine (idempotent). */
  stop(): Promise<void>;
}

/**
 * Engines a suite starts in-process for itself (a short TTL interval, a tiny snapshot
 * threshold, a restart on the same directory), each with a connected driver client.
 * Whatever a test leaves running is stopped after it, pass or fail.
 */
export function usePrivateEngines(): (options: EngineOptions) => Promise<PrivateEngine> {
  const running = new Set<PrivateEngine>();
  afterEach(async () => {
    await Promise.all([...running].map((privateEngine) => privateEngine.stop()));
  });
  return async (options) => {
    const engine = await startEngine(options);
    const client = new MongoClient(engine.uri);
    let stopping: Promise<void> | undefined;
    const privateEngine: PrivateEngine = {
      engine,
      client,
      stop: () => {
        stopping ??= (async () => {
          running.delete(privateEngine);
          await client.close();
          await engine.close();
        })();
        return stopping;
      },
    };
    running.add(privateEngine);
    try {
      await client.connect();
    } catch (error) {
      await privateEngine.stop();
      throw error;
    }
    return privateEngine;
  };
}
