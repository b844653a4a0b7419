/** Types of bench/docs-tables.mjs for the tests that import it. */
export interface Results {
  latest?: Record<string, any>
  quality?: { worlds: Array<Record<string, any>>; [key: string]: unknown }
  peers?: { worlds: Array<Record<string, any>> }
}
export const DOC_FILES: string[]
export function loadResults(dir?: string): Results
export const REGIONS: Record<string, (results: Results) => string>
export function rewrite(text: string, results: Results, file?: string): string
export function lineDiff(before: string, after: string): string
export function run(options?: { check?: boolean; root?: string; results?: Results }): Array<{ file: string; diff: string }>
