// The application benchmarks after SeBS (functions/110..503) and the storage interface they share:
// inputs generated from a seed into the platform's storage, each function deployed as shipped and
// invoked, and each result checked against what can be recomputed here.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { barabasiAlbert, edgeCount } from '../functions/_shared/barabasi-albert.mjs';
import { seededRandom } from '../functions/_shared/random.mjs';
import { storageFromEnv, storageFromUrl, type Storage } from '../functions/_shared/storage.mjs';
import { invokeHttp, REPO, scratchDir, startPlatform, type HttpReply } from './support/platform.ts';

const SEED = 42;
let platform: LocalPlatform;
let storage: Storage;

beforeAll(async () => {
  platform = await startPlatform();
  storage = storageFromUrl(platform.storageUrl);
});
afterAll(async () => {
  await platform.stop();
});

type Json = Record<string, unknown>;
interface Reply {
  body: { result: Json; measurement: Record<string, number> } & Json;
  instance: string;
  cold: string;
}

async function generate(folder: string, name: string, seed = SEED): Promise<Json> {
  const generator = (await import(pathToFileURL(path.join(REPO, 'functions', folder, 'input.mjs')).href)) as {
    generateInput: (name: string, ctx: { seed: number; storage: Storage }) => Promise<Json>;
  };
  return generator.generateInput(name, { seed, storage });
}

const deploy = (folder: string): string => platform.deployFolder(path.join(REPO, 'functions', folder)).name;

function headersOf(r: HttpReply): { instance: string; cold: string } {
  return { instance: r.headers['x-faasbench-instance-id'] ?? '', cold: r.headers['x-faasbench-cold'] ?? '' };
}

async function invoke(name: string, event: unknown): Promise<Reply> {
  const r = await invokeHttp(platform, name, event);
  expect(r.status).toBe(200);
  expect(r.headers['x-amz-function-error'], r.text).toBeUndefined();
  return { body: r.json() as Reply['body'], ...headersOf(r) };
}

async function invokeFailing(name: string, event: unknown): Promise<{ errorType: string; errorMessage: string; instance: string }> {
  const r = await invokeHttp(platform, name, event);
  expect(r.headers['x-amz-function-error']).toBe('Unhandled');
  return { ...(r.json() as { errorType: string; errorMessage: string }), ...headersOf(r) };
}

function expectMeasurements(reply: Reply, keys: string[]): void {
  expect(Object.keys(reply.body.measurement).sort()).toEqual([...keys].sort());
  for (const key of keys) {
    expect(typeof reply.body.measurement[key], key).toBe('number');
    expect(reply.body.measurement[key], key).toBeGreaterThanOrEqual(0);
  }
}

