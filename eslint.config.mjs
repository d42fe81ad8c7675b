import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { packageBoundary } from './eslint/packageBoundary.cjs';

export default tseslint.config(
  { ignores: ['**/dist/', 'dist-dev/', 'dist-bench/', 'dist-package/', 'dist-infra/', 'dist-conformance/', 'conformance/IdentityModelJudge/', 'coverage/', '**/node_modules/', '.dev-state/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings once in lib/config and pass them down.' }],
      'boundary/package-boundary': 'error',
    },
    plugins: { boundary: { rules: { 'package-boundary': packageBoundary } } },
  },
  {
    // The composition root and the tooling are where the environment is read (the dev
    // package is tooling: command lines, each reading its environment at its entry).
    files: ['functions/index.ts', 'test/**', 'packages/*/test/**', 'dev/**', 'packages/azure-functions-entra-dev/src/**', 'bench/**', 'conformance/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**', 'packages/*/test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
