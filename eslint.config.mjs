// Lint: typescript-eslint's recommended rules, plus the layering of docs/architecture.md:
//   src/shared     browser-safe: no TensorFlow, no vscode, no Node built-ins, no DOM
//   src/runStore   Node only (fs): no TensorFlow, no vscode, no DOM
//   src/engine     TensorFlow.js: no vscode, no DOM, no extension or webview code
//   src/extension  vscode: no TensorFlow, no engine code (it forks the engine process)
//   webview        browser: no vscode, no TensorFlow, no engine, no file system
// A chapter's info.ts (read by every side through the course catalogue) imports src/shared only.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'crypto', 'util', 'url', 'events', 'stream'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'runs/**', '.e2e-cache/**', '**/*.js', '**/*.mjs'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', ...NODE_BUILTINS],
          patterns: ['node:*', '@tensorflow/*', '**/engine/**', '**/extension/**', '**/runStore/**', '**/webview/**'],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer'],
    },
  },
  {
    files: ['src/runStore/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['vscode'], patterns: ['@tensorflow/*', '**/engine/**', '**/extension/**', '**/webview/**'] },
      ],
      'no-restricted-globals': ['error', 'window', 'document'],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/engine must not import vscode (docs/architecture.md).' }],
          patterns: ['**/extension/**', '**/webview/**'],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document'],
    },
  },
  {
    files: ['src/engine/chapters/*/info.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!(\\.\\./)+shared/)', message: 'a chapter info file imports src/shared only' }] },
      ],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'the extension host never runs TensorFlow' },
            {
              group: ['**/engine/**'],
              message: 'the extension talks to the engine process through src/shared/protocol',
            },
            { group: ['**/webview/**'], message: 'the webview is reached through postMessage' },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the webview runs in a browser' }, ...NODE_BUILTINS],
          patterns: ['**/engine/**', '**/runStore/**', '**/extension/**', '@tensorflow/*', 'node:*'],
        },
      ],
    },
  },
);
