import { Binary, Decimal128, Long, MaxKey, MinKey, ObjectId, Timestamp, BSONRegExp, Int32, Double } from 'bson';

/**
 * Order-preserving string encoding of BSON values.
 *
 * Index entries and the `_id` map are keyed by these strings, so that plain string
 * comparison gives MongoDB's order (type brackets first: MinKey < null < numbers <
 * strings < objects < arrays < binData < ObjectId < boolean < date < timestamp < regex
 * < MaxKey) and equal values (5, 5.0, NumberLong(5)) get equal keys. Every encoding is
 * self-delimiting, so a compound key is the concatenation of its parts and a prefix of
 * whole parts selects a contiguous range.
 */

export const TypeTag = {
  minKey: 'A',
  null: 'B',
  number: 'C',
  string: 'D',
  object: 'E',
  array: 'F',
  binary: 'G',
  objectId: 'H',
  boolean: 'I',
  date: 'J',
  timestamp: 'K',
  regex: 'L',
  maxKey: 'M',
} as const;

const TERMINATOR = '\u0000';
const FIELD_MARK = '\u0001';

const scratch = new DataView(new ArrayBuffer(8));

/** A double as 16 hex digits whose string order is the numeric order (NaN lowest). */
function sortableDouble(value: number): string {
  if (Number.isNaN(value)) return '0000000000000000';
  scratch.setFloat64(0, value === 0 ? 0 : value);
  let hi = scratch.getUint32(0);
  let lo = scratch.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Escapes the two lowest code units so that the terminator sorts below any content. */
function escapeString(value: string): string {
  if (value.indexOf('\u0000') === -1 && value.indexOf('\u0001') === -1) return value;
  return value.replace(/[\u0000\u0001]/g, (c) => (c === '\u0000' ? '\u0001\u0001' : '\u0001\u0002'));
}

export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Decimal128) return Number.parseFloat(value.toString());
  return undefined;
}

export function encodeKey(value: unknown): string {
  if (value === undefined || value === null) return TypeTag.null;
  switch (typeof value) {
    case 'number':
      return TypeTag.number + sortableDouble(value);
    case 'string':
      return TypeTag.string + escapeString(value) + TERMINATOR;
    case 'boolean':
      return TypeTag.boolean + (value ? '1' : '0');
    case 'bigint':
      return TypeTag.number + sortableDouble(Number(value));
    default:
      break;
  }
  if (value instanceof Date) return TypeTag.date + sortableDouble(value.getTime());
  if (value instanceof ObjectId) return TypeTag.objectId + value.toHexString();
  if (Array.isArray(value)) {
    let out: string = TypeTag.array;
    for (const item of value) out += FIELD_MARK + encodeKey(item);
    return out + TERMINATOR;
  }
  const numeric = numericValue(value);
  if (numeric !== undefined) return TypeTag.number + sortableDouble(numeric);
  if (value instanceof RegExp) {
    return TypeTag.regex + escapeString(value.source) + TERMINATOR + value.flags + TERMINATOR;
  }
  if (value instanceof BSONRegExp) {
    return TypeTag.regex + escapeString(value.pattern) + TERMINATOR + value.options + TERMINATOR;
  }
  if (value instanceof Binary) {
    const bytes = value.buffer.subarray(0, value.position);
    return (
      TypeTag.binary +
      bytes.length.toString(16).padStart(8, '0') +
      value.sub_type.toString(16).padStart(2, '0') +
      Buffer.from(bytes).toString('hex')
    );
  }
  if (value instanceof Timestamp) {
    return TypeTag.timestamp + value.high.toString(16).padStart(8, '0') + value.low.toString(16).padStart(8, '0');
  }
  if (value instanceof MinKey) return TypeTag.minKey;
  if (value instanceof MaxKey) return TypeTag.maxKey;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return encodeKey(new Binary(value));
  }
  let out: string = TypeTag.object;
  for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
    if (fieldValue === undefined) continue;
    out += FIELD_MARK + escapeString(field) + TERMINATOR + encodeKey(fieldValue);
  }
  return out + TERMINATOR;
}

/**
 * The smallest string greater than every string that starts with `prefix`: the
 * exclusive upper bound of a prefix scan. Encodings never end in U+FFFF.
 */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** The type bracket of a value, used to bound range scans the way MongoDB compares. */
export function typeTagOf(value: unknown): string {
  return encodeKey(value).charAt(0);
}
