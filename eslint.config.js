// ESLint decides what the TypeScript may not do (typescript-eslint's and React hooks' recommended rules); Prettier
// decides how it looks (.prettierrc.json). `npm run lint` runs both, and clang-format for native/.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    rules: {
      // `_` names what a destructuring leaves out on purpose.
      // A terminal program matches escape sequences: control characters in its patterns are the point.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