/** Bad input is a handled InvalidInput naming the field; the same instance then serves `good`, warm. */
async function expectRejected(name: string, bad: unknown, field: string, good: unknown): Promise<void> {
  const failed = await invokeFailing(name, bad);
  expect(failed.errorType).toBe('InvalidInput');
  expect(failed.errorMessage).toContain(`"${field}"`);
  const after = await invoke(name, good);
  expect(after.instance).toBe(failed.instance);
  expect(after.cold).toBe('false');
}

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('storage interface', () => {
  it('file://: round-trips nested keys, lists by prefix in order, removes idempotently', async () => {
    const dir = scratchDir('storage');
    const s = storageFromUrl(pathToFileURL(dir).href);
    await s.upload('bucket-one', 'docs/b.txt', 'bee');
    await s.upload('bucket-one', 'docs/a.txt', Buffer.from('ay'));
    await s.upload('bucket-one', 'top.bin', new Uint8Array([1, 2, 3]));
    expect(readFileSync(path.join(dir, 'bucket-one', 'docs', 'a.txt'), 'utf8')).toBe('ay');
    expect((await s.download('bucket-one', 'docs/b.txt')).toString()).toBe('bee');
    expect([...(await s.download('bucket-one', 'top.bin'))]).toEqual([1, 2, 3]);
    expect(await s.list('bucket-one')).toEqual(['docs/a.txt', 'docs/b.txt', 'top.bin']);
    expect(await s.list('bucket-one', 'docs/')).toEqual(['docs/a.txt', 'docs/b.txt']);
    expect(await s.list('no-such-bucket')).toEqual([]);
    await s.upload('bucket-one', 'docs/a.txt', 'replaced');
    expect((await s.download('bucket-one', 'docs/a.txt')).toString()).toBe('replaced');
    await s.remove('bucket-one', 'docs/a.txt');
    await s.remove('bucket-one', 'docs/a.txt');
    expect(await s.list('bucket-one')).toEqual(['docs/b.txt', 'top.bin']);
    // Uploads are staged beside the buckets, never where a listing could see them.
    expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual(['bucket-one']);
  });

  it('file://: refuses keys that climb out of the bucket and names what is missing', async () => {
    const dir = scratchDir('storage');
    const s = storageFromUrl(pathToFileURL(dir).href);
    await expect(s.upload('bucket-one', '../escape.txt', 'x')).rejects.toThrow(/storage: key "\.\.\/escape\.txt" climbs out of its bucket/);
    await expect(s.upload('bucket-one', 'a/../../escape.txt', 'x')).rejects.toThrow(/climbs out/);
    await expect(s.download('bucket-one', '..')).rejects.toThrow(/climbs out/);
    await expect(s.list('bucket-one', '../')).rejects.toThrow(/climbs out/);
    await expect(s.upload('bucket-one', '/abs', 'x')).rejects.toThrow(/empty or '\.' path segment/);
    await expect(s.upload('Bad_Bucket', 'k', 'x')).rejects.toThrow(/bucket "Bad_Bucket" is not a valid name/);
    await expect(s.upload('../up', 'k', 'x')).rejects.toThrow(/is not a valid name/);
    expect(existsSync(path.join(dir, '..', 'escape.txt'))).toBe(false);
    await expect(s.download('bucket-one', 'missing.txt')).rejects.toThrow(`storage: no object "missing.txt" in bucket "bucket-one"`);
  });

  it('chooses the backend from the URL and says what is wrong with a bad one', () => {
    expect(() => storageFromUrl('http://example.invalid/x')).toThrow(/unsupported URL "http:\/\/example.invalid\/x"/);
    expect(() => storageFromUrl('not a url')).toThrow(/is not a URL/);
    expect(() => storageFromEnv({})).toThrow(/FAASBENCH_STORAGE_URL is not set/);
    const fromEnv = storageFromEnv({ FAASBENCH_STORAGE_URL: 'file:///srv/data' });
    expect(fromEnv.url).toBe('file:///srv/data');
    expect(storageFromEnv({ FAASBENCH_STORAGE_URL: 'file:///srv/data' })).toBe(fromEnv);
    expect(storageFromEnv({ FAASBENCH_STORAGE_URL: 'file:///srv/other' })).not.toBe(fromEnv);
  });

  it('s3://: maps bucket and key under the URL prefix of one real bucket, pages listings, names missing objects', async () => {
    const objects = new Map<string, Buffer>();
    const sent: Json[] = [];
    const command = (kind: string) =>
      class {
        constructor(readonly input: Json) {
          sent.push({ kind, ...input });
        }
        readonly kind = kind;
      };
    const sdk = {
      PutObjectCommand: command('put'),
      GetObjectCommand: command('get'),
      ListObjectsV2Command: command('list'),
      DeleteObjectCommand: command('delete'),
      S3Client: class {
        async send(cmd: { kind: string; input: { Key?: string; Body?: Buffer; Prefix?: string; ContinuationToken?: string } }): Promise<unknown> {
          const { Key = '', Body, Prefix = '', ContinuationToken } = cmd.input;
          if (cmd.kind === 'put') objects.set(Key, Body as Buffer);
          if (cmd.kind === 'delete') objects.delete(Key);
          if (cmd.kind === 'get') {
            const data = objects.get(Key);
            if (!data) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
            return { Body: { transformToByteArray: async () => new Uint8Array(data) } };
          }
          if (cmd.kind === 'list') {
            // One key per page, so paging is exercised.
            const keys = [...objects.keys()].filter((k) => k.startsWith(Prefix)).sort();
            const at = ContinuationToken ? Number(ContinuationToken) : 0;
            return { Contents: keys.slice(at, at + 1).map((k) => ({ Key: k })), IsTruncated: at + 1 < keys.length, NextContinuationToken: String(at + 1) };
          }
          return {};
        }
      },
    };
    const s = storageFromUrl('s3://real-bucket/bench/', { importS3: async () => sdk });
    await s.upload('faasbench-x', 'dir/a.txt', 'A');
    await s.upload('faasbench-x', 'dir/b.txt', 'B');
    await s.upload('faasbench-y', 'dir/c.txt', 'C');
    expect(sent[0]).toMatchObject({ kind: 'put', Bucket: 'real-bucket', Key: 'bench/faasbench-x/dir/a.txt' });
    expect((await s.download('faasbench-x', 'dir/b.txt')).toString()).toBe('B');
    expect(await s.list('faasbench-x', 'dir/')).toEqual(['dir/a.txt', 'dir/b.txt']);
    await s.remove('faasbench-x', 'dir/a.txt');
    expect(await s.list('faasbench-x')).toEqual(['dir/b.txt']);
    await expect(s.download('faasbench-x', 'dir/a.txt')).rejects.toThrow('storage: no object "dir/a.txt" in bucket "faasbench-x" (s3://real-bucket/bench/)');
    await expect(s.upload('faasbench-x', '../a', 'x')).rejects.toThrow(/climbs out/);
  });

  it('s3://: without @aws-sdk/client-s3 the error says which package is missing', async () => {
    const s = storageFromUrl('s3://real-bucket', { importS3: () => Promise.reject(Object.assign(new Error("Cannot find package '@aws-sdk/client-s3'"), { code: 'ERR_MODULE_NOT_FOUND' })) });
    await expect(s.download('faasbench-x', 'k')).rejects.toThrow(/s3:\/\/real-bucket needs the package @aws-sdk\/client-s3, which could not be loaded \(ERR_MODULE_NOT_FOUND\)/);
  });
});

