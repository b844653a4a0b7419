/** The `[[ ## name ## ]]` marker lines of the chat wire format (see src/README.md). */

// A line (trimmed) that starts with a marker; group 3 is a value written on the same line.
const MARKER_LINE = /^(\\*)\[\[ ## (.+?) ## \]\](.*)$/

/** The marker line for a field (or `completed`). */
export function marker(name: string): string {
  return `[[ ## ${name} ## ]]`
}

/**
 * Escapes value lines that a parser would read as markers: a line that starts with a marker
 * (after trimming, optionally preceded by backslashes) gets one more backslash before its `[[`.
 */
export function escapeValue(text: string): string {
  return text
    .split('\n')
    .map((line) => (MARKER_LINE.test(line.trim()) ? line.replace(/(\\*)\[\[/, '\\$1[[') : line))
    .join('\n')
}

/**
 * Splits a reply into sections by marker lines; text after a marker on its own line starts the
 * value. Text before the first marker and after `[[ ## completed ## ]]` is ignored; the first
 * section of a repeated name wins. Escaped marker lines lose one backslash and stay in the value.
 */
export function splitSections(text: string): Map<string, string> {
  const sections = new Map<string, string>()
  let current: string | undefined
  let lines: string[] = []
  const flush = (): void => {
    if (current !== undefined && !sections.has(current)) sections.set(current, lines.join('\n').trim())
  }
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const m = MARKER_LINE.exec(line.trim())
    if (m && m[1] === '') {
      flush()
      current = m[2]
      lines = m[3]?.trim() ? [m[3].trim()] : []
      if (current === 'completed') break
      continue
    }
    if (current === undefined) continue
    lines.push(m ? line.replace(/\\(\\*)\[\[/, '$1[[') : line)
  }
  flush()
  sections.delete('completed')
  return sections
}

/** One `[[ ## name ## ]]` block per field with a defined value; values are escaped. */
export function renderBlocks(fields: ReadonlyArray<{ name: string }>, values: Record<string, unknown>, format: (v: unknown) => string): string {
  return fields
    .filter((f) => values[f.name] !== undefined)
    .map((f) => `${marker(f.name)}\n${escapeValue(format(values[f.name]))}`)
    .join('\n\n')
}
