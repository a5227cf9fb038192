// Lint: ESLint's and typescript-eslint's recommended rules. Import cycles and dependency direction are
// checked by dependency-cruiser (.dependency-cruiser.cjs); formatting by Prettier.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Enums are not erasable syntax; use an `as const` object.',
        },
      ],
    },
  },
  {
    // The edge app's request-time modules (EDGE_APP in .dependency-cruiser.cjs, which keeps node: imports out):
    // no Node globals either, so that the app could run on another runtime.
    files: [
      'edge/{app,api-key,candle-time,clock,context,errors,format,http-error,ip-allow-list,markets,money,openapi,params,rate-limits,tickers}.ts',
      'edge/openapi/**/*.ts',
      'edge/routes/**/*.ts',
      'edge/middleware/signed/**/*.ts',
      'edge/middleware/rate-limit/{index,limiter,headers,memory-limiter}.ts',
    ],
    ignores: ['**/*.test.ts', '**/test-*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', 'global', 'require', 'module', '__dirname', '__filename'].map((name) => ({
          name,
          message:
            'The edge app is web-standard: Node belongs in the adapters (key-store.ts, serve.ts, ...).',
        })),
        ...['setImmediate', 'clearImmediate'].map((name) => ({
          name,
          message: 'Use setTimeout or queueMicrotask.',
        })),
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'matcher/core/test-kit.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
