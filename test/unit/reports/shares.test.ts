import { expect } from 'chai';
import fc from 'fast-check';
import { sharesOf } from '../../../src/reports/shares.js';

const sumOf = (values: number[]): number => Math.round(values.reduce((sum, value) => sum + value * 10, 0));

describe('shares: one decimal, adding up to exactly 100.0', () => {
  it('gives the programme report its figures: 186 of 218 is 85.3 %, 32 is 14.7 %', () => {
    expect(sharesOf([186, 32])).to.deep.equal([85.3, 14.7]);
  });

  it('gives the missing tenth to the largest remainder, where rounding each would give 99.9', () => {
    // 1/3 each: 33.333… rounds to 33.3 three times (99.9); the first of the tied remainders gets the tenth.
    expect(sharesOf([1, 1, 1])).to.deep.equal([33.4, 33.3, 33.3]);
    // 2/3 = 66.666…, 1/3 = 33.333…: rounding each gives 66.7 + 33.3 = 100.0; the method agrees.
    expect(sharesOf([2, 1])).to.deep.equal([66.7, 33.3]);
  });

  it('takes away nothing where rounding each would give 100.1: 1/6, 1/6, 4/6 of a total that rounds up twice', () => {
    // 16.666… ×2 and 66.666…: rounding each gives 16.7 + 16.7 + 66.7 = 100.1.
    expect(sharesOf([1, 1, 4])).to.deep.equal([16.7, 16.6, 66.7]);
  });

  it('gives zeros 0 and a zero total all zeros', () => {
    expect(sharesOf([5, 0, 5])).to.deep.equal([50, 0, 50]);
    expect(sharesOf([0, 0])).to.deep.equal([0, 0]);
    expect(sharesOf([])).to.deep.equal([]);
  });

  it('always adds up to 1000 tenths, and no share is more than a tenth away from the exact one', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 40 }), (counts) => {
        const total = counts.reduce((sum, count) => sum + count, 0);
        const shares = sharesOf(counts);
        if (total === 0) return shares.every((share) => share === 0);
        return sumOf(shares) === 1000 && shares.every((share, index) => Math.abs(share - ((counts[index] ?? 0) * 100) / total) < 0.1 + 1e-9);
      }),
    );
  });
});
