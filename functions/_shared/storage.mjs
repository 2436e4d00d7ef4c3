// The object storage the application benchmarks read and write, behind one small interface so the
// same function code runs on the local platform (a directory per bucket) and on AWS (S3).
//
//   file:///abs/dir          bucket b, key k -> /abs/dir/b/k (keys may contain '/': subfolders)
//   s3://real-bucket[/pre]   bucket b, key k -> s3://real-bucket/pre/b/k
//   gs://real-bucket[/pre]   bucket b, key k -> gs://real-bucket/pre/b/k (Google Cloud Storage)
//   azblob://account/container[/pre]  bucket b, key k -> blob pre/b/k in container (Azure Blob Storage)
//
// The S3 form maps logical buckets to key prefixes of one real bucket, so a benchmark needs a
// single bucket the user owns rather than one per benchmark. @aws-sdk/client-s3 is imported only
// on that path: Lambda's nodejs runtime has it built in; elsewhere it must be installed.
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// S3's bucket naming rules, so a name that works locally also works on AWS.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/** An error in how storage was called or configured, with the bucket and key it concerns. */
export class StorageError extends Error {
  constructor(message) {
    super(`storage: ${message}`);
    this.name = 'StorageError';
  }
}

const fromEnv = new Map();

/**
 * The storage behind FAASBENCH_STORAGE_URL (set by the platform, or by the user on AWS). One per
 * URL and process, so warm invocations reuse the S3 client and its connections.
 */
export function storageFromEnv(env = process.env) {
  const url = env.FAASBENCH_STORAGE_URL;
  if (!url) throw new StorageError('FAASBENCH_STORAGE_URL is not set (file:///dir locally, s3://bucket[/prefix] on AWS)');
  if (!fromEnv.has(url)) fromEnv.set(url, storageFromUrl(url));
  return fromEnv.get(url);
}

/**
 * `options.importS3` replaces `import('@aws-sdk/client-s3')`, for tests and for callers that
 * bring their own SDK build.
 */
export function storageFromUrl(url, options = {}) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new StorageError(`"${url}" is not a URL (expected file:///dir or s3://bucket[/prefix])`);
  }
  if (parsed.protocol === 'file:') return fileStorage(url, fileURLToPath(parsed));
  if (parsed.protocol === 's3:') return s3Storage(url, parsed, options.importS3 ?? (() => import('@aws-sdk/client-s3')));
  if (parsed.protocol === 'gs:') return gcsStorage(url, parsed, options.importGcs ?? (() => import('@google-cloud/storage')));
  if (parsed.protocol === 'azblob:') return blobStorage(url, parsed, options.importBlob ?? (() => import('@azure/storage-blob')), options.env ?? process.env);
  throw new StorageError(`unsupported URL "${url}" (expected file:///dir, s3://bucket[/prefix], gs://bucket[/prefix] or azblob://account/container[/prefix])`);
}

function checkBucket(bucket) {
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) {
    throw new StorageError(`bucket ${JSON.stringify(bucket)} is not a valid name (3-63 lowercase letters, digits, '.' or '-')`);
  }
}

function checkKey(key) {
  if (typeof key !== 'string' || key === '') throw new StorageError(`key ${JSON.stringify(key)} must be a non-empty string`);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new StorageError(`key "${key.slice(0, 40)}..." is longer than ${MAX_KEY_BYTES} bytes`);
  if (key.includes('\0')) throw new StorageError(`key ${JSON.stringify(key)} contains a NUL character`);
  const segments = key.split('/');
  if (segments.includes('..')) throw new StorageError(`key "${key}" climbs out of its bucket ('..')`);
  // Empty and '.' segments would name the same file as another key in a directory.
  if (segments.some((s) => s === '' || s === '.')) throw new StorageError(`key "${key}" has an empty or '.' path segment`);
}

function checkPrefix(prefix) {
  if (typeof prefix !== 'string') throw new StorageError(`prefix ${JSON.stringify(prefix)} must be a string`);
  if (prefix.split('/').includes('..')) throw new StorageError(`prefix "${prefix}" climbs out of its bucket ('..')`);
}

const asBuffer = (data) => {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new StorageError(`upload data must be a Buffer, Uint8Array or string, got ${typeof data}`);
};

