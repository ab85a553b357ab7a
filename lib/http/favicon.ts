/*
 * The stands' favicon, drawn in code so no binary sits in git: a 16×16 ICO (one 32-bit BMP image)
 * of a blue tile with the test stand's amber stripe. Browsers ask for /favicon.ico on every page;
 * without it each page logs a 404.
 */
const size = 16;
const blue = [0x8b, 0x4c, 0x0d, 0xff]; // #0d4c8b as B, G, R, A
const amber = [0x8a, 0xd4, 0xf0, 0xff]; // #f0d48a
const white = [0xff, 0xff, 0xff, 0xff];

/** Pixel colour at (x, y), y counted from the top: a white «Т» on blue above an amber stripe. */
function pixel(x: number, y: number): number[] {
  if (y >= 12) return amber;
  const bar = y >= 2 && y <= 3 && x >= 3 && x <= 12;
  const stem = y >= 4 && y <= 10 && x >= 7 && x <= 8;
  return bar || stem ? white : blue;
}

function draw(): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8); // height counts the XOR and the AND mask
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  // BMP rows go bottom-up.
  for (let row = 0; row < size; row++) {
    for (let x = 0; x < size; x++) Buffer.from(pixel(x, size - 1 - row)).copy(pixels, (row * size + x) * 4);
  }
  const mask = Buffer.alloc(size * 4); // all opaque: 16 bits per row, padded to 32
  const image = Buffer.concat([info, pixels, mask]);
  const entry = Buffer.alloc(16);
  entry.writeUInt8(size, 0);
  entry.writeUInt8(size, 1);
  entry.writeUInt16LE(1, 4);
  entry.writeUInt16LE(32, 6);
  entry.writeUInt32LE(image.length, 8);
  entry.writeUInt32LE(header.length + entry.length, 12);
  return Buffer.concat([header, entry, image]);
}

export const favicon = { path: '/favicon.ico', type: 'image/x-icon', body: draw() } as const;
