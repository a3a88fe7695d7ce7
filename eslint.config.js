import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['**/dist/**', '**/node_modules/**', '.stack/**', '.tap/**'] }),
  {
    // House style: a zod schema and its inferred type share one name (`export const X` + `export type X`).
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  }
]