function fileStorage(url, root) {
  const objectPath = (bucket, key) => path.join(root, bucket, ...key.split('/'));
  // Bucket names cannot start with '.', so in-flight uploads never show up as a bucket or key.
  const staging = path.join(root, '.uploads');

  return {
    url,
    async upload(bucket, key, data) {
      checkBucket(bucket);
      checkKey(key);
      const body = asBuffer(data);
      const target = objectPath(bucket, key);
      await sharedDir(path.dirname(target));
      await sharedDir(staging);
      // Written aside then renamed, so a reader never sees half an object.
      const temp = path.join(staging, randomBytes(8).toString('hex'));
      await writeFile(temp, body);
      await rename(temp, target);
      return key;
    },
    async download(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      try {
        return await readFile(objectPath(bucket, key));
      } catch (err) {
        if (err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'ENOTDIR') throw new StorageError(`no object "${key}" in bucket "${bucket}" (${url})`);
        throw err;
      }
    },
    async list(bucket, prefix = '') {
      checkBucket(bucket);
      checkPrefix(prefix);
      const keys = [];
      await walk(path.join(root, bucket), '', keys);
      return keys.filter((k) => k.startsWith(prefix)).sort();
    },
    async remove(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      // Like S3's DeleteObject: removing what is not there is not an error.
      await rm(objectPath(bucket, key), { force: true });
    },
  };
}

/**
 * Creates `dir` and its missing parents writable by everyone: on the local platform the host's
 * input generators and the functions' unprivileged instance user write the same buckets.
 */
async function sharedDir(dir) {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = dir; d.length >= first.length; d = path.dirname(d)) await chmod(d, 0o777);
}

async function walk(dir, relative, keys) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    const key = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walk(path.join(dir, entry.name), key, keys);
    else if (entry.isFile()) keys.push(key);
  }
}

function s3Storage(url, parsed, importS3) {
  const realBucket = parsed.hostname;
  if (!realBucket) throw new StorageError(`"${url}" names no bucket (expected s3://bucket[/prefix])`);
  const basePrefix = parsed.pathname.replace(/^\/+|\/+$/g, '');
  const objectKey = (bucket, key) => [basePrefix, bucket, key].filter(Boolean).join('/');
  let connection;

  const connect = () => {
    connection ??= importS3().then(
      (sdk) => ({ sdk, client: new sdk.S3Client({}) }),
      (err) => {
        connection = undefined;
        throw new StorageError(`${url} needs the package @aws-sdk/client-s3, which could not be loaded (${err.code ?? err.message}). ` + "Lambda's nodejs runtime includes it; elsewhere run `npm install @aws-sdk/client-s3`.");
      },
    );
    return connection;
  };

  return {
    url,
    async upload(bucket, key, data) {
      checkBucket(bucket);
      checkKey(key);
      const body = asBuffer(data);
      const { sdk, client } = await connect();
      await client.send(new sdk.PutObjectCommand({ Bucket: realBucket, Key: objectKey(bucket, key), Body: body }));
      return key;
    },
    async download(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      const { sdk, client } = await connect();
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: realBucket, Key: objectKey(bucket, key) }));
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (err) {
        if (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) throw new StorageError(`no object "${key}" in bucket "${bucket}" (${url})`);
        throw err;
      }
    },
    async list(bucket, prefix = '') {
      checkBucket(bucket);
      checkPrefix(prefix);
      const { sdk, client } = await connect();
      const strip = objectKey(bucket, '').length + 1;
      const keys = [];
      let token;
      do {
        const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: realBucket, Prefix: objectKey(bucket, '') + '/' + prefix, ContinuationToken: token }));
        for (const item of page.Contents ?? []) keys.push(item.Key.slice(strip));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async remove(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      const { sdk, client } = await connect();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: realBucket, Key: objectKey(bucket, key) }));
    },
  };
}

/**
 * Google Cloud Storage through `@google-cloud/storage`, imported on this path only: a function on
 * Cloud Functions lists it in its package.json; its credentials are the function's service account
 * (Application Default Credentials), and STORAGE_EMULATOR_HOST points the client elsewhere.
 */
