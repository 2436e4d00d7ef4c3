/** Lambda's tagging operations, on a function's ARN (tags belong to the function, not a version). */
import { z } from 'zod';
import { readBody, sendJson } from './http-io.ts';
import { parseWith } from './lambda-shapes.ts';
import { functionRefOf, MAX_PAYLOAD_BYTES } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

const tagSchema = z.strictObject({ Tags: z.record(z.string(), z.string()) });

/** Tags are on the unqualified ARN; a qualified one names the same function. */
const functionOf = (arn: string): string => functionRefOf(arn).name;

export async function listTags({ platform, res, name }: RouteContext): Promise<void> {
  sendJson(res, 200, { Tags: platform.tags(functionOf(name)) });
}

export async function tagResource({ platform, req, res, name }: RouteContext): Promise<void> {
  platform.tag(functionOf(name), parseWith(tagSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'TagResource').Tags);
  res.writeHead(204).end();
}

export async function untagResource({ platform, res, name, url }: RouteContext): Promise<void> {
  platform.untag(functionOf(name), url.searchParams.getAll('tagKeys'));
  res.writeHead(204).end();
}
