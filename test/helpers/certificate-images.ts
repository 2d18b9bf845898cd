import { PNG, type PNGOptions } from 'pngjs';

/**
 * Logos and signatures for the certificate PDF tests and benchmark, drawn here rather than
 * committed as binaries: PNGs with transparency, as institutions upload them.
 */

export type Rgba = [number, number, number, number];

export function pngImage(width: number, height: number, paint: (x: number, y: number) => Rgba, options: PNGOptions = {}): Buffer {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) image.data.set(paint(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(image, options);
}

/** An emblem: a shaded disc with stripes in a gold ring, on a transparent ground. */
export function emblemLogo(side = 400): Buffer {
  const centre = side / 2;
  return pngImage(side, side, (x, y) => {
    const distance = Math.hypot(x - centre, y - centre);
    if (distance > centre * 0.98) return [0, 0, 0, 0];
    if (distance > centre * 0.88) return [176, 140, 58, 255];
    const shade = Math.round(40 + (60 * y) / side);
    return (x + y) % 40 < 4 ? [230, 230, 240, 255] : [20, shade, 120, 255];
  });
}

/** A scanned signature: an anti-aliased ink stroke on a transparent ground. */
export function inkSignature(phase = 0, width = 600, height = 200): Buffer {
  return pngImage(width, height, (x, y) => {
    const distance = Math.abs(y - height / 2 - height * 0.3 * Math.sin(x / 37 + phase) * Math.cos(x / 91));
    return distance < 4 ? [16, 24, 70, Math.round(255 * Math.min(1, 4 - distance))] : [0, 0, 0, 0];
  });
}
