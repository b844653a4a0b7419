/** Type-level and runtime parsing of the `'question, context -> answer'` shorthand. */

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S
type Names<S extends string> = S extends `${infer A},${infer B}` ? Trim<A> | Names<B> : Trim<S>

/** Input field types of a shorthand signature string (all strings). */
export type ShorthandInputs<S extends string> = S extends `${infer I}->${string}`
  ? { [K in Names<I>]: string }
  : Record<string, string>

/** Output field types of a shorthand signature string (all strings). */
export type ShorthandOutputs<S extends string> = S extends `${string}->${infer O}`
  ? { [K in Names<O>]: string }
  : Record<string, string>

/** Splits `'a, b -> c'` into its input and output names; throws a clear error on bad text. */
export function parseShorthand(text: string): { inputs: string[]; outputs: string[] } {
  const parts = text.split('->')
  if (parts.length !== 2) {
    throw new Error(`signature "${text}" must contain exactly one "->" (e.g. 'question, context -> answer')`)
  }
  const names = (side: string): string[] =>
    side.trim() === '' ? [] : side.split(',').map((n) => n.trim())
  return { inputs: names(parts[0] ?? ''), outputs: names(parts[1] ?? '') }
}
