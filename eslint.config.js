import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CORE_GROUPS = ['backend', 'connection', 'leases', 'litellm', 'roles', 'settings', 'keychain', 'tools', 'vault', 'sso', 'http'];
const CORE_PATHS = [
  { name: 'electron', message: 'main/core never imports electron: inject a port instead.' },
  { name: 'electron-store', message: 'main/core never imports electron-store: use the SettingsStore port.' },
];

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
      'no-restricted-imports': coreImports(),
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use the injected Clock port.' },
        { name: 'setInterval', message: 'Use the injected Clock port.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected Clock port.' }],
    },
  },
  // Size limits (blank lines and comments not counted): a function fits on a screen or two, a file is one concept.
  {
    files: ['**/*.ts'],
    rules: { 'max-lines': ['error', { max: 450, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 200, skipBlankLines: true, skipComments: true }] },
  },
  // The seam: the lease operations speak only the KeyBackend port (main/core/backend/), never LiteLLM's client.
  {
    files: ['main/core/leases/**/*.ts'],
    rules: {
      // A block's rule options replace the core block's, so the core's restrictions are repeated here, plus the seam's.
      'no-restricted-imports': coreImports(
        { group: ['**/litellm', '**/litellm/*'], message: 'main/core/leases/ speaks only the KeyBackend port (main/core/backend/): it never imports litellm/.' },
      ),
    },
  },
  // Outside main/core, a core group is reached only through its index.ts (tests may reach in).
  {
    files: ['main/*.ts', 'main/cli/**/*.ts', 'main/ipc/**/*.ts', 'main/electron/**/*.ts', 'main/adapters/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: coreGroupInternals() }] },
  },
  // The window sees only the contract: types from preload/api.ts, nothing from main/.
  {
    files: ['renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/main/**', '**/main'], message: 'The renderer imports only the contract: add the type to preload/api.ts.' },
        { group: ['**/preload/*', '!**/preload/api.js', '!**/preload/lease-rules.js'], message: 'The renderer imports the contract only: preload/api.ts and its shared rules, preload/lease-rules.ts.' },
      ] }],
    },
  },
);

/** What main/core may not import (electron, the outer layers, another group's internals), plus `extra` patterns. */
function coreImports(...extra) {
  return ['error', {
    paths: CORE_PATHS,
    patterns: [
      ...outwardLayers('main/core imports nothing from the app, the CLI, the IPC layer, the preload or the renderer.'),
      ...coreGroupInternals(),
      ...extra,
    ],
  }];
}

/** Each core group (main/core/<group>/) is entered through its index.ts; its other files are its own business. */
function coreGroupInternals() {
  return CORE_GROUPS.map((group) => ({
    group: [`**/${group}/*`, `!**/${group}/index.js`],
    message: `Import main/core/${group}/ through its index.js: its other files are internal to the group.`,
  }));
}

function outwardLayers(message) {
  return [{ group: ['**/cli/**', '**/ipc/**', '**/electron/**', '**/preload/**', '**/renderer/**', '**/main/app.js', '../../app.js', '../app.js'], message }];
}
