/**
 * The plugin's setup file. Runs in every worker before each test module is imported: starts the
 * LM fixture recorder unless fixtures are `off` (the openai SDK captures `fetch` when a client is
 * built, so interception must come first; with fixtures `off` msw is never loaded), attaches `describe.optimize` for users of globals, switches the fixture file per
 * test file, and at the end of each file flushes fixtures and snapshots and records their counts.
 */
import { afterAll, beforeAll, describe as vDescribe, inject } from 'vitest'
import { isSimbaError } from '../../errors.js'
import { defaultFixturePath } from '../../recording/file.js'
import '../shared.js'
import type { SimbaFileMeta } from '../shared.js'
import { everyTestRuns } from './every-test-runs.js'
import { optimize } from './optimize.js'
import { redactRulesOf } from './redact.js'
import { dropStore, registry, storeFor } from './registry.js'

/** API key set in strict replay when none is configured (requests are answered from fixtures). */
const REPLAY_PLACEHOLDER_KEY = 'vitest-simba-replay-placeholder'

const ctx = inject('simba')
;(vDescribe as unknown as { optimize: typeof optimize }).optimize = optimize
const r = registry()
if (ctx && ctx.fixtureMode !== 'off' && !r.recorder) {
  // Imported only when fixtures are on: with fixtures 'off' a worker never loads msw.
  const [{ createFixtureRecorder }, { loadMswNode, usesDirectInterceptors }] = await Promise.all([import('../../recording/recorder.js'), import('../../recording/msw-core.js')])
  // msw 2 and 3: the recorder applies msw's interceptors itself and never loads msw's server.
  if (!usesDirectInterceptors()) await loadMswNode()
  r.recorder = createFixtureRecorder({
    hosts: ctx.hosts,
    mode: ctx.fixtureMode,
    ci: ctx.ci,
    otherHosts: ctx.otherHosts,
    redact: redactRulesOf(ctx),
    libraryVersion: ctx.library.replace(/^.*@/, ''),
  })
  r.recorder.start()
  // In strict replay nothing leaves the process, but the openai SDK (ours and the user's own
  // `new OpenAI()`) refuses to start without a key. A placeholder lets CI run with no secret;
  // it is never written anywhere (fixtures store no headers) and never reaches a network.
  if (r.recorder.mode === 'replay' && !process.env['OPENAI_API_KEY']) process.env['OPENAI_API_KEY'] = REPLAY_PLACEHOLDER_KEY
} else {
  // A later test file in the same worker: put the recorder back in front of the LM hosts before the
  // test module loads (a user's msw server closed by an earlier file unregistered it).
  r.recorder?.start()
}

beforeAll(async ({}, suite) => {
  const file = suite.file
  if (!ctx) return
  const defined = r.defined.splice(0)
  await r.recorder?.useFile(defaultFixturePath(ctx.root, file.filepath, ctx.fixturesDir), file.filepath)
  if (defined.length === 0) return
  const store = storeFor(file.filepath, ctx.update)
  for (const name of defined) store.markDefined(name)
})

afterAll(async ({}, suite) => {
  const file = suite.file
  if (!ctx) return
  // Entries of tests that did not run (-t, .skip, .only) are kept, not pruned as unused (-u).
  const stats = await r.recorder?.flush({ prune: everyTestRuns(file) })
  let store: ReturnType<typeof storeFor>
  try {
    store = storeFor(file.filepath, ctx.update)
  } catch (error) {
    // A corrupt or unreadable snapshot already failed the file's blocks with this error; do not
    // report it a second time from this hook.
    if (isSimbaError(error)) return
    throw error
  }
  const obsolete = store.obsolete()
  const pruned = store.existed && !ctx.filtered ? store.prune() : []
  store.flush()
  dropStore(file.filepath)
  if (!stats && obsolete.length === 0 && !store.existed) return
  const meta: SimbaFileMeta = {
    obsolete,
    pruned,
    snapshot: store.file.startsWith(ctx.root) ? store.file.slice(ctx.root.length + 1) : store.file,
  }
  if (stats) {
    meta.fixtures = { file: stats.file, replayed: stats.replayed, recorded: stats.recorded, missing: stats.missing, unused: stats.unused, live: stats.live }
    const t = stats.tools
    if (t && (t.replayed || t.recorded || t.missing || t.unused || t.live)) meta.fixtures.tools = { ...t }
  }
  file.meta.simbaFile = meta
})
