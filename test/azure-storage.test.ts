// The application benchmarks' storage on an azblob:// URL: storage.mjs with the real
// @azure/storage-blob client, against a loopback server that keeps blobs as the Blob service's REST
// API does (Put Blob, Get Blob Properties, Get Blob with x-ms-range, List Blobs, Delete Blob), reached
// through a connection string's BlobEndpoint as Azurite is.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageFromUrl } from '../functions/_shared/storage.mjs';

const ACCOUNT = 'benchacct';
const KEY = Buffer.from('a-test-account-key-of-some-length').toString('base64');

/** Blobs by `container/name`; each request's method and path kept for the assertions. */
class BlobServer {
  readonly blobs = new Map<string, Buffer>();
  readonly requests: string[] = [];
  server!: Server;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${ACCOUNT}`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, account, container, ...name] = url.pathname.split('/').map(decodeURIComponent);
    this.requests.push(`${req.method} ${url.pathname}${url.searchParams.get('comp') ? `?comp=${url.searchParams.get('comp')}` : ''}`);
    const common = { 'x-ms-request-id': 'r', 'x-ms-version': String(req.headers['x-ms-version']), etag: '"e"', 'last-modified': new Date(0).toUTCString() };
    if (account !== ACCOUNT || !String(req.headers.authorization).startsWith(`SharedKey ${ACCOUNT}:`)) return void res.writeHead(403, common).end();
    if (url.searchParams.get('comp') === 'list') return this.list(res, container!, url.searchParams.get('prefix') ?? '', common);
    const id = `${container}/${name.join('/')}`;
    const blob = this.blobs.get(id);
    const missing = (): void => void res.writeHead(404, { ...common, 'x-ms-error-code': 'BlobNotFound' }).end();
    if (req.method === 'PUT') {
      this.blobs.set(id, Buffer.concat(chunks));
      return void res.writeHead(201, common).end();
    }
    if (!blob) return missing();
    if (req.method === 'DELETE') {
      this.blobs.delete(id);
      return void res.writeHead(202, common).end();
    }
    const head = { ...common, 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/octet-stream' };
    if (req.method === 'HEAD') return void res.writeHead(200, { ...head, 'content-length': blob.length }).end();
    const range = /bytes=(\d+)-(\d+)?/.exec(String(req.headers['x-ms-range'] ?? req.headers.range ?? ''));
    const from = range ? Number(range[1]) : 0;
    const to = range?.[2] !== undefined ? Math.min(Number(range[2]), blob.length - 1) : blob.length - 1;
    const part = blob.subarray(from, to + 1);
    res.writeHead(range ? 206 : 200, { ...head, 'content-length': part.length, ...(range ? { 'content-range': `bytes ${from}-${to}/${blob.length}` } : {}) }).end(part);
  }

  private list(res: ServerResponse, container: string, prefix: string, common: Record<string, string>): void {
    const names = [...this.blobs.keys()].filter((id) => id.startsWith(`${container}/${prefix}`)).map((id) => id.slice(container.length + 1));
    const blobs = names.map((n) => `<Blob><Name>${n}</Name><Properties><Content-Length>${this.blobs.get(`${container}/${n}`)!.length}</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>`).join('');
    const xml = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${this.endpoint}" ContainerName="${container}"><Prefix>${prefix}</Prefix><Blobs>${blobs}</Blobs><NextMarker /></EnumerationResults>`;
    res.writeHead(200, { ...common, 'content-type': 'application/xml' }).end(xml);
  }
}