function gcsStorage(url, parsed, importGcs) {
  const realBucket = parsed.hostname;
  if (!realBucket) throw new StorageError(`"${url}" names no bucket (expected gs://bucket[/prefix])`);
  const basePrefix = parsed.pathname.replace(/^\/+|\/+$/g, '');
  const objectKey = (bucket, key) => [basePrefix, bucket, key].filter(Boolean).join('/');
  let connection;

  const connect = () => {
    connection ??= importGcs().then(
      (sdk) => new sdk.Storage().bucket(realBucket),
      (err) => {
        connection = undefined;
        throw new StorageError(`${url} needs the package @google-cloud/storage, which could not be loaded (${err.code ?? err.message}); add it to the function's package.json`);
      },
    );
    return connection;
  };

  return {
    url,
    async upload(bucket, key, data) {
      checkBucket(bucket);
      checkKey(key);
      const body = asBuffer(data);
      const gcs = await connect();
      // One request for the object: resumable sessions pay an extra round trip per upload.
      await gcs.file(objectKey(bucket, key)).save(body, { resumable: false });
      return key;
    },
    async download(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      const gcs = await connect();
      try {
        const [bytes] = await gcs.file(objectKey(bucket, key)).download();
        return bytes;
      } catch (err) {
        if (err.code === 404) throw new StorageError(`no object "${key}" in bucket "${bucket}" (${url})`);
        throw err;
      }
    },
    async list(bucket, prefix = '') {
      checkBucket(bucket);
      checkPrefix(prefix);
      const gcs = await connect();
      const strip = objectKey(bucket, '').length + 1;
      const [files] = await gcs.getFiles({ prefix: objectKey(bucket, '') + '/' + prefix, autoPaginate: true });
      return files.map((f) => f.name.slice(strip)).sort();
    },
    async remove(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      const gcs = await connect();
      await gcs.file(objectKey(bucket, key)).delete({ ignoreNotFound: true });
    },
  };
}

/**
 * Azure Blob Storage through `@azure/storage-blob`, imported on this path only (a function deployed
 * with azure-functions lists it in its package.json). `azblob://account/container[/prefix]`: logical
 * buckets are prefixes in one container, as on S3. The credentials are a connection string for that
 * account: AZURE_STORAGE_CONNECTION_STRING, else the Function App's own AzureWebJobsStorage (its
 * account is the one azure-functions creates); a connection string's BlobEndpoint points the client
 * elsewhere (Azurite, a test server).
 */
function blobStorage(url, parsed, importBlob, env) {
  const account = parsed.hostname;
  const [container, ...rest] = parsed.pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (!account || !container) throw new StorageError(`"${url}" names no account and container (expected azblob://account/container[/prefix])`);
  const basePrefix = rest.join('/');
  const objectKey = (bucket, key) => [basePrefix, bucket, key].filter(Boolean).join('/');
  let connection;

  const connect = () => {
    connection ??= importBlob().then(
      (sdk) => sdk.BlobServiceClient.fromConnectionString(connectionStringFor(url, account, env)).getContainerClient(container),
      (err) => {
        connection = undefined;
        throw new StorageError(`${url} needs the package @azure/storage-blob, which could not be loaded (${err.code ?? err.message}); add it to the function's package.json`);
      },
    );
    return connection;
  };

  return {
    url,
    async upload(bucket, key, data) {
      checkBucket(bucket);
      checkKey(key);
      const body = asBuffer(data);
      const blobs = await connect();
      await blobs.getBlockBlobClient(objectKey(bucket, key)).upload(body, body.length);
      return key;
    },
    async download(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      const blobs = await connect();
      try {
        return await blobs.getBlobClient(objectKey(bucket, key)).downloadToBuffer();
      } catch (err) {
        if (err.statusCode === 404) throw new StorageError(`no object "${key}" in bucket "${bucket}" (${url})`);
        throw err;
      }
    },
    async list(bucket, prefix = '') {
      checkBucket(bucket);
      checkPrefix(prefix);
      const blobs = await connect();
      const strip = objectKey(bucket, '').length + 1;
      const keys = [];
      for await (const item of blobs.listBlobsFlat({ prefix: objectKey(bucket, '') + '/' + prefix })) keys.push(item.name.slice(strip));
      return keys.sort();
    },
    async remove(bucket, key) {
      checkBucket(bucket);
      checkKey(key);
      const blobs = await connect();
      await blobs.getBlobClient(objectKey(bucket, key)).deleteIfExists();
    },
  };
}

/** The connection string for `account`, refusing one for another account (it would write elsewhere). */
function connectionStringFor(url, account, env) {
  const name = env.AZURE_STORAGE_CONNECTION_STRING ? 'AZURE_STORAGE_CONNECTION_STRING' : env.AzureWebJobsStorage ? 'AzureWebJobsStorage' : undefined;
  if (!name) throw new StorageError(`${url} needs a connection string for account "${account}" in AZURE_STORAGE_CONNECTION_STRING (a Function App's AzureWebJobsStorage serves for its own account)`);
  const given = /(?:^|;)AccountName=([^;]+)/i.exec(env[name])?.[1];
  if (given !== account) throw new StorageError(`${url}: ${name} is for account "${given ?? '(none named)'}", not "${account}"`);
  return env[name];
}
