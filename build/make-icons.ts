// Draws Keyfob's app icon and tray images and writes them as PNG files beside this script (run it with
// `npx tsx build/make-icons.ts`; the outputs are committed). Shapes are signed-distance fields sampled 4×4 per pixel,
// so edges are anti-aliased at every size; PNG is encoded by hand with node:zlib (RGBA, 8 bits, filter 0).
//
// Tray images: one per state (idle / live / expiring / error), each in three variants and at 1x (16 px) and 2x (32 px):
//   <state>-light.png   a dark glyph for light panels, coloured state badge
//   <state>-dark.png    a light glyph for dark panels, coloured state badge
//   <state>Template.png macOS template image (black + alpha; macOS recolours it), badge told apart by shape
// Electron picks `name@2x.png` beside `name.png` by itself.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];
/** A shape in a 1×1 unit square: negative inside, positive outside, in units of the square's side. */
type Sdf = (x: number, y: number) => number;

const HERE = dirname(fileURLToPath(import.meta.url));

// ------------------------------------------------------------------------------------------------ PNG encoding
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  // compression, filter and interlace methods stay 0
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ------------------------------------------------------------------------------------------------ shapes
const circle = (cx: number, cy: number, r: number): Sdf => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx: number, cy: number, r: number, width: number): Sdf => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
const roundedRect = (x0: number, y0: number, x1: number, y1: number, r: number): Sdf => (x, y) => {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const segment = (ax: number, ay: number, bx: number, by: number, width: number): Sdf => (x, y) => {
  const px = x - ax;
  const py = y - ay;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - width / 2;
};
const union = (...shapes: Sdf[]): Sdf => (x, y) => Math.min(...shapes.map((s) => s(x, y)));
const subtract = (shape: Sdf, hole: Sdf): Sdf => (x, y) => Math.max(shape(x, y), -hole(x, y));

/** The fob: a key ring at the top left and a rounded fob body with a button, tilted along the diagonal. */
function fobGlyph(): Sdf {
  const keyRing = ring(0.3, 0.3, 0.17, 0.075);
  const body = roundedRect(0.38, 0.36, 0.86, 0.84, 0.16);
  const button = circle(0.62, 0.6, 0.085);
  const link = segment(0.4, 0.4, 0.5, 0.5, 0.07);
  return union(keyRing, link, subtract(body, button));
}

type BadgeKind = 'none' | 'dot' | 'hollow' | 'cross';
const BADGE_CENTER = [0.8, 0.8] as const;
const BADGE_RADIUS = 0.2;

function badgeShape(kind: BadgeKind): Sdf | null {
  const [cx, cy] = BADGE_CENTER;
  switch (kind) {
    case 'none':
      return null;
    case 'dot':
      return circle(cx, cy, BADGE_RADIUS * 0.8);
    case 'hollow':
      return ring(cx, cy, BADGE_RADIUS * 0.62, BADGE_RADIUS * 0.42);
    case 'cross': {
      const a = BADGE_RADIUS * 0.62;
      return union(segment(cx - a, cy - a, cx + a, cy + a, 0.09), segment(cx - a, cy + a, cx + a, cy - a, 0.09));
    }
  }
}

/** Clear space around the badge so it reads against the glyph. */
const badgeMoat = circle(BADGE_CENTER[0], BADGE_CENTER[1], BADGE_RADIUS + 0.05);

/** Draws `shape` scaled by `k` around the top-left corner, leaving the bottom-right corner to the badge. */
const shrink = (shape: Sdf, k: number): Sdf => (x, y) => shape(x / k, y / k) * k;

interface Layer {
  shape: Sdf;
  color: Rgba;
}

function render(size: number, layers: Layer[], background?: Layer): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          // The topmost layer that covers the sample wins (no blending between layers inside one sample).
          let hit: Rgba | null = null;
          for (const layer of layers) if (layer.shape(x, y) <= 0) hit = layer.color;
          if (!hit && background && background.shape(x, y) <= 0) hit = background.color;
          if (!hit) continue;
          const alpha = hit[3] / 255;
          r += hit[0] * alpha;
          g += hit[1] * alpha;
          b += hit[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      const n = samples * samples;
      out[i] = a ? Math.round(r / a) : 0;
      out[i + 1] = a ? Math.round(g / a) : 0;
      out[i + 2] = a ? Math.round(b / a) : 0;
      out[i + 3] = Math.round((a / n) * 255);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ the images
export const TRAY_STATES = ['idle', 'live', 'expiring', 'error'] as const;
type TrayState = (typeof TRAY_STATES)[number];

const BADGE_KIND: Record<TrayState, BadgeKind> = { idle: 'none', live: 'dot', expiring: 'hollow', error: 'cross' };
const BADGE_COLOR: Record<TrayState, Rgba> = {
  idle: [0, 0, 0, 0],
  live: [46, 160, 67, 255],
  expiring: [219, 150, 20, 255],
  error: [207, 34, 46, 255],
};
const GLYPH_ON_LIGHT: Rgba = [36, 41, 47, 255];
const GLYPH_ON_DARK: Rgba = [240, 242, 245, 255];
const TEMPLATE_BLACK: Rgba = [0, 0, 0, 255];

function trayLayers(state: TrayState, glyphColor: Rgba, badgeColor: Rgba): Layer[] {
  const badge = badgeShape(BADGE_KIND[state]);
  // The glyph keeps one size in every state, so the icon does not jump when the badge comes and goes.
  const small = shrink(fobGlyph(), 0.86);
  const glyph = badge ? subtract(small, badgeMoat) : small;
  return badge ? [{ shape: glyph, color: glyphColor }, { shape: badge, color: badgeColor }] : [{ shape: glyph, color: glyphColor }];
}

function write(path: string, size: number, layers: Layer[], background?: Layer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(size, size, render(size, layers, background)));
}

/** Writes every image under `outDir`; `appIcon: false` skips the (slow to draw) 1024 px app icons. */
export function makeIcons(outDir = HERE, opts: { appIcon?: boolean } = {}): string[] {
  const written: string[] = [];
  const emit = (name: string, size: number, layers: Layer[], background?: Layer): void => {
    const path = join(outDir, name);
    write(path, size, layers, background);
    written.push(path);
  };
  for (const state of TRAY_STATES) {
    for (const [scale, size] of [['', 16], ['@2x', 32]] as const) {
      emit(`tray/${state}-light${scale}.png`, size, trayLayers(state, GLYPH_ON_LIGHT, BADGE_COLOR[state]));
      emit(`tray/${state}-dark${scale}.png`, size, trayLayers(state, GLYPH_ON_DARK, BADGE_COLOR[state]));
      emit(`tray/${state}Template${scale}.png`, size, trayLayers(state, TEMPLATE_BLACK, TEMPLATE_BLACK));
    }
  }
  if (opts.appIcon === false) return written;
  // The app icon: the glyph in white on a rounded square (macOS/Windows/Linux icons are derived from it).
  const tile: Layer = { shape: roundedRect(0.06, 0.06, 0.94, 0.94, 0.2), color: [30, 58, 95, 255] };
  const inset = (s: Sdf): Sdf => (x, y) => s((x - 0.2) / 0.6, (y - 0.2) / 0.6) * 0.6;
  for (const size of [1024, 512, 256]) emit(size === 1024 ? 'icon.png' : `icons/${size}x${size}.png`, size, [{ shape: inset(fobGlyph()), color: [255, 255, 255, 255] }], tile);
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const path of makeIcons()) console.log(`wrote ${path}`);
}
