import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-device/**', 'node_modules/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/ddi/**', 'src/download/**', 'src/rauc/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/agent/**', '../agent/*'], message: 'ddi/, download/ and rauc/ must not import agent/.' },
        ],
      }],
    },
  },
  // CommonJS files (a preload that must not bring ES module machinery into the program it measures).
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['src/ddi/**'], rules: { 'no-restricted-imports': ['error', { patterns: ['../download/*', '../rauc/*', '../agent/*'] }] } },
  { files: ['src/download/**'], rules: { 'no-restricted-imports': ['error', { patterns: ['../ddi/*', '../rauc/*', '../agent/*'] }] } },
  { files: ['src/rauc/**'], rules: { 'no-restricted-imports': ['error', { patterns: ['../ddi/*', '../download/*', '../agent/*'] }] } },
);
