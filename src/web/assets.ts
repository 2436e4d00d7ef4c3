/**
 * The pages' scripts and stylesheet, read from src/web/assets/ once at start: a fixed set, so no
 * request path ever reaches the file system. They hold no run data, which is why they are served
 * without the token (a <script src> cannot send an Authorization header).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebResponse } from './responses.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const TYPES: Readonly<Record<string, string>> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export type Assets = ReadonlyMap<string, WebResponse>;

export function loadAssets(dir = DIR): Assets {
  const assets = new Map<string, WebResponse>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { status: 200, type, body: readFileSync(path.join(dir, name)), headers: { 'cache-control': 'no-cache' } });
  }
  return assets;
}
