import { z } from 'zod';
import { pageQuerySchema } from '../web/pagination.js';

/**
 * What enters the quiz routes. The shape of each answer is checked here (API.md,
 * "Quizzes": an option id, option ids, a boolean, a string, a number, left → right ids);
 * whether it fits its question is the service's check (answer-check.ts), which knows
 * the attempt.
 */

const id = z.string().min(1).max(100);

const answerSchema = z.union([
  z.string().max(1_000),
  z.array(id).max(100),
  z.boolean(),
  z.number().finite(),
  z.record(id, id),
  z.null(),
]);

const answersSchema = z.record(id, answerSchema).refine((answers) => Object.keys(answers).length <= 500, 'validation.tooLong');

export const saveAnswersSchema = z.strictObject({ answers: answersSchema });
export const submitAttemptSchema = z.strictObject({ answers: answersSchema.default({}) });

export const myAttemptsQuerySchema = pageQuerySchema.extend({ quizId: z.string().min(1).max(200).optional() });
