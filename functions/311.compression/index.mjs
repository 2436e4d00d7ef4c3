// SeBS 311.compression: gathers every object under object.key/ in bucket.input (a "directory"),
// compresses them into one zip (deflate level 6, what SeBS's shutil.make_archive writes) and uploads
// <key>.zip to bucket.output. The files are held in memory rather than staged in /tmp: the timings
// then measure storage and compression, not the local disk.
import { zipSync } from 'fflate';
import { storageFromEnv } from './storage.mjs';
import { InvalidInput, stringField, timed } from './event.mjs';

export const handler = async (event) => {
  const inputBucket = stringField(event, 'bucket.input');
  const outputBucket = stringField(event, 'bucket.output');
  const directory = stringField(event, 'object.key').replace(/\/+$/, '');
  if (!directory) throw new InvalidInput('field "object.key": expected a directory name, got "/"');
  const storage = storageFromEnv();

  const [files, downloadTime] = await timed(() => downloadDirectory(storage, inputBucket, directory));
  const downloadSize = Object.values(files).reduce((sum, data) => sum + data.length, 0);
  const [archive, computeTime] = await timed(() => zipSync(files, { level: 6 }));
  const archiveKey = `${directory}.zip`;
  const [keyName, uploadTime] = await timed(() => storage.upload(outputBucket, archiveKey, archive));
  return {
    result: { bucket: outputBucket, key: keyName, files: Object.keys(files).length, archive_size: archive.length },
    measurement: { download_time: downloadTime, download_size: downloadSize, compute_time: computeTime, upload_time: uploadTime, upload_size: archive.length },
  };
};

/** Archive path (relative to the directory) -> bytes, for every object under `directory/`, in key order. */
async function downloadDirectory(storage, bucket, directory) {
  const keys = await storage.list(bucket, `${directory}/`);
  if (keys.length === 0) throw new InvalidInput(`field "object.key": no objects under "${directory}/" in bucket "${bucket}"`);
  const contents = new Array(keys.length);
  // A few downloads in flight overlap their latency, as SeBS's download_directory does on S3.
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      contents[i] = await storage.download(bucket, keys[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, keys.length) }, worker));
  return Object.fromEntries(keys.map((key, i) => [key.slice(directory.length + 1), contents[i]]));
}
