// Lint, including DESIGN.md's import rules: which top-level folder may import which.
import tseslint from 'typescript-eslint';

const ours = ['agent', 'host', 'protocol', 'electron', 'renderer'];
function only(folder, allowed) {
  const banned = ours.filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`${folder}/**/*.ts`, `${folder}/**/*.tsx`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: banned.map((b) => ({
          group: [`**/${b}/src/**`, `**/${b}/src`, `../${b}/**`],
          message: `DESIGN.md: ${folder}/ may not import ${b}/`,
        })),
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.d.ts', 'test/.work/**', 'vm-image/out/**', 'bench/.work/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  only('protocol', []),
  only('agent', ['protocol']),
  only('host', ['protocol']),
  only('electron', ['host', 'protocol']),
  only('renderer', ['protocol']),
  // DESIGN.md: renderer/ takes protocol/'s types only (its values pull zod into the bundle), and
  // runs sandboxed: no Node built-ins, no electron.
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/protocol/src/**', '**/protocol/src'], allowTypeImports: true, message: 'renderer/ imports protocol/ types only (import type).' },
          { group: ['node:*', 'electron', 'fs', 'path', 'child_process', 'os', 'net'], message: 'renderer/ runs in a sandboxed page: no Node, no electron.' },
        ],
      }],
    },
  },
);
