import { expect } from 'chai';
import { PNG } from 'pngjs';
import { inspectLogo } from '../../../src/settings/logo-image.js';

function png(width: number, height: number): Buffer {
  return PNG.sync.write(new PNG({ width, height }));
}

/** The skeleton of a baseline JPEG: SOI, a JFIF APP0 segment, the frame header (SOF0), a scan, EOI. */
function jpeg(width: number, height: number): Buffer {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
  const scan = [0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x12, 0x34, 0x56];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof0, ...scan, 0xff, 0xd9]);
}

describe('reading what an uploaded logo is from its bytes', () => {
  it('knows a PNG and its size from the IHDR chunk', () => {
    expect(inspectLogo(png(120, 45))).to.deep.equal({ contentType: 'image/png', width: 120, height: 45 });
  });

  it('knows a JPEG and its size from the frame header, past the segments before it', () => {
    expect(inspectLogo(jpeg(640, 480))).to.deep.equal({ contentType: 'image/jpeg', width: 640, height: 480 });
  });

  it('refuses anything else, whatever its name or declared type would say', () => {
    expect(inspectLogo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).to.equal(undefined);
    expect(inspectLogo(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).to.equal(undefined);
    expect(inspectLogo(Buffer.alloc(0))).to.equal(undefined);
  });

  it('refuses a file cut short or damaged, which would break every certificate it prints on', () => {
    const whole = png(10, 10);
    expect(inspectLogo(whole.subarray(0, 20))).to.equal(undefined);
    expect(inspectLogo(whole.subarray(0, whole.length - 12))).to.equal(undefined); // no IEND
    const damaged = Buffer.from(whole);
    damaged.writeUInt8(damaged.readUInt8(whole.length - 20) ^ 0xff, whole.length - 20); // inside IDAT: its CRC no longer matches
    expect(inspectLogo(damaged)).to.equal(undefined);
    expect(inspectLogo(jpeg(10, 10).subarray(0, 24))).to.equal(undefined);
    expect(inspectLogo(jpeg(10, 10).subarray(0, -2))).to.equal(undefined); // no end-of-image
    // A JPEG whose scan starts before any frame header says no size.
    expect(inspectLogo(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]))).to.equal(undefined);
  });
});
