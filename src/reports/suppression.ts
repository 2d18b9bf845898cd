/**
 * Small-cell suppression for tables shared outside the institution (README.md,
 * "Suppression"). Pure: counts in, which cells to hide out.
 *
 * A table is a list of cells, each with its key (one value per dimension) and a count.
 * Primary suppression hides every count from 1 to k−1 (zeros stay). Complementary
 * suppression then looks at every sum a reader can see or ask for — the overall total
 * and, with two or more dimensions, the subtotal of every line along each dimension
 * (all cells sharing the values of some of the dimensions) — and where such a line has
 * exactly one hidden cell, which the line's sum would give away, it hides the line's
 * smallest non-zero visible cell too, repeating until no line has exactly one.
 */

export type CellKey = ReadonlyArray<string | null>;

/** Every proper subset of the dimensions (by position): the values held fixed along a published line. */
function fixedDimensionSets(dimensionCount: number): number[][] {
  const sets: number[][] = [];
  for (let mask = 0; mask < 2 ** dimensionCount - 1; mask += 1) {
    sets.push([...Array(dimensionCount).keys()].filter((position) => (mask & (2 ** position)) !== 0));
  }
  return sets;
}

/** The published lines: groups of cell indexes whose sum is shown (or could be asked for) somewhere. */
export function publishedLines(keys: readonly CellKey[]): number[][] {
  const dimensionCount = keys[0]?.length ?? 0;
  const lines: number[][] = [];
  for (const fixed of fixedDimensionSets(dimensionCount)) {
    const byValues = new Map<string, number[]>();
    keys.forEach((key, index) => {
      const values = JSON.stringify(fixed.map((position) => key[position] ?? null));
      const line = byValues.get(values);
      if (line) line.push(index);
      else byValues.set(values, [index]);
    });
    lines.push(...byValues.values());
  }
  return lines;
}

/** Which cells to hide, by position: primary (0 < count < k), then complementary. k ≤ 1 hides nothing. */
export function cellsToSuppress(keys: readonly CellKey[], counts: readonly number[], k: number): boolean[] {
  const isHidden = counts.map((count) => count > 0 && count < k);
  if (!isHidden.some(Boolean)) return isHidden;
  const lines = publishedLines(keys);
  for (let isChanged = true; isChanged; ) {
    isChanged = false;
    for (const line of lines) {
      if (line.filter((index) => isHidden[index]).length !== 1) continue;
      let complement: number | undefined;
      for (const index of line) {
        const count = counts[index] ?? 0;
        if (isHidden[index] || count === 0) continue;
        if (complement === undefined || count < (counts[complement] ?? 0)) complement = index;
      }
      // A line whose other cells are all zero cannot be protected by its cells: its sum is the hidden count (README).
      if (complement === undefined) continue;
      isHidden[complement] = true;
      isChanged = true;
    }
  }
  return isHidden;
}
