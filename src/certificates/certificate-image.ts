import { createHash } from 'node:crypto';
import { crc32, deflateSync, inflateSync } from 'node:zlib';

/**
 * Logos and signatures as the certificate renderer hands them to pdfkit.
 *
 * pdfkit copies an opaque PNG's compressed pixels straight into the PDF, but a PNG with
 * transparency (an alpha channel, or a palette with transparent entries) it must
 * decompress, split into colour and mask and compress again, for every document: with a
 * logo and two scanned signatures that was two thirds of the rendering time. The
 * certificate prints them on white, so laying them onto white once gives the same page,
 * and every later document gets the opaque copy from memory. JPEGs, opaque PNGs and the
 * rare forms (16-bit, interlaced, packed palettes, one transparent colour key, which
 * pdfkit masks without decoding) go through untouched.
 */
const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
const COLOUR_TYPE = { palette: 3, greyAlpha: 4, rgba: 6 } as const;
/** Bytes per pixel of the forms flattened here, all at 8 bits a sample. */
const BYTES_PER_PIXEL: Record<number, number> = { [COLOUR_TYPE.palette]: 1, [COLOUR_TYPE.greyAlpha]: 2, [COLOUR_TYPE.rgba]: 4 };

/** By SHA-1 of the image, so a logo read afresh for every certificate is flattened once. */
const flattened = new Map<string, Buffer>();
const CACHED_IMAGES = 64;

export function printableImage(image: Buffer): Buffer {
  const key = createHash('sha1').update(image).digest('base64');
  let printable = flattened.get(key);
  if (!printable) {
    printable = flattenOntoWhite(image);
    if (flattened.size >= CACHED_IMAGES) flattened.delete(flattened.keys().next().value!);
    flattened.set(key, printable);
  }
  return printable;
}

interface PngChunks {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
  palette: Buffer | undefined;
  transparency: Buffer | undefined;
  compressed: Buffer;
}

/** The image as an opaque 8-bit RGB PNG over white, or itself when pdfkit embeds it without decoding. */
export function flattenOntoWhite(image: Buffer): Buffer {
  if (!image.subarray(0, 8).equals(PNG_SIGNATURE)) return image;
  const png = readChunks(image);
  const hasTransparency = png.colourType === COLOUR_TYPE.greyAlpha || png.colourType === COLOUR_TYPE.rgba || (png.colourType === COLOUR_TYPE.palette && png.transparency !== undefined);
  if (!hasTransparency || png.bitDepth !== 8 || png.interlaced) return image;
  const pixels = unfilter(inflateSync(png.compressed), png.width, png.height, BYTES_PER_PIXEL[png.colourType]!);
  return writeRgbPng(png.width, png.height, composite(png, pixels));
}

function readChunks(image: Buffer): PngChunks {
  const idat: Buffer[] = [];
  let header: Buffer | undefined;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  for (let position = PNG_SIGNATURE.length; position + 8 <= image.length; ) {
    const length = image.readUInt32BE(position);
    const type = image.toString('latin1', position + 4, position + 8);
    const data = image.subarray(position + 8, position + 8 + length);
    position += 12 + length;
    if (type === 'IHDR') header = data;
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
  }
  if (!header || header.length < 13) throw new Error('PNG image without a header');
  return {
    width: header.readUInt32BE(0),
    height: header.readUInt32BE(4),
    bitDepth: header[8]!,
    colourType: header[9]!,
    interlaced: header[12] === 1,
    palette,
    transparency,
    compressed: Buffer.concat(idat),
  };
}

/** Undoes PNG's per-row filters (PNG spec §9), giving the raw samples row after row. */
function unfilter(filtered: Buffer, width: number, height: number, bytesPerPixel: number): Buffer {
  const stride = width * bytesPerPixel;
  if (filtered.length < height * (stride + 1)) throw new Error('PNG image data is truncated');
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = filtered[y * (stride + 1)];
    const source = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= bytesPerPixel ? pixels[row + x - bytesPerPixel]! : 0;
      const up = y > 0 ? pixels[row - stride + x]! : 0;
      const upLeft = x >= bytesPerPixel && y > 0 ? pixels[row - stride + x - bytesPerPixel]! : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) predicted = paeth(left, up, upLeft);
      else throw new Error(`PNG row filter ${filter} is unknown`);
      pixels[row + x] = (filtered[source + x]! + predicted) & 0xff;
    }
  }
  return pixels;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** RGB rows over white, each led by filter type 0 (none), as an RGB PNG's image data wants. */
function composite({ width, height, colourType, palette, transparency }: PngChunks, pixels: Buffer): Buffer {
  if (colourType === COLOUR_TYPE.palette && !palette) throw new Error('PNG palette image without a palette');
  const sample = (at: number): [number, number, number, number] => {
    if (colourType === COLOUR_TYPE.rgba) return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!, pixels[at + 3]!];
    if (colourType === COLOUR_TYPE.greyAlpha) return [pixels[at]!, pixels[at]!, pixels[at]!, pixels[at + 1]!];
    const index = pixels[at]!;
    return [palette?.[index * 3] ?? 0, palette?.[index * 3 + 1] ?? 0, palette?.[index * 3 + 2] ?? 0, transparency?.[index] ?? 255];
  };
  const bytesPerPixel = BYTES_PER_PIXEL[colourType]!;
  const rows = Buffer.alloc(height * (width * 3 + 1));
  let out = 0;
  for (let pixel = 0; pixel < width * height; pixel++) {
    if (pixel % width === 0) rows[out++] = 0;
    const [red, green, blue, alpha] = sample(pixel * bytesPerPixel);
    for (const value of [red, green, blue]) rows[out++] = Math.round((value * alpha + 255 * (255 - alpha)) / 255);
  }
  return rows;
}

function writeRgbPng(width: number, height: number, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, standard filters, not interlaced
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}
