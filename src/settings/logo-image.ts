import { crc32 } from 'node:zlib';

/**
 * What an uploaded logo really is, read from its bytes: browsers name a file's type
 * from its extension (or not at all, on some phones), so that claim is ignored. The
 * image is not decoded; its structure is walked far enough to know the format, the
 * size it claims, and that it is whole — pdfkit throws on a truncated PNG, and a broken
 * logo would stop every certificate from rendering.
 */

export const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

export interface LogoFacts {
  contentType: LogoType;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Every chunk whole with a correct CRC, IHDR first, image data, and IEND last. */
function isWholePng(data: Buffer): boolean {
  let offset = PNG_SIGNATURE.length;
  let hasImageData = false;
  while (offset + 12 <= data.length) {
    const length = data.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > data.length) return false;
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (offset === PNG_SIGNATURE.length && type !== 'IHDR') return false;
    if (crc32(data.subarray(offset + 4, offset + 8 + length)) !== data.readUInt32BE(offset + 8 + length)) return false;
    if (type === 'IDAT') hasImageData = true;
    if (type === 'IEND') return hasImageData;
    offset = end;
  }
  return false;
}

function pngFacts(data: Buffer): LogoFacts | undefined {
  if (data.length < 33 || !data.subarray(0, 8).equals(PNG_SIGNATURE) || !isWholePng(data)) return undefined;
  return { contentType: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Start-of-frame markers, which carry the dimensions: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

const JPEG_END = Buffer.from([0xff, 0xd9]);

function jpegFacts(data: Buffer): LogoFacts | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) return undefined;
  let offset = 2;
  // Walk the segments up to the frame header; each says its own length.
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or scan data before any frame
    const length = data.readUInt16BE(offset + 2);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (offset + 9 > data.length) return undefined;
      // pdfkit copies a JPEG into the PDF as it is; a file cut short (no end-of-image after the frame) prints broken.
      if (data.lastIndexOf(JPEG_END, -2) < offset) return undefined;
      return { contentType: 'image/jpeg', height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

/** The format and pixel size of a PNG or JPEG file; undefined for anything else. */
export function inspectLogo(data: Buffer): LogoFacts | undefined {
  return pngFacts(data) ?? jpegFacts(data);
}
