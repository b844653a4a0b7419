/**
 * The git commit a project is at, read from `.git` files directly (no `git` process): `HEAD`, the
 * branch ref it points to (loose or in `packed-refs`), worktrees (`.git` as a file) included.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'

const HASH = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** The git directory of the checkout holding `dir` (walking up), or undefined. */
function gitDir(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, '.git')
    if (existsSync(dotGit)) {
      try {
        if (statSync(dotGit).isDirectory()) return dotGit
        const m = /^gitdir:\s*(.+?)\s*$/m.exec(read(dotGit) ?? '')
        if (m) return isAbsolute(m[1] as string) ? (m[1] as string) : resolve(d, m[1] as string)
      } catch {
        return undefined
      }
      return undefined
    }
    if (dirname(d) === d) return undefined
  }
}

/** The commit `ref` names in `git` (a worktree's dir) or its common dir: loose ref first, then packed-refs. */
function resolveRef(git: string, ref: string): string | undefined {
  const common = (() => {
    const c = read(join(git, 'commondir'))?.trim()
    return c ? (isAbsolute(c) ? c : resolve(git, c)) : git
  })()
  for (const base of [git, common]) {
    const loose = read(join(base, ref))?.trim()
    if (loose && HASH.test(loose)) return loose
  }
  const packed = read(join(common, 'packed-refs')) ?? ''
  for (const line of packed.split('\n')) {
    const [hash, name] = line.trim().split(' ')
    if (name === ref && hash && HASH.test(hash)) return hash
  }
  return undefined
}

/** The commit (hex) the git checkout holding `dir` is at, or null (no checkout, unborn branch, unreadable). */
export function gitCommit(dir: string): string | null {
  let commit: string | null = null
  const git = gitDir(dir)
  const head = git ? read(join(git, 'HEAD'))?.trim() : undefined
  if (git && head) {
    if (HASH.test(head)) commit = head
    else {
      const m = /^ref:\s*(\S+)$/.exec(head)
      if (m) commit = resolveRef(git, m[1] as string) ?? null
    }
  }
  return commit
}
