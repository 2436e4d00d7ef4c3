// Types of storage.mjs, for the TypeScript tests and input-generator callers.

export class StorageError extends Error {}

export interface Storage {
  /** The URL this storage was made from. */
  readonly url: string;
  /** Stores `data` under `bucket`/`key`, replacing any object there; resolves to the key. */
  upload(bucket: string, key: string, data: Buffer | Uint8Array | string): Promise<string>;
  /** The object's bytes; rejects with a StorageError naming bucket and key when it is missing. */
  download(bucket: string, key: string): Promise<Buffer>;
  /** The keys in `bucket` that start with `prefix`, sorted; [] for a bucket that does not exist. */
  list(bucket: string, prefix?: string): Promise<string[]>;
  /** Deletes the object; deleting a missing object is not an error. */
  remove(bucket: string, key: string): Promise<void>;
}

export interface StorageOptions {
  /** Replaces `import('@aws-sdk/client-s3')` on the s3:// path. */
  importS3?: () => Promise<unknown>;
  /** Replaces `import('@google-cloud/storage')` on the gs:// path. */
  importGcs?: () => Promise<unknown>;
  /** Replaces `import('@azure/storage-blob')` on the azblob:// path. */
  importBlob?: () => Promise<unknown>;
  /** Where the azblob:// path reads its connection string (default process.env). */
  env?: Record<string, string | undefined>;
}

export function storageFromUrl(url: string, options?: StorageOptions): Storage;
export function storageFromEnv(env?: Record<string, string | undefined>): Storage;
