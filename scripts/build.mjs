#!/usr/bin/env node
// Compiles src/ to JavaScript in build/ (TypeScript's own emit, type checking left to `npm run
// typecheck`), so the CLI and its worker threads run without tsx's loader: the loader costs each
// thread that registers it its own loader thread, about 40 MB and 0.45 CPU-s, three times over in
// a run with a store writer and a shard thread. bin/faasbench.mjs uses build/ only while it is
// newer than every file under src/, and tsx otherwise: a clone runs without this step, and an edit
// is never shadowed by an older build.
//
// build/ mirrors the repository root, so the sources' paths relative to their own file
// (`../../functions`, `./protos/...`) hold: src's other files are copied beside the output, and
// the root's files the sources reach are linked.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'build');
/** What the sources reach outside src/ by a path relative to their own file. */
const LINKED = ['functions', 'traces', 'bin', 'package.json', 'Dockerfile'];
/** Test code and fixtures stay out: nothing in the CLI imports them. */
const isTestFile = (rel) => /\.test\.ts$/.test(rel) || rel.split(path.sep).includes('testing');

function typescriptCompiler() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

function filesUnder(dir, rel = '') {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const child = path.join(rel, e.name);
    return e.isDirectory() ? filesUnder(dir, child) : [child];
  });
}

function compile(tsc, sources) {
  const config = path.join(OUT, 'tsconfig.json');
  const options = {
    extends: '../tsconfig.json',
    compilerOptions: { noEmit: false, noCheck: true, rewriteRelativeImportExtensions: true, rootDir: '../src', outDir: './src', declaration: false },
    files: sources.map((rel) => path.join('../src', rel)),
    include: [],
  };
  writeFileSync(config, JSON.stringify(options, null, 2));
  execFileSync(process.execPath, [tsc, '-p', config], { cwd: ROOT, stdio: 'inherit' });
}

const tsc = typescriptCompiler();
if (!tsc) {
  console.log('build: typescript is not installed (a production install), so the CLI runs the sources through tsx');
  process.exit(0);
}
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const files = filesUnder(path.join(ROOT, 'src')).filter((rel) => !isTestFile(rel));
compile(
  tsc,
  files.filter((rel) => rel.endsWith('.ts')),
);
for (const rel of files.filter((f) => !f.endsWith('.ts'))) {
  mkdirSync(path.dirname(path.join(OUT, 'src', rel)), { recursive: true });
  copyFileSync(path.join(ROOT, 'src', rel), path.join(OUT, 'src', rel));
}
for (const name of LINKED) if (existsSync(path.join(ROOT, name))) symlinkSync(path.join('..', name), path.join(OUT, name));
// Written last: bin/build-freshness.mjs compares this file's time with the sources'.
writeFileSync(path.join(OUT, 'BUILT'), `${new Date().toISOString()}\n`);
console.log(`build: ${files.length} files of src/ compiled and copied to build/src`);
