import type { Connection, Types } from 'mongoose';
import type { CoursesService } from '../courses/index.js';
import type { Actor } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import { quizAttemptModel } from './quiz-attempt.model.js';

/**
 * What a facilitator reads of a quiz: attempts per learner, the distribution of scores,
 * and each question's facility (the share of attempts that got it fully right), to spot
 * questions that are too hard, too easy or simply wrong. Only closed attempts count.
 */

export interface QuizReport {
  quizId: string;
  attempts: number;
  learners: number;
  passedLearners: number;
  /** Ten bands of ten points: 0-9, 10-19 … 90-100. */
  scoreDistribution: Array<{ band: string; attempts: number }>;
  questions: Array<{ id: string; prompt: string; type: string; attempts: number; facility: number; meanMark: number }>;
  people: Array<{ userId: string; name: string; email: string | null; attempts: number; bestScore: number; passed: boolean; lastSubmittedAt: string | null }>;
}

interface QuestionSnapshot {
  id: string;
  prompt: string;
  type: string;
}

export interface QuizReportDependencies {
  connection: Connection;
  courses: CoursesService;
  contactsOf(ids: string[]): Promise<Map<string, { name: string; email: string | null }>>;
}

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

export function createQuizReportService(deps: QuizReportDependencies) {
  const Attempt = quizAttemptModel(deps.connection);

  return {
    async reportOf(actor: Actor, quizId: string): Promise<QuizReport> {
      const quiz = await deps.courses.getQuiz(quizId);
      if (!(await deps.courses.isFacilitatorOf(actor, quiz.courseSlug))) throw new AppError('forbidden', 'You do not facilitate this course.');
      const closed = { quizId, status: { $in: ['submitted', 'timed_out'] } };

      const [people, bands, questionStats] = await Promise.all([
        Attempt.aggregate<{ _id: Types.ObjectId; attempts: number; bestScore: number; passed: boolean; lastSubmittedAt: Date | null }>([
          { $match: closed },
          { $group: { _id: '$userId', attempts: { $sum: 1 }, bestScore: { $max: '$result.score' }, passed: { $max: '$result.passed' }, lastSubmittedAt: { $max: '$submittedAt' } } },
          { $sort: { bestScore: -1 } },
        ]),
        Attempt.aggregate<{ _id: number; attempts: number }>([
          { $match: closed },
          { $group: { _id: { $min: [9, { $floor: { $divide: ['$result.score', 10] } }] }, attempts: { $sum: 1 } } },
        ]),
        Attempt.aggregate<{ _id: string; attempts: number; correct: number; markSum: number }>([
          { $match: closed },
          { $project: { marks: { $objectToArray: '$result.fractions' } } },
          { $unwind: '$marks' },
          {
            $group: {
              _id: '$marks.k',
              attempts: { $sum: 1 },
              correct: { $sum: { $cond: [{ $gte: ['$marks.v', 0.999999] }, 1, 0] } },
              markSum: { $sum: '$marks.v' },
            },
          },
        ]),
      ]);

      const contacts = await deps.contactsOf(people.map((person) => person._id.toHexString()));
      const byBand = new Map(bands.map((band) => [band._id, band.attempts]));
      const statsById = new Map(questionStats.map((stat) => [stat._id, stat]));
      // Questions as the bank has them now; a question no longer in it still shows by id.
      const known: QuestionSnapshot[] = quiz.questions.map(({ id, prompt, type }) => ({ id, prompt, type }));
      const unknownIds = [...statsById.keys()].filter((id) => !known.some((question) => question.id === id));
      const questions = [...known, ...unknownIds.map((id) => ({ id, prompt: '', type: '' }))].map((question) => {
        const stat = statsById.get(question.id);
        return {
          ...question,
          attempts: stat?.attempts ?? 0,
          facility: stat && stat.attempts > 0 ? oneDecimal((stat.correct / stat.attempts) * 100) : 0,
          meanMark: stat && stat.attempts > 0 ? oneDecimal((stat.markSum / stat.attempts) * 100) : 0,
        };
      });

      return {
        quizId,
        attempts: bands.reduce((sum, band) => sum + band.attempts, 0),
        learners: people.length,
        passedLearners: people.filter((person) => person.passed).length,
        scoreDistribution: Array.from({ length: 10 }, (_, band) => ({ band: band === 9 ? '90-100' : `${band * 10}-${band * 10 + 9}`, attempts: byBand.get(band) ?? 0 })),
        questions,
        people: people.map((person) => {
          const contact = contacts.get(person._id.toHexString());
          return {
            userId: person._id.toHexString(),
            name: contact?.name ?? '',
            email: contact?.email ?? null,
            attempts: person.attempts,
            bestScore: person.bestScore,
            passed: person.passed,
            lastSubmittedAt: person.lastSubmittedAt ? person.lastSubmittedAt.toISOString() : null,
          };
        }),
      };
    },
  };
}

export type QuizReportService = ReturnType<typeof createQuizReportService>;
