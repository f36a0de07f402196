// Draws Berth's icons (a container stack on a hull, on a blue rounded square) straight into PNGs,
// so no image tool is needed: `node build/make-icons.mjs` rewrites build/icons/. Checked in.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const BLUE = [29, 99, 237];
const WHITE = [255, 255, 255];

/** The colour at (x, y) in the unit square, or undefined for transparent. */
function shade(x, y) {
  const inBox = (x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
  const r = 0.18;
  const cx = Math.min(Math.max(x, 0.06 + r), 0.94 - r);
  const cy = Math.min(Math.max(y, 0.06 + r), 0.94 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return undefined;
  const boxes = [
    [0.25, 0.46, 0.39, 0.57], [0.43, 0.46, 0.57, 0.57], [0.61, 0.46, 0.75, 0.57],
    [0.34, 0.33, 0.48, 0.44], [0.52, 0.33, 0.66, 0.44],
  ];
  if (boxes.some((b) => inBox(...b))) return WHITE;
  // The hull: a trapezoid narrowing towards the waterline.
  if (y >= 0.6 && y <= 0.72) {
    const inset = ((y - 0.6) / 0.12) * 0.07;
    if (x >= 0.2 + inset && x <= 0.8 - inset) return WHITE;
  }
  return BLUE;
}

function crcTable() {
  return Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
}
const CRC = crcTable();
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGBA PNG of `size` pixels, 4×4 supersampled. */
export function drawIcon(size) {
  const ss = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          acc[0] += c[0];
          acc[1] += c[1];
          acc[2] += c[2];
          acc[3] += 1;
        }
      }
      const o = 1 + px * 4;
      if (acc[3] > 0) {
        row[o] = Math.round(acc[0] / acc[3]);
        row[o + 1] = Math.round(acc[1] / acc[3]);
        row[o + 2] = Math.round(acc[2] / acc[3]);
      }
      row[o + 3] = Math.round((acc[3] / (ss * ss)) * 255);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icons');
  mkdirSync(dir, { recursive: true });
  const files = { 'icon.png': 1024, '512x512.png': 512, '256x256.png': 256, '128x128.png': 128, '64x64.png': 64, '32x32.png': 32, '16x16.png': 16, 'tray.png': 16, 'tray@2x.png': 32 };
  for (const [name, size] of Object.entries(files)) writeFileSync(path.join(dir, name), drawIcon(size));
  console.log(`wrote ${Object.keys(files).length} icons to ${dir}`);
}
