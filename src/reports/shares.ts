/**
 * Percentages with one decimal that add up to exactly 100.0: each count's share in
 * tenths of a percent is rounded down, and the tenths still missing go to the largest
 * remainders (the largest-remainder method). Rounding each share on its own would give
 * 99.9 or 100.1 for tables that funders add up. Equal remainders go to the larger count,
 * then to the earlier one, so the same table always gets the same shares. A zero total
 * gives every share 0.
 */
export function sharesOf(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return counts.map(() => 0);
  // Integer arithmetic throughout: count × 1000 stays far below 2^53.
  const tenths = counts.map((count) => Math.floor((count * 1000) / total));
  const remainders = counts.map((count, index) => ({ index, count, remainder: (count * 1000) % total }));
  let missing = 1000 - tenths.reduce((sum, value) => sum + value, 0);
  remainders.sort((a, b) => b.remainder - a.remainder || b.count - a.count || a.index - b.index);
  for (const { index } of remainders) {
    if (missing === 0) break;
    tenths[index] = (tenths[index] ?? 0) + 1;
    missing -= 1;
  }
  return tenths.map((value) => value / 10);
}
