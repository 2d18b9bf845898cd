import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { PNG } from 'pngjs';
import request from 'supertest';
import { csrfTokenIn } from '../../helpers/web-session.js';
import { BANK_QUESTION_X, snapshot, useSecurityWorld, X, type SecurityWorld } from './security-world.js';

/**
 * Upload size limits (issue 9, item 6.2). Each place that takes more than a small form:
 * the JSON API (1 MB), the CSV import (API 10 MB; page 6 MB, signed-in people only), the
 * GIFT bank (API 2 MB; the page is a form: 100 KB), the institution's logo (multipart,
 * 200 KB), every other form (100 KB, 200 fields). A body of exactly the limit is read and
 * answered by its route; one byte more is 413 (`payload_too_large` in the API's shape, the
 * error page for pages), stores nothing, and the server goes on answering. Bodies that
 * lie about their length, or give none (chunked), are held to the same limits.
 */

const KB = 1024;
const MB = 1024 * KB;

/** A JSON object of exactly `size` bytes: one long string field. */
function jsonOfSize(size: number, field = 'givenName'): string {
  const head = `{"${field}":"`;
  const tail = '"}';
  return `${head}${'a'.repeat(size - head.length - tail.length)}${tail}`;
}

/** A text of exactly `size` bytes: `content`, then line ends (blank lines, which CSV and GIFT skip). */
function paddedText(content: string, size: number): string {
  return content + '\n'.repeat(size - Buffer.byteLength(content));
}

/** An urlencoded form body of exactly `size` bytes: the fields, then a `pad` field nobody reads. */
function formOfSize(fields: Record<string, string>, size: number): string {
  const encoded = new URLSearchParams(fields).toString();
  const prefix = `${encoded}&pad=`;
  return `${prefix}${'p'.repeat(size - Buffer.byteLength(prefix))}`;
}

function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(0x5d);
  return PNG.sync.write(image);
}

/** What a raw TCP client gets back for the bytes it sends (a request that may lie about itself). */
function rawExchange(port: number, chunks: Array<string | Buffer>, { endAfterSending = false, waitMs = 1500 } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const finish = (): void => {
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (data) => {
      received += data.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (endAfterSending) socket.end();
    });
  });
}

const statusesIn = (received: string): number[] => [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));

