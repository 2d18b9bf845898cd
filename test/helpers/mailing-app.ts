import { createTestApp, type TestApp } from './app.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

/**
 * The app with its mail delivered for real to an SMTP sink on loopback, for the
 * suite: `const mail = useMailingApp();` then `mail().ctx.app`, `mail().sink.nextMail()`.
 */
export function useMailingApp(environment: Record<string, string> = {}): () => { ctx: TestApp; sink: SmtpSink } {
  let sink: SmtpSink | undefined;
  let ctx: TestApp | undefined;
  let stopDelivery: (() => Promise<void>) | undefined;
  before(async () => {
    sink = await startSmtpSink();
    ctx = await createTestApp({ SMTP_URL: sink.url, BASE_URL: 'https://capacita.example.gov.co', ...environment });
    stopDelivery = ctx.services.notifications.startDelivery({ pollIntervalMs: 50 });
  });
  after(async () => {
    await stopDelivery?.();
    await ctx?.close();
    await sink?.close();
  });
  return () => {
    if (!ctx || !sink) throw new Error('useMailingApp: the suite has not started');
    return { ctx, sink };
  };
}
