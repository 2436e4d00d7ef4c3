// Inputs for 311.compression. SeBS compresses "acmart-master" (the ACM LaTeX template: sources,
// documentation and fonts) from its data repository; here the generator uploads a seeded directory
// of the same mix: mostly text that compresses several-fold, some binary files that do not.
import { seededRandom } from '../_shared/random.mjs';

export const INPUT_BUCKET = 'faasbench-compression-input';
export const OUTPUT_BUCKET = 'faasbench-compression-output';
// test: a handful of small files; small: about acmart-master's size; large: a sizeable project.
const DIRECTORIES = { test: { files: 8, bytes: 48 * 1024 }, small: { files: 80, bytes: 8 * 1024 * 1024 }, large: { files: 320, bytes: 48 * 1024 * 1024 } };
const BINARY_SHARE = 0.25;
const WORDS = ('the of and to in is that for on with as by this are be at from or an which it we our paper section figure table ' +
  'theorem proof lemma results method data model system performance function latency cold start memory time').split(' ');

export async function generateInput(name, { seed, storage }) {
  const spec = DIRECTORIES[name];
  if (!spec) throw new Error(`compression has no input "${name}" (it has: ${Object.keys(DIRECTORIES).join(', ')})`);
  if (!storage) throw new Error("compression inputs need storage (the platform's FAASBENCH_STORAGE_URL)");
  const directory = `${name}-seed${seed}`;
  // A directory left by an earlier generation with other sizes would add stale files.
  for (const key of await storage.list(INPUT_BUCKET, `${directory}/`)) await storage.remove(INPUT_BUCKET, key);
  const random = seededRandom(seed);
  for (const file of plan(spec, random)) {
    const data = file.binary ? random.fill(Buffer.alloc(file.bytes)) : Buffer.from(prose(file.bytes, random));
    await storage.upload(INPUT_BUCKET, `${directory}/${file.path}`, data);
  }
  return { object: { key: directory }, bucket: { input: INPUT_BUCKET, output: OUTPUT_BUCKET } };
}

/** File names in a few subfolders and sizes that vary from file to file but add up to spec.bytes. */
function plan(spec, random) {
  const weights = Array.from({ length: spec.files }, () => 0.2 + random.float());
  const total = weights.reduce((a, b) => a + b, 0);
  const folders = ['', 'doc/', 'samples/', 'fonts/'];
  return weights.map((w, i) => {
    const binary = random.float() < BINARY_SHARE;
    const folder = folders[i % folders.length];
    return { path: `${folder}file-${String(i).padStart(4, '0')}.${binary ? 'bin' : 'tex'}`, bytes: Math.max(1, Math.round((w / total) * spec.bytes)), binary };
  });
}

/** `bytes` characters of seeded words in lines, roughly as compressible as LaTeX source. */
function prose(bytes, random) {
  const parts = [];
  let length = 0;
  while (length < bytes) {
    const word = random.float() < 0.1 ? `\\cite{ref${random.int(500)}}` : WORDS[random.int(WORDS.length)];
    const separator = random.int(12) === 0 ? '\n' : ' ';
    parts.push(word, separator);
    length += word.length + 1;
  }
  return parts.join('').slice(0, bytes);
}
