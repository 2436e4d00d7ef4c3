// SeBS 120.uploader: downloads the file at object.url and uploads it to bucket.output under the
// URL's file name. Besides http(s):// URLs it takes storage://bucket/key, read through the storage
// interface, so the benchmark runs where there is no internet (the local platform, a closed VPC).
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { storageFromEnv } from './storage.mjs';
import { InvalidInput, stringField, timed } from './event.mjs';

const MAX_REDIRECTS = 5;
const MAX_FETCH_MS = 30_000;

export const handler = async (event, context) => {
  const url = parseUrl(stringField(event, 'object.url'));
  const outputBucket = stringField(event, 'bucket.output');
  const key = path.posix.basename(decodedPath(url));
  if (!key || key === '/') throw new InvalidInput(`field "object.url": ${url.href} names no file to upload`);
  const storage = storageFromEnv();

  // Leave a second of the function's time for the upload and the reply.
  const fetchMs = Math.max(1000, Math.min(MAX_FETCH_MS, (context?.getRemainingTimeInMillis?.() ?? MAX_FETCH_MS) - 1000));
  const [body, downloadTime] = await timed(() => fetchBody(url, storage, fetchMs));
  const [keyName, uploadTime] = await timed(() => storage.upload(outputBucket, key, body));
  return {
    result: { bucket: outputBucket, url: url.href, key: keyName },
    // SeBS books the fetch as compute_time with download_time 0; here it is named for what it is.
    measurement: { download_time: downloadTime, download_size: body.length, upload_time: uploadTime, upload_size: body.length },
  };
};

function parseUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInput(`field "object.url": "${text}" is not a URL`);
  }
  if (!['http:', 'https:', 'storage:'].includes(url.protocol)) {
    throw new InvalidInput(`field "object.url": unsupported scheme "${url.protocol}" (expected http:, https: or storage:)`);
  }
  return url;
}

function decodedPath(url) {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    throw new InvalidInput(`field "object.url": ${url.href} has a malformed %-escape in its path`);
  }
}

async function fetchBody(url, storage, timeoutMs) {
  if (url.protocol === 'storage:') {
    const key = decodedPath(url).replace(/^\//, '');
    if (!url.hostname || !key) throw new InvalidInput(`field "object.url": expected storage://bucket/key, got ${url.href}`);
    return storage.download(url.hostname, key);
  }
  const deadline = Date.now() + timeoutMs;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const reply = await get(current, deadline);
    if (reply.location === undefined) return reply.body;
    current = new URL(reply.location, current);
    if (!['http:', 'https:'].includes(current.protocol)) throw new Error(`${url.href} redirected to unsupported ${current.href}`);
  }
  throw new Error(`${url.href}: more than ${MAX_REDIRECTS} redirects`);
}

/** One GET: the body of a 2xx, the target of a 3xx, an error for anything else or past the deadline. */
function get(url, deadline) {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: { 'user-agent': 'faasbench-uploader' } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        resolve({ location: response.headers.location });
        return;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        reject(new Error(`GET ${url.href} answered ${status} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    const remaining = deadline - Date.now();
    const timer = setTimeout(() => request.destroy(new Error(`GET ${url.href} took longer than its ${Math.round(remaining)} ms`)), Math.max(0, remaining));
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
  });
}
