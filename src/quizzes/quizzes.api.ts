import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize, signedInUser } from '../web/guards.js';
import { parseInput } from '../web/validate.js';
import { myAttemptsQuerySchema, saveAnswersSchema, submitAttemptSchema } from './quizzes.schemas.js';
import type { QuizzesService } from './quizzes.service.js';

/** API.md, "Quizzes": the quiz, attempts (start, autosave, submit) and the learner's list. */

const emptyBodySchema = z.strictObject({});
const attemptIdOf = (request: Request): string => String(request.params.attemptId);

export function quizzesApiRouter(quizzes: QuizzesService): Router {
  const router = Router();

  router.get('/quizzes/:id', authorize('quizzes:read'), async (request, response) => {
    response.json(await quizzes.getQuiz(signedInUser(request), String(request.params.id)));
  });

  // 201 for a new attempt; 200 when the one in progress is given back.
  router.post('/quizzes/:id/attempts', authorize('quizzes:attempt'), async (request, response) => {
    parseInput(emptyBodySchema, request.body, request.t);
    const { isResumed, ...attempt } = await quizzes.startAttempt(signedInUser(request), String(request.params.id));
    response.status(isResumed ? 200 : 201).json(attempt);
  });

  router.put('/attempts/:attemptId/answers', authorize('quizzes:attempt'), async (request, response) => {
    const { answers } = parseInput(saveAnswersSchema, request.body, request.t);
    response.json(await quizzes.saveAnswers(signedInUser(request), attemptIdOf(request), answers));
  });

  router.post('/attempts/:attemptId/submit', authorize('quizzes:attempt'), async (request, response) => {
    const { answers } = parseInput(submitAttemptSchema, request.body, request.t);
    response.json(await quizzes.submitAttempt(signedInUser(request), attemptIdOf(request), answers));
  });

  router.get('/me/attempts', authorize('quizzes:attempt'), async (request, response) => {
    const query = parseInput(myAttemptsQuerySchema, request.query, request.t);
    response.json(await quizzes.myAttempts(signedInUser(request), query));
  });

  return router;
}
