/**
 * The yardstick of `npm run bench:http`: a bare Express 5 + EJS page, nothing else (no
 * session, no database, no middleware), as its own process on the same Node. Its one
 * template (bare-page.ejs) renders paragraphs of text, escaped, padded so the page is
 * `--bytes` long: the size of the page it is compared with. Views are cached, as with
 * NODE_ENV=production. Prints `listening on http://127.0.0.1:<port>` once ready.
 * Usage: node --import tsx bench/bare-server.ts --bytes 20000
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import express from 'express';

const { values } = parseArgs({ options: { bytes: { type: 'string', default: '20000' } } });
const TARGET_BYTES = Number(values.bytes);

const SENTENCE = 'La gestión social integral articula las acciones de los sectores y de los actores locales alrededor de las personas y sus territorios, con enfoque de derechos. ';

const app = express();
app.disable('x-powered-by');
app.set('views', fileURLToPath(new URL('.', import.meta.url)));
app.set('view engine', 'ejs');
app.set('view cache', true);

function render(locals: { title: string; paragraphs: string[] }): Promise<string> {
  return new Promise((resolve, reject) => app.render('bare-page', locals, (error, html) => (error ? reject(error) : resolve(html))));
}

/** Whole paragraphs while they fit, then the last one cut to the byte (ASCII tail, so one character is one byte). */
async function paddedLocals(): Promise<{ title: string; paragraphs: string[] }> {
  const title = '¿Qué es la gestión social integral?';
  const paragraphs: string[] = [];
  const paragraph = SENTENCE.repeat(3).trim();
  const lineBytes = Buffer.byteLength(`    <p>${paragraph}</p>\n`);
  while (Buffer.byteLength(await render({ title, paragraphs })) + lineBytes <= TARGET_BYTES) paragraphs.push(paragraph);
  const missing = TARGET_BYTES - Buffer.byteLength(await render({ title, paragraphs })) - Buffer.byteLength('    <p></p>\n');
  if (missing > 0) paragraphs.push('x'.repeat(missing));
  return { title, paragraphs };
}

const locals = await paddedLocals();
app.get('/', (_request, response) => {
  response.render('bare-page', locals);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