describe('110.dynamic-html', () => {
  const numbersIn = (html: string): number[] => [...html.matchAll(/<li>(\d+)<\/li>/g)].map((m) => Number(m[1]));
  const pageOf = (reply: Reply): string => {
    expect(typeof reply.body.result).toBe('string');
    return reply.body.result as unknown as string;
  };

  it('renders the username and random_len numbers in [0, 100] for test and small', async () => {
    const name = deploy('110.dynamic-html');
    for (const [size, length] of [['test', 10], ['small', 1000]] as const) {
      const event = await generate('110.dynamic-html', size);
      expect(event).toEqual({ username: 'testname', random_len: length });
      const reply = await invoke(name, event);
      const html = pageOf(reply);
      expect(html).toContain('<h1>Hello, testname!</h1>');
      const numbers = numbersIn(html);
      expect(numbers).toHaveLength(length);
      expect(numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 100)).toBe(true);
      expectMeasurements(reply, ['compute_time']);
    }
    // The template escapes what it is given.
    const escaped = await invoke(name, { username: '<b>x</b>', random_len: 0 });
    expect(pageOf(escaped)).toContain('Hello, &lt;b&gt;x&lt;&#x2F;b&gt;!');
    expect(numbersIn(pageOf(escaped))).toEqual([]);
  });

  it('rejects a missing random_len by name and keeps serving', async () => {
    await expectRejected('dynamic-html', { username: 'testname' }, 'random_len', { username: 'testname', random_len: 1 });
  });
});

