import { expect } from 'chai';
import { parseGift } from '../../../src/courses/gift.js';
import { gradeAttempt, gradeQuestion, normalizeShortAnswer } from '../../../src/quizzes/grading.js';

const questions = parseGift(`::single:: ¿Quién produce la DIVIPOLA? {=El DANE ~El ICBF ~La Registraduría}

::multiple:: Mecanismos de participación {~%50%El cabildo abierto ~%50%La consulta popular ~%-100%El decreto ~%0%La circular}

::tf:: La DIVIPOLA asigna códigos a los municipios. {T}

::short:: ¿Capital de Colombia? {=Bogotá =Bogotá D.C. =%50%Santafé}

::numeric:: ¿Cuántos departamentos? {#32:1}

::numrange:: Un número entre 10 y 20 {#10..20}

::numweights:: Año de la ley {#=2015:0 =%50%2014:1}

::matching:: Empareje {=05 -> Antioquia =11 -> Bogotá D.C. =76 -> Valle del Cauca =27 -> Chocó}
`);
const q = (id: string) => questions.find((question) => question.id === id)!;

describe('grading', () => {
  describe('single choice', () => {
    it('gives the whole mark for the right option and nothing for a wrong or missing one', () => {
      expect(gradeQuestion(q('single'), 'a')).to.equal(1);
      expect(gradeQuestion(q('single'), 'b')).to.equal(0);
      expect(gradeQuestion(q('single'), 'z')).to.equal(0);
      expect(gradeQuestion(q('single'), undefined)).to.equal(0);
      expect(gradeQuestion(q('single'), ['a'])).to.equal(0);
    });
  });

  describe('multiple response', () => {
    it('adds GIFT weights for partial credit', () => {
      expect(gradeQuestion(q('multiple'), ['a', 'b'])).to.equal(1);
      expect(gradeQuestion(q('multiple'), ['a'])).to.equal(0.5);
      expect(gradeQuestion(q('multiple'), ['a', 'd'])).to.equal(0.5);
    });
    it('floors negative totals at zero for the question', () => {
      expect(gradeQuestion(q('multiple'), ['c'])).to.equal(0);
      expect(gradeQuestion(q('multiple'), ['a', 'c'])).to.equal(0);
      expect(gradeQuestion(q('multiple'), ['a', 'b', 'c'])).to.equal(0);
    });
    it('counts an option chosen twice once', () => {
      expect(gradeQuestion(q('multiple'), ['a', 'a'])).to.equal(0.5);
    });
  });

  describe('true/false', () => {
    it('is all or nothing, and only booleans count', () => {
      expect(gradeQuestion(q('tf'), true)).to.equal(1);
      expect(gradeQuestion(q('tf'), false)).to.equal(0);
      expect(gradeQuestion(q('tf'), 'true')).to.equal(0);
    });
  });

  describe('short answer', () => {
    it('ignores case, accents and surrounding or repeated spaces', () => {
      expect(normalizeShortAnswer('  Bogotá   D.C. ')).to.equal('bogota d.c.');
      expect(gradeQuestion(q('short'), 'bogota')).to.equal(1);
      expect(gradeQuestion(q('short'), '  BOGOTÁ  d.c.  ')).to.equal(1);
      expect(gradeQuestion(q('short'), 'Medellín')).to.equal(0);
      expect(gradeQuestion(q('short'), '')).to.equal(0);
    });
    it('gives an answer accepted at a lower weight that weight', () => {
      expect(gradeQuestion(q('short'), 'santafe')).to.equal(0.5);
    });
  });

  describe('numeric', () => {
    it('accepts the value within its tolerance, and ranges as written', () => {
      expect(gradeQuestion(q('numeric'), 32)).to.equal(1);
      expect(gradeQuestion(q('numeric'), 31)).to.equal(1);
      expect(gradeQuestion(q('numeric'), 33.5)).to.equal(0);
      expect(gradeQuestion(q('numrange'), 10)).to.equal(1);
      expect(gradeQuestion(q('numrange'), 20)).to.equal(1);
      expect(gradeQuestion(q('numrange'), 20.01)).to.equal(0);
      expect(gradeQuestion(q('numeric'), '32' as unknown as number)).to.equal(0);
      expect(gradeQuestion(q('numeric'), Number.NaN)).to.equal(0);
    });
    it('gives the best weight among several accepted intervals', () => {
      expect(gradeQuestion(q('numweights'), 2015)).to.equal(1);
      expect(gradeQuestion(q('numweights'), 2013)).to.equal(0.5);
      expect(gradeQuestion(q('numweights'), 2010)).to.equal(0);
    });
  });

  describe('matching', () => {
    it('gives the share of pairs matched right', () => {
      const pairs = Object.fromEntries(q('matching').pairs!.map((pair) => [pair.leftId, pair.rightId]));
      expect(gradeQuestion(q('matching'), pairs)).to.equal(1);
      expect(gradeQuestion(q('matching'), { ...pairs, l1: 'r2', l2: 'r1' })).to.equal(0.5);
      expect(gradeQuestion(q('matching'), {})).to.equal(0);
      expect(gradeQuestion(q('matching'), ['r1'])).to.equal(0);
    });
  });

  describe('an attempt', () => {
    it('is scored as the mean, in percent with one decimal, counting whole marks as correct', () => {
      const grade = gradeAttempt([q('single'), q('multiple'), q('tf')], { single: 'a', multiple: ['a'], tf: false });
      expect(grade).to.deep.include({ score: 50, correctCount: 1, questionCount: 3 });
      const thirds = gradeAttempt([q('single'), q('tf'), q('numeric')], { single: 'a' });
      expect(thirds.score).to.equal(33.3);
    });
    it('scores an empty attempt 0 and ignores answers to questions it did not ask', () => {
      expect(gradeAttempt([q('single')], { other: 'x' })).to.deep.include({ score: 0, correctCount: 0, questionCount: 1 });
    });
  });
});
