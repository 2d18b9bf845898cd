import { expect } from 'chai';
import { answersFromForm, fieldValuesOf, parseDecimal } from '../../../src/quizzes/quiz-form.js';
import type { AskedQuestionView } from '../../../src/quizzes/question-views.js';

const QUESTIONS: AskedQuestionView[] = [
  { id: 'unica', type: 'single', prompt: '¿?', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }] },
  { id: 'varias', type: 'multiple', prompt: '¿?', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }] },
  { id: 'vf', type: 'true_false', prompt: '¿?' },
  { id: 'corta', type: 'short_answer', prompt: '¿?' },
  { id: 'numero', type: 'numeric', prompt: '¿?' },
  { id: 'parejas', type: 'matching', prompt: '¿?', left: [{ id: 'l1', text: '05' }, { id: 'l2', text: '11' }], right: [{ id: 'r-1', text: 'Antioquia' }, { id: 'r-2', text: 'Bogotá' }] },
];

describe('quiz form ↔ answer shapes', () => {
  it('reads numbers with a decimal point or comma, and nothing else', () => {
    expect(parseDecimal('32')).to.equal(32);
    expect(parseDecimal(' 3,5 ')).to.equal(3.5);
    expect(parseDecimal('-2.25')).to.equal(-2.25);
    expect(parseDecimal('1e3')).to.equal(1000);
    expect(parseDecimal(',5')).to.equal(0.5);
    for (const text of ['', '  ', 'abc', '3,5,1', '1.000,5', '3 4x', 'Infinity', 'NaN', '0x10']) expect(parseDecimal(text), text).to.equal(undefined);
  });

  it('turns every field into its question’s shape', () => {
    const { answers, invalidNumbers } = answersFromForm(QUESTIONS, {
      'q.unica': 'b',
      'q.varias': ['a', 'c', 'a'],
      'q.vf': 'false',
      'q.corta': '  el DANE ',
      'q.numero': '3,5',
      'q.parejas.l1': 'r-2',
      'q.parejas.l2': '',
      _csrf: 'x',
    });
    expect(answers).to.deep.equal({ unica: 'b', varias: ['a', 'c'], vf: false, corta: 'el DANE', numero: 3.5, parejas: { l1: 'r-2' } });
    expect(invalidNumbers).to.deep.equal([]);
  });

  it('gives null (clear) for empty fields, and ignores what the question does not offer', () => {
    const { answers } = answersFromForm(QUESTIONS, { 'q.unica': 'z', 'q.varias': 'zz', 'q.vf': 'maybe', 'q.corta': '   ', 'q.parejas.l1': 'r-9', 'q.otra': 'a' });
    expect(answers).to.deep.equal({ unica: null, varias: null, vf: null, corta: null, numero: null, parejas: null });
    expect(answersFromForm(QUESTIONS, undefined).answers.vf).to.equal(null);
    expect(answersFromForm(QUESTIONS, { 'q.varias': 'b', 'q.vf': 'true' }).answers).to.include({ vf: true }).and.to.deep.include({ varias: ['b'] });
  });

  it('reports a number that is not one, and does not take it', () => {
    const { answers, invalidNumbers } = answersFromForm(QUESTIONS, { 'q.numero': 'treinta' });
    expect(answers.numero).to.equal(null);
    expect(invalidNumbers).to.deep.equal(['numero']);
  });

  it('shows saved answers back as field values', () => {
    expect(fieldValuesOf(QUESTIONS[0]!, 'a')).to.deep.equal({ 'q.unica': ['a'] });
    expect(fieldValuesOf(QUESTIONS[1]!, ['a', 'c'])).to.deep.equal({ 'q.varias': ['a', 'c'] });
    expect(fieldValuesOf(QUESTIONS[2]!, false)).to.deep.equal({ 'q.vf': ['false'] });
    expect(fieldValuesOf(QUESTIONS[4]!, 3.5)).to.deep.equal({ 'q.numero': ['3.5'] });
    expect(fieldValuesOf(QUESTIONS[5]!, { l1: 'r-2' })).to.deep.equal({ 'q.parejas.l1': ['r-2'] });
    expect(fieldValuesOf(QUESTIONS[0]!, undefined)).to.deep.equal({});
  });
});
