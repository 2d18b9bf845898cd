import { crc32, deflateSync } from 'node:zlib';
import { expect } from 'chai';
import { PNG } from 'pngjs';
import { flattenOntoWhite, printableImage } from '../../../src/certificates/certificate-image.js';
import { pngImage, type Rgba } from '../../helpers/certificate-images.js';

/** The pixels of a PNG as [r, g, b, a] tuples, row after row. */
function pixelsOf(png: Buffer): Rgba[] {
  const { data } = PNG.sync.read(png);
  return Array.from({ length: data.length / 4 }, (_, index) => [...data.subarray(index * 4, index * 4 + 4)] as Rgba);
}

const isOpaqueRgb = (png: Buffer) => png[25] === 2; // IHDR colour type: truecolour without alpha

/** A palette PNG with a transparent entry, which pngjs cannot write: built chunk by chunk. */
function palettePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const framed = Buffer.alloc(body.length + 8);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), body.length + 4);
    return framed;
  };
  const header = Buffer.from([0, 0, 0, 3, 0, 0, 0, 1, 8, 3, 0, 0, 0]); // 3 × 1, 8 bits, palette
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('PLTE', Buffer.from([200, 0, 0, 0, 0, 200, 0, 0, 0])),
    chunk('tRNS', Buffer.from([255, 0, 128])),
    chunk('IDAT', deflateSync(Buffer.from([0, 0, 1, 2]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('logos and signatures handed to pdfkit', () => {
  const colours: Rgba[] = [
    [255, 0, 0, 255],
    [0, 0, 255, 128],
    [0, 0, 0, 0],
    [10, 20, 30, 255],
  ];
  const paint = (x: number, y: number): Rgba => colours[(x + y) % colours.length]!;
  const overWhite: Rgba[] = [
    [255, 0, 0, 255],
    [127, 127, 255, 255],
    [255, 255, 255, 255],
    [10, 20, 30, 255],
  ];

  it('lays a PNG with an alpha channel onto white, whatever row filters it was written with', () => {
    for (const filterType of [0, 1, 2, 3, 4]) {
      const flattened = flattenOntoWhite(pngImage(7, 5, paint, { filterType }));
      expect(isOpaqueRgb(flattened), `filter ${filterType}`).to.equal(true);
      const pixels = pixelsOf(flattened);
      pixels.forEach((pixel, index) => expect(pixel, `filter ${filterType}, pixel ${index}`).to.deep.equal(overWhite[((index % 7) + Math.floor(index / 7)) % colours.length]));
    }
  });

  it('lays grey with alpha and a palette with transparent entries onto white', () => {
    const grey = flattenOntoWhite(pngImage(2, 1, (x) => (x === 0 ? [90, 90, 90, 255] : [0, 0, 0, 51]), { colorType: 4 }));
    expect(pixelsOf(grey)).to.deep.equal([
      [90, 90, 90, 255],
      [204, 204, 204, 255],
    ]);
    const palette = flattenOntoWhite(palettePng());
    expect(isOpaqueRgb(palette)).to.equal(true);
    expect(pixelsOf(palette)).to.deep.equal([
      [200, 0, 0, 255],
      [255, 255, 255, 255],
      [127, 127, 127, 255],
    ]);
  });

  it('passes JPEGs and opaque PNGs through untouched, since pdfkit embeds them as they are', () => {
    const opaque = pngImage(4, 4, () => [10, 200, 30, 255], { colorType: 2 });
    expect(flattenOntoWhite(opaque)).to.equal(opaque);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0]);
    expect(flattenOntoWhite(jpeg)).to.equal(jpeg);
  });

  it('flattens an image once, even when it is read afresh for every certificate', () => {
    const first = printableImage(pngImage(3, 3, paint));
    const again = printableImage(pngImage(3, 3, paint));
    expect(again).to.equal(first);
  });
});
