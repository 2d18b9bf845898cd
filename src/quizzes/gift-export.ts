import type { GradableQuestion } from './grading.js';

/**
 * Questions → GIFT, written from their parts rather than copied from their source, so
 * that a question edited in the bank exports as it now is. Parsing the export gives the
 * same questions back (test/unit/quizzes/gift-export.test.ts checks every shipped quiz).
 * The importer (courses/gift.ts) reads one question per blank-line separated block and
 * gives a question without a ::title:: an id from its text, so texts are written on
 * one line, exactly, with GIFT's special characters escaped.
 */

const escapeText = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/[\\~=#{}:]/g, (character) => `\\${character}`);

/** GIFT numbers: plain decimals (the grammar has no exponents). */
function numberText(value: number): string {
  const plain = String(value);
  return /e/i.test(plain) ? value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : plain;
}

/** Rounded to 12 significant digits: 3.1300000000000003 → 3.13. */
const tidy = (value: number): number => Number(value.toPrecision(12));

/**
 * An interval as GIFT writes it: `value`, `min..max`, or — when the ends are float noise
 * of `value:tolerance` (3.14:0.01 is stored as 3.1300000000000003..3.15) — that form,
 * provided it parses back to exactly the same ends.
 */
function intervalText(min: number, max: number): string {
  if (min === max) return numberText(min);
  if (tidy(min) !== min || tidy(max) !== max) {
    const value = tidy((min + max) / 2);
    const tolerance = tidy((max - min) / 2);
    if (value - tolerance === min && value + tolerance === max) return `${numberText(value)}:${numberText(tolerance)}`;
  }
  return `${numberText(min)}..${numberText(max)}`;
}

const feedbackText = (feedback: string | undefined): string => (feedback ? `#${escapeText(feedback)}` : '');
const weightText = (weight: number): string => `%${numberText(weight)}%`;

function answerBlock(question: GradableQuestion): string {
  switch (question.type) {
    case 'single':
      return (question.options ?? []).map((option) => `${option.weight >= 100 ? '=' : '~'}${escapeText(option.text)}${feedbackText(option.feedback)}`).join(' ');
    case 'multiple':
      return (question.options ?? []).map((option) => `~${weightText(option.weight)}${escapeText(option.text)}${feedbackText(option.feedback)}`).join(' ');
    case 'true_false': {
      const { ifTrue, ifFalse } = question.feedback ?? {};
      const feedback = ifFalse ? `#${escapeText(ifTrue ?? '')}#${escapeText(ifFalse)}` : feedbackText(ifTrue);
      return `${question.isTrue ? 'T' : 'F'}${feedback}`;
    }
    case 'short_answer':
      return (question.accepted ?? []).map((accepted) => `=${accepted.weight === 100 ? '' : weightText(accepted.weight)}${escapeText(accepted.text)}${feedbackText(accepted.feedback)}`).join(' ');
    case 'numeric': {
      const intervals = (question.numeric ?? []).map((interval) => ({
        ...interval,
        text: intervalText(interval.min, interval.max),
      }));
      const [only] = intervals;
      if (intervals.length === 1 && only && only.weight === 100 && !only.feedback) return `#${only.text}`;
      return `#${intervals.map((interval) => `=${weightText(interval.weight)}${interval.text}${feedbackText(interval.feedback)}`).join(' ')}`;
    }
    case 'matching':
      return (question.pairs ?? []).map((pair) => `=${escapeText(pair.left)} -> ${escapeText(pair.right)}`).join(' ');
  }
}

export function questionToGift(question: GradableQuestion): string {
  const title = question.title ? `::${escapeText(question.title)}:: ` : '';
  const general = question.feedback?.general ? ` ####${escapeText(question.feedback.general)}` : '';
  return `${title}${escapeText(question.prompt)} {${answerBlock(question)}${general}}`;
}

/** A GIFT file: one question per paragraph. */
export function exportGift(questions: readonly GradableQuestion[]): string {
  return questions.map(questionToGift).join('\n\n') + (questions.length > 0 ? '\n' : '');
}
