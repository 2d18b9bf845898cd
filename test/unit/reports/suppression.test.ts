import { expect } from 'chai';
import fc from 'fast-check';
import { cellsToSuppress, publishedLines, type CellKey } from '../../../src/reports/suppression.js';

const hiddenOf = (keys: CellKey[], counts: number[], k: number): number[] =>
  cellsToSuppress(keys, counts, k).flatMap((isHidden, index) => (isHidden ? [counts[index] ?? -1] : []));

describe('small-cell suppression', () => {
  const bySex: CellKey[] = [['female'], ['male'], ['intersex'], ['undisclosed']];

  it('hides nothing when k is 1 or no count is below it', () => {
    expect(cellsToSuppress(bySex, [30, 3, 0, 2], 1)).to.deep.equal([false, false, false, false]);
    expect(cellsToSuppress(bySex, [30, 12, 0, 7], 5)).to.deep.equal([false, false, false, false]);
  });

  it('hides counts from 1 to k−1 and leaves zeros', () => {
    expect(cellsToSuppress(bySex, [30, 3, 0, 2], 5)).to.deep.equal([false, true, false, true]);
  });

  it('hides the next smallest cell when one hidden cell could be worked out from the total', () => {
    // 3 alone: total − 30 − 12 = 3. The next smallest non-zero (12) goes too; zeros stay.
    expect(cellsToSuppress(bySex, [30, 3, 0, 12], 5)).to.deep.equal([false, true, false, true]);
  });

  it('leaves alone a line whose other cells are all zero: its sum is the count, and totals stay (README)', () => {
    expect(cellsToSuppress(bySex, [0, 3, 0, 0], 5)).to.deep.equal([false, true, false, false]);
  });

  it('protects every row and column subtotal of a two-way table, repeating until none has one hidden cell', () => {
    // Department × sex (female, male):
    //            F    M
    //   05      40    2   ← 2 hidden; row 05 would give it away → 40 hidden too
    //   11      30   20   ← column F then has 40 hidden alone → next smallest in F (30) hidden;
    //   52      50   25      row 11 then has 30 hidden alone → 20 hidden; column M now has 2 and 20: fine.
    const keys: CellKey[] = [['05', 'female'], ['05', 'male'], ['11', 'female'], ['11', 'male'], ['52', 'female'], ['52', 'male']];
    expect(cellsToSuppress(keys, [40, 2, 30, 20, 50, 25], 5)).to.deep.equal([true, true, true, true, false, false]);
  });

  it('lists as published lines the total and every subtotal along each dimension', () => {
    const keys: CellKey[] = [['05', 'female'], ['05', 'male'], ['11', 'female']];
    const lines = publishedLines(keys).map((line) => line.join(','));
    expect(lines).to.have.members(['0,1,2', '0,1', '2', '0,2', '1']);
  });

  it('never leaves a published line of a random three-way table with exactly one hidden non-zero cell it could have protected', () => {
    const values = ['a', 'b', 'c'];
    const table = fc.array(fc.tuple(fc.constantFrom(...values), fc.constantFrom(...values), fc.constantFrom(...values), fc.nat({ max: 12 })), { minLength: 1, maxLength: 27 });
    fc.assert(
      fc.property(table, fc.integer({ min: 2, max: 6 }), (cells, k) => {
        const unique = new Map(cells.map(([a, b, c, count]) => [`${a}${b}${c}`, { key: [a, b, c] as CellKey, count }]));
        const keys = [...unique.values()].map((cell) => cell.key);
        const counts = [...unique.values()].map((cell) => cell.count);
        const isHidden = cellsToSuppress(keys, counts, k);
        const isPrimaryKept = counts.every((count, index) => !(count > 0 && count < k) || isHidden[index]);
        const areZerosShown = counts.every((count, index) => count !== 0 || !isHidden[index]);
        const isEveryLineSafe = publishedLines(keys).every((line) => {
          const hidden = line.filter((index) => isHidden[index]);
          const shownNonZero = line.filter((index) => !isHidden[index] && (counts[index] ?? 0) > 0);
          return hidden.length !== 1 || shownNonZero.length === 0;
        });
        return isPrimaryKept && areZerosShown && isEveryLineSafe;
      }),
    );
  });

  it('is what the hidden values are, not their order, that decides (the same table in another order hides the same cells)', () => {
    expect(hiddenOf([['x'], ['y'], ['z']], [9, 1, 7], 5).sort()).to.deep.equal([1, 7]);
    expect(hiddenOf([['z'], ['x'], ['y']], [7, 9, 1], 5).sort()).to.deep.equal([1, 7]);
  });
});