describe('120.uploader', () => {
  let server: http.Server;
  let base: string;
  const served = seededRandom(7).fill(Buffer.alloc(300_000));

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/files/report.bin') res.writeHead(200, { 'content-length': served.length }).end(served);
      else if (req.url === '/moved') res.writeHead(302, { location: '/files/report.bin' }).end();
      else res.writeHead(404).end('not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('copies storage:// inputs of SeBS sizes into the output bucket byte for byte', async () => {
    const name = deploy('120.uploader');
    for (const [size, bytes] of [['test', 230 * 1024], ['small', Math.round(6.7 * 1024 * 1024)]] as const) {
      const event = (await generate('120.uploader', size)) as { object: { url: string }; bucket: { output: string } };
      const key = `${size}-seed${SEED}.bin`;
      expect(event.object.url).toBe(`storage://faasbench-uploader-input/${key}`);
      await storage.remove(event.bucket.output, key);
      const reply = await invoke(name, event);
      expect(reply.body.result).toEqual({ bucket: 'faasbench-uploader-output', url: event.object.url, key });
      const copy = await storage.download('faasbench-uploader-output', key);
      expect(copy.length).toBe(bytes);
      expect(sha(copy)).toBe(sha(await storage.download('faasbench-uploader-input', key)));
      expectMeasurements(reply, ['download_time', 'download_size', 'upload_time', 'upload_size']);
      expect(reply.body.measurement.upload_size).toBe(bytes);
    }
  });

  it('fetches http URLs, following a redirect, and uploads under the file name', async () => {
    const reply = await invoke('uploader', { object: { url: `${base}/moved` }, bucket: { output: 'faasbench-uploader-output' } });
    expect(reply.body.result.key).toBe('moved');
    expect(sha(await storage.download('faasbench-uploader-output', 'moved'))).toBe(sha(served));
    const direct = await invoke('uploader', { object: { url: `${base}/files/report.bin` }, bucket: { output: 'faasbench-uploader-output' } });
    expect(direct.body.result.key).toBe('report.bin');
    expect(direct.body.measurement.download_size).toBe(served.length);
  });

  it('reports an http error status and a bad scheme by field, and keeps serving', async () => {
    const missing = await invokeFailing('uploader', { object: { url: `${base}/gone.bin` }, bucket: { output: 'faasbench-uploader-output' } });
    expect(missing.errorMessage).toBe(`GET ${base}/gone.bin answered 404 Not Found`);
    const good = { object: { url: `${base}/files/report.bin` }, bucket: { output: 'faasbench-uploader-output' } };
    await expectRejected('uploader', { object: { url: 'ftp://host/file' }, bucket: { output: 'faasbench-uploader-output' } }, 'object.url', good);
    await expectRejected('uploader', { object: { url: `${base}/files/report.bin` } }, 'bucket.output', good);
  });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('210.thumbnailer', () => {
  it('uploads a PNG thumbnail of the requested size for test and small', async () => {
    const name = deploy('210.thumbnailer');
    for (const size of ['test', 'small']) {
      const event = (await generate('210.thumbnailer', size)) as { object: { key: string; width: number; height: number }; bucket: { input: string; output: string } };
      expect(event.object).toEqual({ key: `${size}-seed${SEED}.jpg`, width: 200, height: 200 });
      const original = await storage.download(event.bucket.input, event.object.key);
      expect(original.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8])); // a JPEG
      const reply = await invoke(name, event);
      expect(reply.body.result).toEqual({ bucket: event.bucket.output, key: `${size}-seed${SEED}.png`, width: 200, height: 200 });
      const thumbnail = await storage.download(event.bucket.output, `${size}-seed${SEED}.png`);
      expect(pngSize(thumbnail)).toEqual({ width: 200, height: 200 });
      expectMeasurements(reply, ['download_time', 'download_size', 'compute_time', 'upload_time', 'upload_size']);
      expect(reply.body.measurement.download_size).toBe(original.length);
      expect(reply.body.measurement.upload_size).toBe(thumbnail.length);
    }
    const wide = (await generate('210.thumbnailer', 'test')) as { object: Json };
    const reply = await invoke(name, { ...wide, object: { ...wide.object, width: 64, height: 16 } });
    expect(pngSize(await storage.download('faasbench-thumbnailer-output', reply.body.result.key as string))).toEqual({ width: 64, height: 16 });
  });

  it('rejects a zero width, a missing object and a non-image by name, and keeps serving', async () => {
    const good = await generate('210.thumbnailer', 'test');
    const object = good.object as Json;
    await expectRejected('thumbnailer', { ...good, object: { ...object, width: 0 } }, 'object.width', good);
    const missing = await invokeFailing('thumbnailer', { ...good, object: { ...object, key: 'nope.jpg' } });
    expect(missing.errorMessage).toBe('storage: no object "nope.jpg" in bucket "faasbench-thumbnailer-input" (' + platform.storageUrl + ')');
    await storage.upload('faasbench-thumbnailer-input', 'not-an-image.jpg', 'plain text');
    await expectRejected('thumbnailer', { ...good, object: { ...object, key: 'not-an-image.jpg' } }, 'object.key', good);
  });
});

