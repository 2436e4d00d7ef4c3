// Lint rules: typescript-eslint's recommended set, plus the import layering of DESIGN.md §2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (folder, forbidden) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((f) => ({ group: [`**/${f}/*`, `../${f}/*`], message: `src/${folder} must not import src/${f} (DESIGN.md §2 layers)` })) }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', '.faasbench/', 'coverage/', 'build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS on purpose (the nodejs runtime: see its header).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  layer('core', ['platform', 'providers', 'cli', 'invoker', 'experiments', 'report', 'web', 'store']),
  layer('platform', ['providers', 'cli', 'invoker', 'experiments', 'report', 'web', 'store']),
  layer('store', ['platform', 'providers', 'cli', 'invoker', 'experiments', 'report', 'web']),
  layer('providers', ['cli', 'invoker', 'experiments', 'report', 'web', 'store']),
  layer('invoker', ['cli', 'experiments', 'report', 'web', 'providers', 'store', 'platform', 'invoker-threads']),
  // The threads build their shard's provider by name (the registry) and send with the invoker; the
  // store writer and everything else stay on the main thread.
  layer('invoker-threads', ['cli', 'experiments', 'report', 'web', 'store', 'platform']),
  layer('spans', ['platform', 'providers', 'cli', 'invoker', 'experiments', 'report', 'web', 'store', 'trace', 'workload', 'analysis']),
  layer('workload', ['platform', 'providers', 'cli', 'invoker', 'experiments', 'report', 'web', 'store']),
);
