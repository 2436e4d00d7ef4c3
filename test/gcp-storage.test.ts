// The application benchmarks' storage on a gs:// URL: storage.mjs with the real
// `@google-cloud/storage` client, pointed by STORAGE_EMULATOR_HOST (the client's own switch) at a
// loopback server that keeps objects as Cloud Storage's JSON API does (the requests it answers are
// the documented objects insert, get with alt=media, list and delete). No Google account here.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageFromUrl } from '../functions/_shared/storage.mjs';

/** Objects by bucket and name, and the requests seen (method and path), for the assertions. */
class FakeGcs {
  readonly objects = new Map<string, Buffer>();
  readonly seen: string[] = [];

  handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    // The client puts the JSON API's /storage/v1 before an emulator's paths for uploads only.
    const route = url.pathname.replace(/^\/storage\/v1(?=\/b\/)/, '');
    this.seen.push(`${req.method} ${route}`);
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (req.method === 'POST' && upload) {
      const parts = multipart(req.headers['content-type'] ?? '', body);
      // The object's name is the query's `name` or the metadata part's, as the API documents.
      const name = url.searchParams.get('name') ?? parts.name;
      const data = parts.data;
      this.objects.set(`${upload[1]}/${name}`, data);
      // The client checks what it sent against the hash the service reports.
      return json(200, { bucket: upload[1], name, size: String(data.length), md5Hash: createHash('md5').update(data).digest('base64'), crc32c: crc32c(data) });
    }
    const object = /^\/b\/([^/]+)\/o\/(.+)$/.exec(route);
    if (object) {
      const id = `${object[1]}/${decodeURIComponent(object[2] as string)}`;
      const data = this.objects.get(id);
      if (!data) return json(404, { error: { code: 404, message: `No such object: ${id}` } });
      if (req.method === 'DELETE') {
        this.objects.delete(id);
        res.writeHead(204).end();
        return;
      }
      if (url.searchParams.get('alt') === 'media') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(data);
        return;
      }
    }
    const list = /^\/b\/([^/]+)\/o$/.exec(route);
    if (req.method === 'GET' && list) {
      const prefix = `${list[1]}/${url.searchParams.get('prefix') ?? ''}`;
      const items = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).map((k) => ({ bucket: list[1], name: k.slice(String(list[1]).length + 1) }));
      return json(200, { kind: 'storage#objects', items });
    }
    json(400, { error: { code: 400, message: `unexpected ${req.method} ${route}` } });
  }
}

function crc32c(data: Buffer): string {
  const hash = new CRC32C();
  hash.update(data);
  return hash.toString();
}

/** A multipart/related upload: the JSON metadata part names the object, the next part is its bytes. */
function multipart(contentType: string, body: Buffer): { name: string | undefined; data: Buffer } {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`not multipart: ${contentType}`);
  const parts = body.toString('latin1').split(`--${boundary}`).slice(1, -1);
  const bodies = parts.map((p) => p.slice(p.indexOf('\r\n\r\n') + 4, -2));
  const meta = JSON.parse(bodies[0] as string) as { name?: string };
  return { name: meta.name, data: Buffer.from(bodies[1] as string, 'latin1') };
}

describe('storage.mjs on gs:// through @google-cloud/storage', () => {
  const gcs = new FakeGcs();
  let server: Server;
  const saved = process.env.STORAGE_EMULATOR_HOST;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => gcs.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.STORAGE_EMULATOR_HOST = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = saved;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('maps logical buckets to prefixes of one real bucket: upload, download, list, remove', async () => {
    const storage = storageFromUrl('gs://bench-data/run-1');
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    expect(await storage.upload('110-html', 'templates/page.html', '<p>hi</p>')).toBe('templates/page.html');
    await storage.upload('110-html', 'raw.bin', bytes);
    await storage.upload('other', 'x', 'y');
    expect([...gcs.objects.keys()].sort()).toEqual(['bench-data/run-1/110-html/raw.bin', 'bench-data/run-1/110-html/templates/page.html', 'bench-data/run-1/other/x']);
    expect((await storage.download('110-html', 'templates/page.html')).toString()).toBe('<p>hi</p>');
    expect((await storage.download('110-html', 'raw.bin')).equals(bytes)).toBe(true);
    expect(await storage.list('110-html')).toEqual(['raw.bin', 'templates/page.html']);
    expect(await storage.list('110-html', 'tem')).toEqual(['templates/page.html']);
    await storage.remove('110-html', 'raw.bin');
    await storage.remove('110-html', 'raw.bin');
    expect(await storage.list('110-html')).toEqual(['templates/page.html']);
    await expect(storage.download('110-html', 'raw.bin')).rejects.toThrow('storage: no object "raw.bin" in bucket "110-html" (gs://bench-data/run-1)');
    expect(gcs.seen.filter((s) => s.startsWith('POST')).every((s) => s === 'POST /upload/storage/v1/b/bench-data/o')).toBe(true);
  });

  it('checks names as the other backends do, and names the URL form it expects', async () => {
    const storage = storageFromUrl('gs://bench-data');
    await expect(storage.upload('Bad_Bucket', 'k', 'v')).rejects.toThrow('bucket "Bad_Bucket" is not a valid name');
    await expect(storage.download('ok-bucket', '../x')).rejects.toThrow("climbs out of its bucket ('..')");
    expect(() => storageFromUrl('gs:///prefix')).toThrow('"gs:///prefix" names no bucket (expected gs://bucket[/prefix])');
    expect(() => storageFromUrl('ftp://x')).toThrow('gs://bucket[/prefix]');
  });
});