describe('security: upload size limits', function () {
  this.timeout(60_000);
  const world = useSecurityWorld();
  const api = () => request(world().ctx.app);
  let server: Server;
  let port: number;

  before(async () => {
    server = world().ctx.app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const expectHealthy = async (): Promise<void> => {
    await api().get('/healthz').expect(200);
    await api().get('/api/v1/me').set(world().people.B.auth).expect(200);
  };
  const expectApiTooLarge = (response: request.Response): void => {
    expect(response.status, response.text.slice(0, 200)).to.equal(413);
    expect(response.body.error.code).to.equal('payload_too_large');
    expect(response.body.error.message).to.be.a('string');
  };
  const expectPageTooLarge = (response: request.Response): void => {
    expect(response.status).to.equal(413);
    expect(response.headers['content-type']).to.match(/^text\/html/);
    expect(response.text).to.include('<main id="main"');
  };

  describe('the JSON API: 1 MB', () => {
    it('reads a body of exactly 1 MB (its route answers), refuses 1 MB + 1 byte with 413 and stores nothing', async () => {
      const { people, ctx } = world();
      const before = await snapshot(ctx);
      const atLimit = await api().patch('/api/v1/me').set(people.B.auth).set('Content-Type', 'application/json').send(jsonOfSize(MB));
      // Read and validated: the name is too long for a name, which the route says.
      expect(atLimit.status).to.equal(400);
      expect(atLimit.body.error.code).to.equal('validation_failed');
      expectApiTooLarge(await api().patch('/api/v1/me').set(people.B.auth).set('Content-Type', 'application/json').send(jsonOfSize(MB + 1)));
      // Public routes too, before anyone is known.
      expectApiTooLarge(await api().post('/api/v1/accounts').set('Content-Type', 'application/json').send(jsonOfSize(MB + 1, 'email')));
      expectApiTooLarge(await api().post('/api/v1/auth/tokens').set('Content-Type', 'application/json; charset=utf-8').send(jsonOfSize(2 * MB, 'email')));
      expect(await snapshot(ctx)).to.deep.equal(before);
      await expectHealthy();
    });

    it('holds a chunked body (no Content-Length) to the same limit', async () => {
      const { people } = world();
      const chunked = (body: string): string[] => {
        const parts: string[] = [];
        for (let offset = 0; offset < body.length; offset += 64 * KB) {
          const piece = body.slice(offset, offset + 64 * KB);
          parts.push(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`);
        }
        return [...parts, '0\r\n\r\n'];
      };
      const head = `PATCH /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n${people.B.auth.Authorization ? `Authorization: ${people.B.auth.Authorization}\r\n` : ''}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
      const over = await rawExchange(port, [head, ...chunked(jsonOfSize(MB + 1))]);
      expect(statusesIn(over)[0]).to.equal(413);
      expect(over).to.include('"payload_too_large"');
      const under = await rawExchange(port, [head, ...chunked(JSON.stringify({ givenName: 'Berta' }))]);
      expect(statusesIn(under)[0]).to.equal(200);
      await expectHealthy();
    });

    it('a Content-Length over the limit: 413 once the body is read off (dropped, not kept); a client that walks away does no harm', async () => {
      const { people } = world();
      const head = (length: number): string =>
        `PATCH /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: ${people.B.auth.Authorization}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
      // body-parser refuses by the announced length before reading, then reads the rest off so
      // that the answer reaches the client (it does not answer before the body is sent).
      const received = await rawExchange(port, [head(5 * MB), jsonOfSize(5 * MB)], { waitMs: 5000 });
      expect(statusesIn(received)).to.deep.equal([413]);
      expect(received).to.include('"payload_too_large"');
      await rawExchange(port, [head(50 * MB), '{"givenName":"'], { endAfterSending: true, waitMs: 300 });
      await expectHealthy();
    });

    it('copes with a Content-Length that lies: more bytes than announced, fewer, or both length and chunked', async () => {
      const { people, ctx } = world();
      const before = await snapshot(ctx);
      const auth = `Authorization: ${people.B.auth.Authorization}\r\n`;
      // 20 bytes announced, 2 MB sent: the 20 are the body (not JSON: 400), the rest is no request at all (400, closed).
      const more = await rawExchange(port, [`PATCH /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 20\r\n\r\n`, jsonOfSize(2 * MB)]);
      expect(statusesIn(more)[0]).to.equal(400);
      expect(statusesIn(more).every((status) => status === 400)).to.equal(true);
      // 1,000 bytes announced, 10 sent, then the client goes away.
      await rawExchange(port, [`PATCH /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"givenNa`], { endAfterSending: true, waitMs: 500 });
      // Content-Length and Transfer-Encoding together (the start of request smuggling): refused by the HTTP parser.
      const both = await rawExchange(port, [`PATCH /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`]);
      expect(statusesIn(both)[0]).to.equal(400);
      // A chunk that is longer than its size line says.
      const badChunk = await rawExchange(port, [`PATCH /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{"givenName":"X"}\r\n0\r\n\r\n`]);
      expect(statusesIn(badChunk)[0]).to.equal(400);
      expect(await snapshot(ctx)).to.deep.equal(before);
      await expectHealthy();
    });
  });

  describe('the CSV import', () => {
    const header = 'email,givenName,familyName,documentType,documentNumber,sex,birthDate,departmentCode,municipalityCode,actorType';
    const row = (label: string): string => `importada.${label}.${Date.now().toString(36)}@example.org,Ana,Pérez,CC,${String(Date.now()).slice(-9)},female,1990-01-01,05,05001,public_servant`;
    const users = () => world().ctx.database.connection.collection('users');

    it('API: a file of exactly 10 MB is imported; 10 MB + 1 byte is 413 and creates nobody', async () => {
      const { people } = world();
      const imported = await api().post('/api/v1/users/import').set(people.manager.auth).set('Content-Type', 'text/csv').send(paddedText(`${header}\n${row('api')}\n`, 10 * MB)).expect(200);
      expect(imported.body).to.deep.include({ created: 1, errors: [] });
      const before = await users().countDocuments();
      expectApiTooLarge(await api().post('/api/v1/users/import').set(people.manager.auth).set('Content-Type', 'text/csv').send(paddedText(`${header}\n${row('api-grande')}\n`, 10 * MB + 1)));
      expect(await users().countDocuments()).to.equal(before);
      await expectHealthy();
    });

    it('page: a form of exactly 6 MB is read; 6 MB + 1 byte gets the 413 page and creates nobody; anonymous people get 100 KB', async () => {
      const { people } = world();
      const token = await people.manager.web.csrf();
      const form = (csv: string, size: number): string => formOfSize({ _csrf: token, atomic: 'yes', csv }, size);
      const atLimit = await people.manager.web.agent.post('/admin/users/import').type('form').send(form(`${header}\n${row('pagina')}\n`, 6 * MB));
      expect(atLimit.status).to.equal(200);
      expect(atLimit.text).to.include('<main id="main"');
      const before = await users().countDocuments();
      expectPageTooLarge(await people.manager.web.agent.post('/admin/users/import').type('form').send(form(`${header}\n${row('pagina-grande')}\n`, 6 * MB + 1)));
      // Before anyone signs in, no form may be large: the small limit answers, not the import's.
      expectPageTooLarge(await request(world().ctx.app).post('/admin/users/import').type('form').send(formOfSize({ csv: row('anonima') }, 100 * KB + 1)));
      expect(await users().countDocuments()).to.equal(before);
      await expectHealthy();
    });
  });

  describe('the GIFT question bank', () => {
    const bank = async () => (await world().ctx.database.connection.collection('question_banks').find({ courseSlug: X }).toArray()).map((document) => document.questions);

    it('API: exactly 2 MB is imported; 2 MB + 1 byte is 413 and changes nothing', async () => {
      const { people } = world();
      const atLimit = await api().post(`/api/v1/courses/${X}/question-bank`).set(people.FX.auth).set('Content-Type', 'text/plain').send(paddedText('::limite-api:: ¿Verdadero? {T}\n', 2 * MB)).expect(200);
      expect(atLimit.body).to.deep.equal({ imported: 1, errors: [] });
      const before = await bank();
      expectApiTooLarge(await api().post(`/api/v1/courses/${X}/question-bank`).set(people.FX.auth).set('Content-Type', 'text/plain').send(paddedText(`::${BANK_QUESTION_X}:: Reemplazada {F}\n`, 2 * MB + 1)));
      expect(await bank()).to.deep.equal(before);
      await expectHealthy();
    });

    it('page: the pasted file is a form of 100 KB at most (exactly 100 KB is imported; one byte more is the 413 page)', async () => {
      const { people } = world();
      const token = await people.FX.web.csrf();
      const atLimit = await people.FX.web.agent.post(`/courses/${X}/question-bank`).type('form').send(formOfSize({ _csrf: token, gift: '::limite-pagina:: ¿Verdadero? {T}' }, 100 * KB));
      expect(atLimit.status).to.equal(303);
      const before = await bank();
      expectPageTooLarge(await people.FX.web.agent.post(`/courses/${X}/question-bank`).type('form').send(formOfSize({ _csrf: token, gift: `::${BANK_QUESTION_X}:: Reemplazada {F}` }, 100 * KB + 1)));
      expect(await bank()).to.deep.equal(before);
    });
  });

  describe("the institution's logo (multipart)", () => {
    const logo = async () => (await world().ctx.services.settings.logo())?.data;
    const upload = async (build: (post: request.Test, token: string) => request.Test): Promise<request.Response> => {
      const admin = world().people.admin.web;
      const page = await admin.agent.get('/admin/settings').expect(200);
      return build(admin.agent.post('/admin/settings/logo'), csrfTokenIn(page.text));
    };
    const padded = (size: number): Buffer => {
      const image = png(32, 32);
      return Buffer.concat([image, Buffer.alloc(size - image.length)]);
    };

    it('takes a file of exactly 200 KB; refuses 200 KB + 1 byte (the form says why) and keeps the logo it had', async () => {
      const exactly = padded(200 * KB);
      const taken = await upload((post, token) => post.field('_csrf', token).attach('logo', exactly, { filename: 'logo.png', contentType: 'image/png' }));
      expect(taken.status, taken.text.slice(0, 300)).to.equal(303);
      expect((await logo())?.equals(exactly)).to.equal(true);
      const refused = await upload((post, token) => post.field('_csrf', token).attach('logo', padded(200 * KB + 1), { filename: 'logo.png', contentType: 'image/png' }));
      // The settings page again, with the reason on the field (settings.test pins the 400): not a bare 413 page.
      expect(refused.status).to.equal(400);
      expect(refused.text).to.include('El archivo pesa más de 200 KB.');
      expect((await logo())?.equals(exactly)).to.equal(true);
      await expectHealthy();
    });

    it('reads a 20 MB file through without keeping it, and stays healthy', async () => {
      const before = await logo();
      const started = process.memoryUsage().rss;
      const refused = await upload((post, token) => post.field('_csrf', token).attach('logo', Buffer.concat([png(32, 32), Buffer.alloc(20 * MB)]), { filename: 'logo.png', contentType: 'image/png' }));
      expect(refused.status).to.equal(400);
      expect((await logo())?.equals(before!)).to.equal(true);
      expect(process.memoryUsage().rss - started, 'memory kept for a refused file').to.be.below(100 * MB);
      await expectHealthy();
    });

    it('too many fields, too many files, or a field over 100 KB: the 413 page, nothing stored', async () => {
      const before = await logo();
      const manyFields = await upload((post, token) => {
        let form = post.field('_csrf', token);
        for (let index = 0; index < 25; index += 1) form = form.field(`campo${index}`, 'x');
        return form.attach('logo', png(32, 32), { filename: 'logo.png', contentType: 'image/png' });
      });
      expectPageTooLarge(manyFields);
      const twoFiles = await upload((post, token) =>
        post.field('_csrf', token).attach('logo', png(32, 32), { filename: 'a.png', contentType: 'image/png' }).attach('otro', png(40, 40), { filename: 'b.png', contentType: 'image/png' }),
      );
      expectPageTooLarge(twoFiles);
      const hugeField = await upload((post, token) => post.field('_csrf', token).field('nota', 'n'.repeat(100 * KB + 1)).attach('logo', png(24, 24), { filename: 'logo.png', contentType: 'image/png' }));
      expectPageTooLarge(hugeField);
      expect((await logo())?.equals(before!)).to.equal(true);
      await expectHealthy();
    });

    it('a multipart body to a page that takes none is not read: refused for its missing token', async () => {
      const { people } = world();
      const response = await people.B.web.agent.post('/account/edit').attach('archivo', Buffer.alloc(3 * MB), { filename: 'x.bin', contentType: 'application/octet-stream' });
      expect(response.status).to.equal(403);
      // And anonymous people cannot upload a logo: their multipart is never parsed.
      const anonymous = await request(world().ctx.app).post('/admin/settings/logo').attach('logo', png(32, 32), { filename: 'logo.png', contentType: 'image/png' });
      expect(anonymous.status).to.equal(403);
      await expectHealthy();
    });
  });

  describe('every other form: 100 KB and 200 fields', () => {
    it('reads exactly 100 KB (the route answers), refuses one byte more with the 413 page; the profile is untouched', async () => {
      const { people, ctx } = world();
      const token = await people.B.web.csrf();
      const atLimit = await people.B.web.agent.post('/account/edit').type('form').send(formOfSize({ _csrf: token, givenName: 'Berta' }, 100 * KB));
      expect(atLimit.status).to.be.oneOf([303, 400]);
      const afterAtLimit = await snapshot(ctx);
      expectPageTooLarge(await people.B.web.agent.post('/account/edit').type('form').send(formOfSize({ _csrf: token, givenName: 'Nombre Cambiado' }, 100 * KB + 1)));
      expect(await snapshot(ctx)).to.deep.equal(afterAtLimit);
      await expectHealthy();
    });

    it('200 fields are read, 201 are the 413 page; the sign-in form of an anonymous visitor is held to the same', async () => {
      const { people } = world();
      const token = await people.B.web.csrf();
      const fields = (count: number): string => [`_csrf=${token}`, ...Array.from({ length: count - 1 }, (_, index) => `f${index}=1`)].join('&');
      const atLimit = await people.B.web.agent.post('/account/verification').type('form').send(fields(200));
      expect(atLimit.status).to.equal(303);
      expectPageTooLarge(await people.B.web.agent.post('/account/verification').type('form').send(fields(201)));
      expectPageTooLarge(await request(world().ctx.app).post('/login').type('form').send(formOfSize({ email: 'x@example.org' }, 100 * KB + 1)));
      await expectHealthy();
    });

    it("a page script's JSON (attendance, autosave) has its own limit: 413 as JSON", async () => {
      const { people, ids } = world();
      const token = await people.FX.web.csrf();
      const attendance = await people.FX.web.agent.post(`/live-sessions/${ids.sessionX1}/attendance`).set('X-CSRF-Token', token).set('Content-Type', 'application/json').send(jsonOfSize(512 * KB + 1, 'present'));
      expect(attendance.status).to.equal(413);
      await expectHealthy();
    });
  });

  // Last (mocha runs nested suites after the tests beside them, and suites in order).
  describe('afterwards', () => {
    it('the server still answers everyone', async (): Promise<void> => {
      const w: SecurityWorld = world();
      await expectHealthy();
      await w.people.A.web.agent.get('/my-courses').expect(200);
    });
  });
});
