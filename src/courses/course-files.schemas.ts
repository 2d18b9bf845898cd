import { z } from 'zod';

/** The files under courses/ (courses/FORMAT.md), validated before anything is stored. */

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const slug = z.string().regex(SLUG, 'must be lower-case letters, digits and hyphens');

export const quizSettingsSchema = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  passingScore: z.number().min(0).max(100).optional(),
  attemptsAllowed: z.number().int().min(1).max(100).optional(),
  timeLimitMinutes: z.number().positive().max(600).optional(),
  shuffleQuestions: z.boolean().default(false),
  shuffleOptions: z.boolean().default(false),
  drawCount: z.number().int().min(1).optional(),
  review: z.enum(['show_score_only', 'show_correct_answers']).default('show_correct_answers'),
});
export type QuizSettings = z.infer<typeof quizSettingsSchema>;

export const courseFileSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  summary: z.string().trim().min(1).max(2000),
  hours: z.number().positive().max(2000),
  language: z.enum(['es', 'en']),
  modules: z
    .array(
      z.strictObject({
        slug,
        title: z.string().trim().min(1).max(200),
        quiz: quizSettingsSchema.optional(),
      }),
    )
    .min(1),
  completion: z
    .strictObject({
      passingScore: z.number().min(0).max(100).default(70),
      minLiveSessionsAttended: z.number().int().min(0).default(0),
    })
    .default({ passingScore: 70, minLiveSessionsAttended: 0 }),
  enrollment: z.enum(['open', 'cohort_only']).default('open'),
  certificate: z
    .strictObject({
      enabled: z.boolean(),
      signatories: z
        .array(
          z.strictObject({
            name: z.string().trim().min(1).max(120),
            role: z.string().trim().min(1).max(200),
            signature: z.string().regex(/^images\/[\w.-]+\.(png|jpg|jpeg)$/).optional(),
          }),
        )
        .max(4)
        .default([]),
    })
    .default({ enabled: false, signatories: [] }),
});
export type CourseFile = z.infer<typeof courseFileSchema>;

export const lessonFrontMatterSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  minutes: z.number().int().min(1).max(600),
});
