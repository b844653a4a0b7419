import { join, relative, sep } from 'node:path'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { buildProvided } from '../../../src/vitest/node/provided.js'
import { reportPaths } from '../../../src/vitest/runtime/report.js'

const DIR = '/run/simba-report'

test('a single project keeps its report next to the test file\'s path from the root', () => {
  expect(reportPaths(DIR, '/run', '/run/tickets.test.ts')).toEqual({ json: `${DIR}/tickets.test.ts.report.json`, html: `${DIR}/tickets.test.ts.report.html` })
  expect(reportPaths(DIR, '/run', '/run/sub/x.test.ts').json).toBe(`${DIR}/sub/x.test.ts.report.json`)
  // A file outside the root is named by its base name.
  expect(reportPaths(DIR, '/run', '/elsewhere/y.test.ts').json).toBe(`${DIR}/y.test.ts.report.json`)
})

test('two projects with the same test file name, or running the same file, write different reports', () => {
  // Each project's file is named from the project's root, under the project's folder.
  const a = reportPaths(DIR, '/run/a', '/run/a/x.test.ts', 'a')
  const b = reportPaths(DIR, '/run/b', '/run/b/x.test.ts', 'b')
  expect(a.json).toBe(`${DIR}/a/x.test.ts.report.json`)
  expect(b.json).toBe(`${DIR}/b/x.test.ts.report.json`)
  const node = reportPaths(DIR, '/run', '/run/x.test.ts', 'node')
  const browser = reportPaths(DIR, '/run', '/run/x.test.ts', 'browser (chromium)')
  expect(node.json).not.toBe(browser.json)
  expect(browser.json).toBe(`${DIR}/browser%20%28chromium%29/x.test.ts.report.json`)
})

test('every project name maps to its own folder inside the report folder (property)', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 6 }), (names) => {
      const paths = names.map((n) => reportPaths(DIR, '/run', '/run/x.test.ts', n).json)
      expect(new Set(paths).size).toBe(names.length)
      for (const p of paths) {
        const rel = relative(DIR, p)
        // Inside the report folder: no `..` segment (a folder like `..%20` is a name, not a way up).
        expect(rel.split(sep)[0], p).not.toBe('..')
        expect(rel.split(sep)).toHaveLength(2)
      }
    }),
  )
})

test('the plugin provides the run\'s root and the project name; a relative report folder is taken from the run\'s root', () => {
  const base = { options: {}, root: '/run/a', viteMode: undefined, updateSnapshot: 'new', testNamePattern: undefined, filtered: false }
  expect(buildProvided({ ...base, env: {} })).toMatchObject({ reportRoot: '/run/a', project: '' })
  expect(buildProvided({ ...base, runRoot: '/run', project: 'a', env: { SIMBA_REPORT: 'out' } })).toMatchObject({ reportRoot: '/run', project: 'a', report: join('/run', 'out') })
})
