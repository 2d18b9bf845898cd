/**
 * Quizzes: attempts at module quizzes (draw, autosave, server-side grading, time limit)
 * and each course's question bank (GIFT import and export). See README.md.
 */
export { createQuizzesService, DEADLINE_GRACE_MS, type QuizzesService, type QuizzesDependencies, type QuizView, type AttemptReview, type ReviewedQuestion } from './quizzes.service.js';
export type { AttemptResult, AttemptStart, AttemptSummary } from './attempt-views.js';
export { quizzesApiRouter } from './quizzes.api.js';
export { createQuestionBankService, type QuestionBankService, type GiftImportReport, type BankQuestion, type QuestionReplacement } from './question-bank.service.js';
export { questionBankApiRouter } from './question-bank.api.js';
export { exportGift } from './gift-export.js';
export { gradeAttempt, gradeQuestion, type Answer, type AttemptGrade } from './grading.js';
export { createQuizReportService, type QuizReportService, type QuizReport } from './quiz-report.service.js';
export { quizReportApiRouter } from './quiz-report.api.js';
export { quizPagesRouter, type QuizPagesDependencies } from './quizzes.web.js';
export { questionBankPagesRouter, type QuestionBankPagesDependencies } from './question-bank.web.js';
export { quizReportPagesRouter, type QuizReportPagesDependencies } from './quiz-report.web.js';