describe('311.compression', () => {
  it('zips the whole directory: the archive holds every file, byte for byte', async () => {
    const name = deploy('311.compression');
    for (const [size, files] of [['test', 8], ['small', 80]] as const) {
      const event = (await generate('311.compression', size)) as { object: { key: string }; bucket: { input: string; output: string } };
      const keys = await storage.list(event.bucket.input, `${event.object.key}/`);
      expect(keys).toHaveLength(files);
      const reply = await invoke(name, event);
      expect(reply.body.result).toMatchObject({ bucket: event.bucket.output, key: `${size}-seed${SEED}.zip`, files });
      const archive = await storage.download(event.bucket.output, `${size}-seed${SEED}.zip`);
      expect(reply.body.result.archive_size).toBe(archive.length);
      const entries = unzipSync(archive);
      expect(Object.keys(entries).sort()).toEqual(keys.map((k) => k.slice(event.object.key.length + 1)).sort());
      let total = 0;
      for (const key of keys) {
        const original = await storage.download(event.bucket.input, key);
        total += original.length;
        expect(sha(entries[key.slice(event.object.key.length + 1)] as Uint8Array), key).toBe(sha(original));
      }
      expectMeasurements(reply, ['download_time', 'download_size', 'compute_time', 'upload_time', 'upload_size']);
      expect(reply.body.measurement.download_size).toBe(total);
      // Mostly text: the archive must be clearly smaller than its contents.
      expect(archive.length).toBeLessThan(total * 0.8);
    }
  });

  it('rejects an empty directory by name and keeps serving', async () => {
    const good = await generate('311.compression', 'test');
    await expectRejected('compression', { ...good, object: { key: 'no-such-directory' } }, 'object.key', good);
  });
});

describe('inputs are deterministic in the seed', () => {
  it.each([['120.uploader'], ['210.thumbnailer'], ['311.compression']])('%s: same seed, same event and bytes; another seed, other bytes', async (folder) => {
    const snapshot = async (seed: number): Promise<{ event: Json; digest: string }> => {
      const event = await generate(folder, 'test', seed);
      const bucket = `faasbench-${folder.split('.')[1]}-input`;
      const keys = (await storage.list(bucket)).filter((k) => k.startsWith(`test-seed${seed}`));
      expect(keys.length).toBeGreaterThan(0);
      const hash = createHash('sha256');
      for (const key of keys) hash.update(key).update(await storage.download(bucket, key));
      return { event, digest: hash.digest('hex') };
    };
    const first = await snapshot(SEED);
    expect(await snapshot(SEED)).toEqual(first);
    expect((await snapshot(SEED + 1)).digest).not.toBe(first.digest);
  });

  it('graph inputs carry the seed; the same event gives the same graph result', async () => {
    for (const folder of ['501.graph-pagerank', '502.graph-mst', '503.graph-bfs']) {
      expect(await generate(folder, 'test')).toEqual({ size: 10, seed: SEED });
      expect(await generate(folder, 'small')).toEqual({ size: 10_000, seed: SEED });
    }
  });
});

/** The graph a function builds from (size, seed), rebuilt here, with the MST function's weights. */
function rebuild(size: number, seed: number): { neighbours: number[][]; weights: Map<string, number> } {
  const random = seededRandom(seed);
  const graph = barabasiAlbert(size, random);
  const neighbours: number[][] = Array.from({ length: size }, () => []);
  const weights = new Map<string, number>();
  for (let e = 0; e < graph.edges; e++) {
    const a = graph.source[e] as number;
    const b = graph.target[e] as number;
    neighbours[a]?.push(b);
    neighbours[b]?.push(a);
    weights.set(a < b ? `${a},${b}` : `${b},${a}`, random.float());
  }
  return { neighbours, weights };
}

/** PageRank by plain power iteration to a tight tolerance: an independent check of the function's. */
function pagerankOf(neighbours: number[][], alpha = 0.85): Float64Array {
  const n = neighbours.length;
  let rank = new Float64Array(n).fill(1 / n);
  for (let iteration = 0; iteration < 1000; iteration++) {
    const next = new Float64Array(n).fill((1 - alpha) / n);
    neighbours.forEach((list, v) => {
      for (const u of list) next[u] = (next[u] as number) + (alpha * (rank[v] as number)) / list.length;
    });
    const change = next.reduce((sum, x, i) => sum + Math.abs(x - (rank[i] as number)), 0);
    rank = next;
    if (change < 1e-12) break;
  }
  return rank;
}

/** Prim's algorithm in O(n^2): the MST weight by another route than the function's Kruskal. */
function primWeight(neighbours: number[][], weights: Map<string, number>): number {
  const n = neighbours.length;
  const best = new Float64Array(n).fill(Infinity);
  const inTree = new Uint8Array(n);
  best[0] = 0;
  let total = 0;
  for (let step = 0; step < n; step++) {
    let v = -1;
    for (let u = 0; u < n; u++) if (!inTree[u] && (v < 0 || (best[u] as number) < (best[v] as number))) v = u;
    inTree[v] = 1;
    total += best[v] as number;
    for (const u of neighbours[v] ?? []) {
      const w = weights.get(u < v ? `${u},${v}` : `${v},${u}`) as number;
      if (!inTree[u] && w < (best[u] as number)) best[u] = w;
    }
  }
  return total;
}

