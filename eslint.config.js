import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'renderer/dist/**', 'node_modules/**', 'test-results/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        { name: 'electron', message: 'main/core never imports electron: inject a port instead.' },
        { name: 'electron-store', message: 'main/core never imports electron-store: use the SettingsStore port.' },
      ] }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use the injected Clock port.' },
        { name: 'setInterval', message: 'Use the injected Clock port.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected Clock port.' }],
    },
  },
);
