import { Router, type Request } from 'express';
import { authorize, signedInUser } from '../web/guards.js';
import { parseInput } from '../web/validate.js';
import { writeZip } from './certificates.export.js';
import { exportQuerySchema, listQuerySchema, manualIssueSchema, reissueSchema, revokeSchema } from './certificates.schemas.js';
import type { CertificatesService } from './certificates.service.js';

/** API.md, "Certificates", and the additions in README.md (re-issue, manual issuance, the managers' list). */

const codeOf = (request: Request): string => String(request.params.code);

export function certificatesApiRouter(certificates: CertificatesService): Router {
  const router = Router();

  router.get('/me/certificates', authorize('certificates:read-own'), async (request, response) => {
    const mine = await certificates.myCertificates(signedInUser(request));
    response.json({ items: mine.map(({ code, courseSlug, issuedAt, status }) => ({ code, courseSlug, issuedAt, status })) });
  });

  // The holder or a manager; to anyone else the certificate does not exist (checked by the service).
  router.get('/certificates/:code/pdf', authorize('certificates:read-own'), async (request, response) => {
    const { filename, pdf } = await certificates.certificatePdf(signedInUser(request), codeOf(request));
    response.set('Cache-Control', 'private, no-cache').type('application/pdf').attachment(filename).send(pdf);
  });

  // Public, limited per address. Not cached: a revocation must show at once.
  router.get('/verify/:code', async (request, response) => {
    const result = await certificates.verify(codeOf(request), request.ip ?? 'unknown');
    response.set('Cache-Control', 'no-store').json(result);
  });

  router.post('/certificates/:code/revoke', authorize('certificates:manage'), async (request, response) => {
    const { reason } = parseInput(revokeSchema, request.body, request.t);
    response.json(await certificates.revoke(signedInUser(request), codeOf(request), reason));
  });

  router.post('/certificates/:code/reissue', authorize('certificates:manage'), async (request, response) => {
    const { note } = parseInput(reissueSchema, request.body, request.t);
    response.status(201).json(await certificates.reissue(signedInUser(request), codeOf(request), note));
  });

  router.post('/certificates', authorize('certificates:manage'), async (request, response) => {
    const input = parseInput(manualIssueSchema, request.body, request.t);
    response.status(201).json(await certificates.issueManually(signedInUser(request), input));
  });

  router.get('/certificates', authorize('certificates:manage'), async (request, response) => {
    const query = parseInput(listQuerySchema, request.query, request.t);
    response.json(await certificates.listCertificates(signedInUser(request), query));
  });

  // Streamed as each PDF is rendered; refused with 409 too_many_certificates before anything is sent (certificates.export.ts).
  router.get('/certificates/export.zip', authorize('certificates:manage'), async (request, response) => {
    const query = parseInput(exportQuerySchema, request.query, request.t);
    const { filename, files } = await certificates.exportPdfs(signedInUser(request), query);
    response.set('Cache-Control', 'no-store').type('application/zip').attachment(filename);
    await writeZip(files, response);
  });

  return router;
}
