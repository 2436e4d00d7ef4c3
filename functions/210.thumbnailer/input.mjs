// Inputs for 210.thumbnailer. SeBS resizes photographs from its data repository to 200x200; here
// the generator makes a seeded JPEG "photograph" (smooth colour fields plus grain, so it compresses
// like a photo rather than like noise) at a size per input and uploads it.
import sharp from 'sharp';
import { seededRandom } from '../_shared/random.mjs';

export const INPUT_BUCKET = 'faasbench-thumbnailer-input';
export const OUTPUT_BUCKET = 'faasbench-thumbnailer-output';
// test: a tiny picture; small: a full-HD photo (SeBS's images are around 1-3 MP); large: 24 MP.
const IMAGES = { test: [320, 240], small: [1920, 1280], large: [6000, 4000] };
const THUMBNAIL = { width: 200, height: 200 };

export async function generateInput(name, { seed, storage }) {
  if (!(name in IMAGES)) throw new Error(`thumbnailer has no input "${name}" (it has: ${Object.keys(IMAGES).join(', ')})`);
  if (!storage) throw new Error("thumbnailer inputs need storage (the platform's FAASBENCH_STORAGE_URL)");
  const [width, height] = IMAGES[name];
  const key = `${name}-seed${seed}.jpg`;
  const jpeg = await sharp(seededPixels(width, height, seed), { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
  await storage.upload(INPUT_BUCKET, key, jpeg);
  return { object: { key, ...THUMBNAIL }, bucket: { input: INPUT_BUCKET, output: OUTPUT_BUCKET } };
}

/** RGB bytes: a coarse grid of seeded colours, bilinearly blended, plus seeded grain. */
function seededPixels(width, height, seed) {
  const random = seededRandom(seed);
  const grid = 8;
  const row = (grid + 1) * 3;
  const cells = Array.from({ length: (grid + 1) * row }, () => random.int(256));
  const grain = random.fill(Buffer.alloc(width * height));
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const gy = (y / height) * grid;
    const fy = gy - Math.floor(gy);
    for (let x = 0; x < width; x++) {
      const gx = (x / width) * grid;
      const fx = gx - Math.floor(gx);
      const topLeft = Math.floor(gy) * row + Math.floor(gx) * 3;
      const noise = (grain[y * width + x] >> 4) - 8;
      for (let c = 0; c < 3; c++) {
        const i = topLeft + c;
        const top = cells[i] * (1 - fx) + cells[i + 3] * fx;
        const bottom = cells[i + row] * (1 - fx) + cells[i + row + 3] * fx;
        pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(top * (1 - fy) + bottom * fy + noise)));
      }
    }
  }
  return pixels;
}