describe('storage.mjs on azblob:// through @azure/storage-blob', () => {
  const server = new BlobServer();
  let env: Record<string, string>;
  beforeAll(async () => {
    await server.start();
    env = { AzureWebJobsStorage: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${server.endpoint};` };
  });
  afterAll(async () => {
    await new Promise((resolve) => server.server.close(resolve));
  });

  it('maps bucket and key under the URL prefix of one container, lists by prefix, names missing objects, removes quietly', async () => {
    const s = storageFromUrl(`azblob://${ACCOUNT}/bench-data/run-1`, { env });
    expect(await s.upload('faasbench-x', 'dir/a.txt', 'alpha')).toBe('dir/a.txt');
    await s.upload('faasbench-x', 'b.bin', Buffer.from([1, 2, 3]));
    await s.upload('faasbench-y', 'other.txt', 'not listed');
    expect([...server.blobs.keys()].sort()).toEqual(['bench-data/run-1/faasbench-x/b.bin', 'bench-data/run-1/faasbench-x/dir/a.txt', 'bench-data/run-1/faasbench-y/other.txt']);
    expect((await s.download('faasbench-x', 'dir/a.txt')).toString('utf8')).toBe('alpha');
    expect([...(await s.download('faasbench-x', 'b.bin'))]).toEqual([1, 2, 3]);
    expect(await s.list('faasbench-x')).toEqual(['b.bin', 'dir/a.txt']);
    expect(await s.list('faasbench-x', 'dir/')).toEqual(['dir/a.txt']);
    await expect(s.download('faasbench-x', 'missing.txt')).rejects.toThrow(`storage: no object "missing.txt" in bucket "faasbench-x" (azblob://${ACCOUNT}/bench-data/run-1)`);
    await s.remove('faasbench-x', 'dir/a.txt');
    await s.remove('faasbench-x', 'dir/a.txt');
    expect(await s.list('faasbench-x')).toEqual(['b.bin']);
    expect(server.requests.filter((r) => r.startsWith('PUT'))).toEqual([
      `PUT /${ACCOUNT}/bench-data/run-1/faasbench-x/dir/a.txt`,
      `PUT /${ACCOUNT}/bench-data/run-1/faasbench-x/b.bin`,
      `PUT /${ACCOUNT}/bench-data/run-1/faasbench-y/other.txt`,
    ]);
  });

  it('prefers AZURE_STORAGE_CONNECTION_STRING, and refuses one for another account or none at all', async () => {
    const own = storageFromUrl(`azblob://${ACCOUNT}/c`, { env: { AZURE_STORAGE_CONNECTION_STRING: env.AzureWebJobsStorage!, AzureWebJobsStorage: 'AccountName=elsewhere;AccountKey=x' } });
    await own.upload('faasbench-z', 'k', 'v');
    expect(server.blobs.get('c/faasbench-z/k')?.toString('utf8')).toBe('v');
    await expect(storageFromUrl(`azblob://${ACCOUNT}/c`, { env: { AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=elsewhere;AccountKey=eA==' } }).list('faasbench-z')).rejects.toThrow(
      `storage: azblob://${ACCOUNT}/c: AzureWebJobsStorage is for account "elsewhere", not "${ACCOUNT}"`,
    );
    await expect(storageFromUrl(`azblob://${ACCOUNT}/c`, { env: {} }).list('faasbench-z')).rejects.toThrow(`storage: azblob://${ACCOUNT}/c needs a connection string for account "${ACCOUNT}" in AZURE_STORAGE_CONNECTION_STRING`);
  });

  it('says what is wrong with a URL, and which package is missing', async () => {
    expect(() => storageFromUrl('azblob://acct')).toThrow('storage: "azblob://acct" names no account and container (expected azblob://account/container[/prefix])');
    const s = storageFromUrl(`azblob://${ACCOUNT}/c`, { env, importBlob: () => Promise.reject(Object.assign(new Error("Cannot find package '@azure/storage-blob'"), { code: 'ERR_MODULE_NOT_FOUND' })) });
    await expect(s.list('faasbench-x')).rejects.toThrow(`storage: azblob://${ACCOUNT}/c needs the package @azure/storage-blob, which could not be loaded (ERR_MODULE_NOT_FOUND); add it to the function's package.json`);
  });
});
