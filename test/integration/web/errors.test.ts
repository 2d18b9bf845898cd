import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';

describe('the error path', () => {
  const ctx = useTestApp();

  describe('API', () => {
    it('answers an unknown route under /api/v1 with 404 not_found in the error shape', async () => {
      const response = await request(ctx().app).get('/api/v1/no-such-thing').expect(404);
      expect(response.headers['content-type']).to.match(/application\/json/);
      expect(response.body.error.code).to.equal('not_found');
      expect(response.body.error.message).to.be.a('string').and.not.empty;
      expect(Object.keys(response.body)).to.deep.equal(['error']);
    });

    it('answers an unknown route the same way whether or not a bearer token is sent', async () => {
      const anonymous = await request(ctx().app).get('/api/v1/nowhere').expect(404);
      const withToken = await request(ctx().app).get('/api/v1/nowhere').set('Authorization', 'Bearer abc.def').expect(404);
      expect(withToken.body.error.code).to.equal(anonymous.body.error.code);
      expect(withToken.body.error.message).to.equal(anonymous.body.error.message);
    });

    it('answers malformed JSON with 400 validation_failed', async () => {
      const response = await request(ctx().app)
        .post('/api/v1/accounts')
        .set('Content-Type', 'application/json')
        .send('{"email": ')
        .expect(400);
      expect(response.body.error.code).to.equal('validation_failed');
      expect(response.body.error.details).to.have.property('fields');
    });

    it('answers a JSON body over 1 MB with 413 payload_too_large', async () => {
      const body = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
      const response = await request(ctx().app).post('/api/v1/accounts').set('Content-Type', 'application/json').send(body).expect(413);
      expect(response.body.error.code).to.equal('payload_too_large');
    });

    it('echoes a well-formed X-Request-Id and puts it in error bodies', async () => {
      const response = await request(ctx().app).get('/api/v1/missing').set('X-Request-Id', 'trace-12345678').expect(404);
      expect(response.headers['x-request-id']).to.equal('trace-12345678');
      expect(response.body.error.requestId).to.equal('trace-12345678');
    });

    it('replaces a malformed X-Request-Id with one of its own', async () => {
      const response = await request(ctx().app).get('/api/v1/missing').set('X-Request-Id', 'bad id with spaces').expect(404);
      expect(response.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('web pages', () => {
    it('renders an unknown page as a Spanish 404 page by default', async () => {
      const response = await request(ctx().app).get('/no-existe').expect(404);
      expect(response.headers['content-type']).to.match(/text\/html/);
      expect(response.text).to.include('<html lang="es"');
      expect(response.text).to.include('Página no encontrada');
    });

    it('renders it in English when the browser prefers English', async () => {
      const response = await request(ctx().app).get('/no-existe').set('Accept-Language', 'en-GB,en;q=0.9').expect(404);
      expect(response.text).to.include('<html lang="en"');
      expect(response.text).to.include('Page not found');
    });

    it('switches language with ?lang= and remembers it in a cookie', async () => {
      const response = await request(ctx().app).get('/?lang=en').expect(200);
      expect(response.text).to.include('Learn at your own pace');
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      expect(cookies.some((cookie) => /^lang=en/.test(cookie))).to.equal(true);
    });
  });

  describe('security headers', () => {
    it('sends a Content-Security-Policy without inline script and hides the framework', async () => {
      const response = await request(ctx().app).get('/').expect(200);
      const policy = String(response.headers['content-security-policy']);
      expect(policy).to.include("script-src 'self'");
      expect(policy).not.to.include('unsafe-inline');
      expect(policy).to.include("frame-ancestors 'none'");
      expect(response.headers).not.to.have.property('x-powered-by');
      expect(response.headers['x-content-type-options']).to.equal('nosniff');
    });
  });
});
