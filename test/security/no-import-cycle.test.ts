// No import cycle under src/platform/: the APIs are adapters over PlatformApi, and platform.ts
// attaches them; nothing the platform imports may import the platform (or each other) back.
//
// Type-only imports count. They create no cycle at run time (TypeScript erases them), but the cycle
// this test guards against was one of design: gateway.ts took `LocalPlatform` as a type while the
// APIs took values from platform.ts, and the type import alone still tied the adapters to the whole
// platform, which is what kept them from being tested without it. Dynamic `import()` does not count:
// it runs later, on purpose.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/platform.ts';

const ROOT = path.join(REPO, 'src/platform');

/** Every .ts file under the folder, tests and test helpers included: they must not close a cycle either. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sources(file);
    return e.name.endsWith('.ts') ? [file] : [];
  });
}

/** Relative specifiers of static `import ... from` and `export ... from` statements, multi-line ones included. */
export function importsOf(text: string): string[] {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [...withoutComments.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm), ...withoutComments.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)];
  return specifiers.map((m) => m[1] as string).filter((s) => s.startsWith('.'));
}

function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sources(ROOT)) {
    const targets = importsOf(readFileSync(file, 'utf8'))
      .map((spec) => path.resolve(path.dirname(file), spec))
      .filter((target) => target.startsWith(ROOT + path.sep));
    edges.set(file, targets);
  }
  return edges;
}

/** One cycle per strongly connected part, as the files in order, or none. */
export function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('src/platform imports', () => {
  it('has no cycle', () => {
    const shown = cycles(graph()).map((c) => c.map((f) => path.relative(ROOT, f)).join(' -> '));
    expect(shown).toEqual([]);
  });

  it('the parser sees what a cycle is made of (import, import type, export from, multi-line)', () => {
    const text = ["import { a } from './a.ts';", "import type { B } from './b.ts';", "export { c } from './c.ts';", 'import {', '  d,', "} from './d.ts';", "import 'node:fs';", "// import { e } from './e.ts';", "const f = await import('./f.ts');"].join('\n');
    expect(importsOf(text)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts']);
    const edges = new Map([['x', ['y']], ['y', ['z']], ['z', ['x']], ['w', ['x']]]);
    expect(cycles(edges)).toEqual([['x', 'y', 'z', 'x']]);
  });
});
