import { expect } from 'chai';
import { parseGift } from '../../../src/courses/gift.js';
import { answerProblems } from '../../../src/quizzes/answer-check.js';
import { drawQuestions } from '../../../src/quizzes/attempt-draw.js';
import { gradeAttempt } from '../../../src/quizzes/grading.js';
import { askedQuestionView, correctAnswerOf, questionWithAnswer } from '../../../src/quizzes/question-views.js';
import { SAMPLE_QUIZ } from '../../helpers/course-fixture.js';

const bank = parseGift(`${SAMPLE_QUIZ}
::rangos:: Año de la ley {#=%50%2014..2016 =%100%2015:0.5 =%100%1990}

::parcial:: Capital {=%50%Santafé =Bogotá =%0%Otra}
`);
const byId = (id: string) => bank.find((question) => question.id === id)!;
const asked = drawQuestions(bank, { shuffleQuestions: false, shuffleOptions: false });

describe('what a question shows', () => {
  it('to a learner: id, type, prompt and option texts, nothing more', () => {
    const views = asked.map(askedQuestionView);
    expect(views[0]).to.deep.equal({ id: 'unica', type: 'single', prompt: '¿Qué entidad produce la DIVIPOLA?', options: [{ id: 'a', text: 'El DANE' }, { id: 'b', text: 'El ICBF' }, { id: 'c', text: 'La Registraduría' }] });
    expect(views[2]).to.deep.equal({ id: 'vf', type: 'true_false', prompt: 'La DIVIPOLA asigna un código a cada municipio.' });
    const matching = views.find((view) => view.type === 'matching')!;
    expect(Object.keys(matching).sort()).to.deep.equal(['id', 'left', 'prompt', 'right', 'type']);
    expect(matching.left).to.deep.equal([{ id: 'l1', text: '05' }, { id: 'l2', text: '11' }, { id: 'l3', text: '76' }]);
    for (const view of views) for (const item of [...(view.options ?? []), ...(view.left ?? []), ...(view.right ?? [])]) expect(Object.keys(item)).to.deep.equal(['id', 'text']);
  });

  it('to the course team: the same, plus the answer in the ids of the attempt view', () => {
    expect(questionWithAnswer(byId('unica')).answer).to.equal('a');
    expect(correctAnswerOf(byId('varias'))).to.deep.equal(['a', 'b']);
    expect(correctAnswerOf(byId('vf'))).to.equal(true);
    expect(correctAnswerOf(byId('corta'))).to.deep.equal(['DANE', 'el DANE']);
    expect(correctAnswerOf(byId('numero'))).to.deep.equal({ value: 32, tolerance: 0 });
    expect(correctAnswerOf(byId('parejas'))).to.deep.equal(Object.fromEntries(byId('parejas').pairs!.map((pair) => [pair.leftId, pair.rightId])));
  });

  it('numeric: the first interval with the best weight, as its middle ± half its width', () => {
    expect(correctAnswerOf(byId('rangos'))).to.deep.equal({ value: 2015, tolerance: 0.5 });
  });

  it('short answer: only the accepted texts that earn marks', () => {
    expect(correctAnswerOf(byId('parcial'))).to.deep.equal(['Santafé', 'Bogotá']);
  });

  it('the answer key, given back as answers, earns every mark', () => {
    const answers = Object.fromEntries(
      bank.map((question) => {
        const answer = correctAnswerOf(question);
        if (question.type === 'short_answer') return [question.id, (answer as string[]).at(-1)!];
        if (question.type === 'numeric') return [question.id, (answer as { value: number }).value];
        return [question.id, answer as string];
      }),
    );
    expect(gradeAttempt(bank, answers).score).to.equal(100);
  });
});

describe('whether answers fit their questions', () => {
  it('accepts each type\'s shape, and null to clear', () => {
    const rights = byId('parejas').pairs!.map((pair) => pair.rightId);
    expect(answerProblems(asked, { unica: 'b', varias: ['a', 'c'], vf: false, corta: 'algo', numero: 3.5, parejas: { l1: rights[2]!, l3: rights[0]! }, rangos: null })).to.deep.equal({});
  });

  it('names each answer that does not fit, and questions the attempt did not ask', () => {
    expect(answerProblems(asked, { unica: 'z', varias: 'a', vf: 1 as unknown as boolean, corta: ['x'], numero: '3', parejas: { l9: 'r-x' }, otra: 'a' })).to.deep.equal({
      'answers.unica': 'validation.invalidAnswer',
      'answers.varias': 'validation.invalidAnswer',
      'answers.vf': 'validation.invalidAnswer',
      'answers.corta': 'validation.invalidAnswer',
      'answers.numero': 'validation.invalidAnswer',
      'answers.parejas': 'validation.invalidAnswer',
      'answers.otra': 'validation.unknownQuestion',
    });
  });
});
