// Lint: typescript-eslint's recommended rules, plus the architecture rules from DESIGN.md
// (the engine never imports vscode or touches the DOM; the webview never imports the engine).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'runs/**', '.e2e-cache/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/engine must not import vscode (see DESIGN.md).' }],
          patterns: ['**/extension/**', '**/webview/**'],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document'],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the webview runs in a browser' }],
          patterns: ['**/engine/**', '@tensorflow/*', 'fs', 'node:*'],
        },
      ],
    },
  },
);
