import express, { Router, type Request } from 'express';
import { AppError } from '../shared/errors.js';
import { authorize, signedInUser } from '../web/guards.js';
import type { QuestionBankService } from './question-bank.service.js';

/** API.md, "Quizzes": a course's question bank, imported and exported as GIFT (text/plain). */

const slugOf = (request: Request): string => String(request.params.slug);

export function questionBankApiRouter(bank: QuestionBankService): Router {
  const router = Router();

  router.get('/courses/:slug/question-bank', authorize('question-bank:manage'), async (request, response) => {
    response.json({ items: await bank.listQuestions(signedInUser(request), slugOf(request)) });
  });

  router.post('/courses/:slug/question-bank', authorize('question-bank:manage'), express.text({ type: 'text/plain', limit: '2mb' }), async (request, response) => {
    if (typeof request.body !== 'string') {
      throw new AppError('validation_failed', 'Send the GIFT file with Content-Type: text/plain.', { fields: { file: 'validation.invalidFormat' } });
    }
    response.json(await bank.importGift(signedInUser(request), slugOf(request), request.body));
  });

  router.get('/courses/:slug/question-bank.gift', authorize('question-bank:manage'), async (request, response) => {
    const gift = await bank.exportGift(signedInUser(request), slugOf(request));
    // attachment() would set the type from the .gift extension; text/plain comes after it.
    response.attachment(`${slugOf(request)}.gift`).type('text/plain; charset=utf-8').send(gift);
  });

  return router;
}
