/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  /** `' '`, `'-'` or `'+'`. */
  op: ' ' | '-' | '+'
  /** The line text. */
  text: string
}

/** Line diff of two texts by longest common subsequence (fine for prompt-sized texts). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n')
  const b = after === '' ? [] : after.split('\n')
  const n = a.length
  const m = b.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[]
      row[j] = a[i] === b[j] ? ((lcs[i + 1] as number[])[j + 1] as number) + 1 : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] as string })
      i++
      j++
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number)) {
      out.push({ op: '-', text: a[i++] as string })
    } else {
      out.push({ op: '+', text: b[j++] as string })
    }
  }
  while (i < n) out.push({ op: '-', text: a[i++] as string })
  while (j < m) out.push({ op: '+', text: b[j++] as string })
  return out
}