function bfsLevels(neighbours: number[][]): { visited: number; levels: number } {
  const depth = new Int32Array(neighbours.length).fill(-1);
  depth[0] = 0;
  const queue = [0];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i] as number;
    for (const u of neighbours[v] ?? []) if (depth[u] === -1) {
      depth[u] = (depth[v] as number) + 1;
      queue.push(u);
    }
  }
  return { visited: queue.length, levels: Math.max(...depth) + 1 };
}

describe('500.scientific graphs (Barabási–Albert, m = 10)', () => {
  const sizes = [['test', 10], ['small', 10_000]] as const;

  it('501.graph-pagerank: ranks sum to 1 and match an independent power iteration', async () => {
    const name = deploy('501.graph-pagerank');
    for (const [size, n] of sizes) {
      const reply = await invoke(name, await generate('501.graph-pagerank', size));
      const result = reply.body.result as { pagerank_0: number; first: number[]; sum: number; max: { node: number; value: number }; nodes: number; edges: number; seed: number };
      expect(result).toMatchObject({ nodes: n, edges: edgeCount(n), seed: SEED });
      expect(result.sum).toBeCloseTo(1, 6);
      const expected = pagerankOf(rebuild(n, SEED).neighbours);
      expect(result.first).toHaveLength(5);
      const relative = (value: number, exact: number): number => Math.abs(value - exact) / exact;
      result.first.forEach((value, v) => expect(relative(value, expected[v] as number)).toBeLessThan(1e-6));
      expect(result.pagerank_0).toBe(result.first[0]);
      expect(relative(result.max.value, Math.max(...expected))).toBeLessThan(1e-6);
      // Ten vertices with ten edges each make a complete graph: every rank is 1/10.
      if (n === 10) expect(result.first.every((v) => Math.abs(v - 0.1) < 1e-9)).toBe(true);
      expectMeasurements(reply, ['graph_generating_time', 'compute_time']);
    }
    // The seed alone decides the graph.
    const [again, repeat, other] = [await invoke(name, { size: 1000, seed: SEED }), await invoke(name, { size: 1000, seed: SEED }), await invoke(name, { size: 1000, seed: SEED + 1 })];
    expect(repeat.body.result).toEqual(again.body.result);
    expect(other.body.result.first).not.toEqual(again.body.result.first);
  });

  it('502.graph-mst: a spanning tree of n - 1 edges whose weight Prim agrees with', async () => {
    const name = deploy('502.graph-mst');
    for (const [size, n] of sizes) {
      const reply = await invoke(name, await generate('502.graph-mst', size));
      const result = reply.body.result as { mst_edges: number; total_weight: number; components: number; nodes: number; edges: number };
      expect(result).toMatchObject({ mst_edges: n - 1, components: 1, nodes: n, edges: edgeCount(n) });
      const { neighbours, weights } = rebuild(n, SEED);
      expect(result.total_weight).toBeCloseTo(primWeight(neighbours, weights), 9);
      expectMeasurements(reply, ['graph_generating_time', 'compute_time']);
    }
  });

  it('503.graph-bfs: reaches every vertex of the connected graph, level by level', async () => {
    const name = deploy('503.graph-bfs');
    for (const [size, n] of sizes) {
      const reply = await invoke(name, await generate('503.graph-bfs', size));
      const result = reply.body.result as { visited: number; levels: number; first: number[]; nodes: number; edges: number };
      expect(result).toMatchObject({ visited: n, nodes: n, edges: edgeCount(n) });
      expect(result.first[0]).toBe(0);
      const { neighbours } = rebuild(n, SEED);
      expect(result.levels).toBe(bfsLevels(neighbours).levels);
      // After the start come its neighbours.
      for (const v of result.first.slice(1, Math.min(result.first.length, (neighbours[0]?.length ?? 0) + 1))) expect(neighbours[0]).toContain(v);
      expectMeasurements(reply, ['graph_generating_time', 'compute_time']);
    }
  });

  it.each([['graph-pagerank'], ['graph-mst'], ['graph-bfs']])('%s rejects a bad size by name and keeps serving', async (name) => {
    await expectRejected(name, { size: 'ten', seed: 1 }, 'size', { size: 10, seed: 1 });
    await expectRejected(name, { size: 10, seed: -1 }, 'seed', { size: 10, seed: 1 });
  });
});
