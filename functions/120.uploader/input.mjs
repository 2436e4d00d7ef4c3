// Inputs for 120.uploader. SeBS fetches files from the internet (a 230 kB JPEG, a 6.7 MB zip, a
// 98 MB model); offline, the generator stores seeded blobs of those sizes in storage and points the
// event at them with storage:// URLs. An http(s) URL works the same way in object.url.
import { seededRandom } from '../_shared/random.mjs';

export const INPUT_BUCKET = 'faasbench-uploader-input';
export const OUTPUT_BUCKET = 'faasbench-uploader-output';
const SIZES = { test: 230 * 1024, small: Math.round(6.7 * 1024 * 1024), large: 98 * 1024 * 1024 };

export async function generateInput(name, { seed, storage }) {
  if (!(name in SIZES)) throw new Error(`uploader has no input "${name}" (it has: ${Object.keys(SIZES).join(', ')})`);
  if (!storage) throw new Error('uploader inputs need storage (the platform\'s FAASBENCH_STORAGE_URL)');
  const key = `${name}-seed${seed}.bin`;
  await storage.upload(INPUT_BUCKET, key, seededRandom(seed).fill(Buffer.alloc(SIZES[name])));
  return { object: { url: `storage://${INPUT_BUCKET}/${key}` }, bucket: { output: OUTPUT_BUCKET } };
}
