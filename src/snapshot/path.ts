import { basename, dirname, join } from 'node:path'

/** The program snapshot path of a test file: `<dir>/__snapshots__/<file name>.simba.json`. */
export function snapshotPathFor(testFile: string): string {
  return join(dirname(testFile), '__snapshots__', `${basename(testFile)}.simba.json`)
}
