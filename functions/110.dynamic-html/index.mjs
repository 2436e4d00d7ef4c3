// SeBS 110.dynamic-html: a dynamic web page. Renders a mustache template with the user's name, the
// time and random_len random integers in [0, 100]. Like SeBS, the numbers come from Math.random and
// the template is read on every call: both are part of what the benchmark measures.
import { readFile } from 'node:fs/promises';
import Mustache from 'mustache';
import { intField, stringField, timed } from './event.mjs';

const TEMPLATE = new URL('./templates/page.html', import.meta.url);
// Each number adds about 15 bytes of HTML: this keeps the response under Lambda's 6 MB.
const MAX_RANDOM_LEN = 200_000;

const randomInt = (low, high) => Math.round(Math.random() * (high - low) + low);

export const handler = async (event) => {
  const username = stringField(event, 'username');
  const randomLen = intField(event, 'random_len', { min: 0, max: MAX_RANDOM_LEN });
  const [html, computeTime] = await timed(async () => {
    const numbers = Array.from({ length: randomLen }, () => randomInt(0, 100));
    const template = await readFile(TEMPLATE, 'utf8');
    return Mustache.render(template, { username, cur_time: new Date().toLocaleString('en-US'), count: randomLen, random_numbers: numbers });
  });
  return { result: html, measurement: { compute_time: computeTime } };
};
