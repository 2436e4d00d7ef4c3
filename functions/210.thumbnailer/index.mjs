// SeBS 210.thumbnailer: downloads object.key from bucket.input, resizes it to object.width x
// object.height with sharp and uploads the PNG to bucket.output as <name>.png, as SeBS's nodejs
// version does (sharp's default fit "cover": exactly the requested size, cropped to keep the aspect).
import path from 'node:path';
import sharp from 'sharp';
import { storageFromEnv } from './storage.mjs';
import { InvalidInput, intField, stringField, timed } from './event.mjs';

const MAX_SIDE = 10_000;

export const handler = async (event) => {
  const inputBucket = stringField(event, 'bucket.input');
  const outputBucket = stringField(event, 'bucket.output');
  const key = stringField(event, 'object.key');
  const width = intField(event, 'object.width', { min: 1, max: MAX_SIDE });
  const height = intField(event, 'object.height', { min: 1, max: MAX_SIDE });
  const storage = storageFromEnv();

  const [image, downloadTime] = await timed(() => storage.download(inputBucket, key));
  const [thumbnail, computeTime] = await timed(() => resize(image, width, height, key));
  const outputKey = `${key.slice(0, key.length - path.posix.extname(key).length)}.png`;
  const [keyName, uploadTime] = await timed(() => storage.upload(outputBucket, outputKey, thumbnail.data));
  return {
    result: { bucket: outputBucket, key: keyName, width: thumbnail.info.width, height: thumbnail.info.height },
    measurement: { download_time: downloadTime, download_size: image.length, compute_time: computeTime, upload_time: uploadTime, upload_size: thumbnail.data.length },
  };
};

async function resize(image, width, height, key) {
  try {
    return await sharp(image).resize(width, height).png().toBuffer({ resolveWithObject: true });
  } catch (err) {
    // sharp's own words ("unsupported image format") say what is wrong; the key says which input.
    throw new InvalidInput(`field "object.key": ${key} is not an image sharp can read (${err.message})`);
  }
}
