import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyProject, hashTree, removeProject, requireBuild, run, scoreTable } from './harness.js'

const dirs: string[] = []
const project = (): string => {
  const d = copyProject('tickets')
  dirs.push(d)
  return d
}
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

describe('vitest-simba e2e: CI, regressions, hygiene', () => {
  // The untouched project and its whole-run output, shared with the shard test below (one run fewer).
  let clean: { dir: string; output: string } | undefined

  test('CI=true vitest run passes from fixtures and leaves every file byte-identical', async () => {
    const dir = project()
    const before = hashTree(dir)
    const r = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('Tests  58 passed (58)')
    const table = scoreTable(r.output).join('\n')
    expect(table).toMatch(/routes support tickets\s+devset\s+32\s+0\.531\s+0\.531\s+\+0\.000\s+0\s+0\s+0\/50/)
    expect(r.output).toContain('fixtures tickets.test.ts: 50 replayed, 0 recorded, 0 missing, 0 unused, 0 live')
    expect(hashTree(dir)).toEqual(before)
    clean = { dir, output: r.output }
  })

  test('--shard=1/2 and 2/2 merged with --merge-reports report the same scores as one run', async () => {
    const env = { CI: 'true' }
    // Run alone (-t), it makes the whole run itself.
    if (!clean) {
      const dir = project()
      clean = { dir, output: (await run(dir, ['run'], { env })).output }
    }
    const { dir, output: whole } = clean
    for (const shard of ['1/2', '2/2']) {
      const r = await run(dir, ['run', `--shard=${shard}`, '--reporter=blob'], { env })
      expect(r.code, r.output).toBe(0)
    }
    const merged = await run(dir, ['--merge-reports'], { env })
    expect(merged.code, merged.output).toBe(0)
    const table = scoreTable(merged.output)
    expect(table.length).toBe(5) // title, header, rule, two blocks
    expect(table).toEqual(scoreTable(whole))
    // The lines under the table (the trainset of the devset-gated block, fixture counts) agree too.
    const notes = (o: string): string[] => o.split('\n').filter((l) => /^(routes .*: trainset \(not gating\)|fixtures )/.test(l)).sort()
    expect(notes(merged.output).length).toBeGreaterThan(0)
    expect(notes(merged.output)).toEqual(notes(whole))
  })

  test('a program change that lowers scores fails, naming the regressed cases and the mean vs the baseline', async () => {
    const dir = project()
    const file = join(dir, 'tickets.test.ts')
    // Same prompts (fixtures replay), but billing answers are now thrown away.
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'program: () => new Predict(route),',
        `program: () => {
    const p = new Predict(route)
    const forward = p.forward.bind(p)
    p.forward = async (inputs) => {
      const out = await forward(inputs)
      return out.queue === 'billing' ? { ...out, queue: 'other' } : out
    }
    return p
  },`,
      ),
    )
    const before = hashTree(dir)
    // A GitHub step summary that already holds an earlier step's text, and a summary file for other CI systems.
    const out = mkdtempSync(join(tmpdir(), 'simba-ci-summary-'))
    dirs.push(out)
    writeFileSync(join(out, 'step.md'), '# earlier step\n')
    const r = await run(dir, ['run'], { env: { CI: 'true', GITHUB_STEP_SUMMARY: join(out, 'step.md'), SIMBA_SUMMARY: join(out, 'summary.md') } })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(/case "duplicate-charge-1" of block "routes support tickets" regressed: score 0 vs baseline 1/)
    expect(r.output).toMatch(/block "routes support tickets": mean 0\.\d+ on devset dropped below the baseline 0\.531 \(tolerance 0\)\. Regressed cases: .*"duplicate-charge-1" 1 → 0/)
    expect(hashTree(dir)).toEqual(before)
    // CI keeps no history.
    expect(existsSync(join(dir, '.vitest-simba'))).toBe(false)
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(readFileSync(join(out, 'step.md'), 'utf8')).toBe(`# earlier step\n${summary}\n`)
    expect(summary).toMatch(/^## vitest-simba: 1 of 2 blocks failed\n/)
    expect(summary).toMatch(/\| ❌ \| routes support tickets \| tickets\.test\.ts \| devset \| 0\.\d{3} \| 0\.531 \| -0\.\d{3} \| [1-9]\d* \| 0 \| \d+ \|\n/)
    expect(summary).toMatch(/\| ✅ \| routes tickets \(small\) \| billing\.test\.ts \| trainset \| /)
    expect(summary).toMatch(/\*\*routes support tickets\*\* \(tickets\.test\.ts\): \d+ regressed cases?\n\n(- .*\n)*- duplicate-charge-1 \(trainset\): 1 → 0\n/)
    expect(summary).toContain('No HTML report was written in this run')
  })

  // One run covers two files: tickets.test.ts has a case with no recording, billing.test.ts a block
  // with no snapshot (the new case is appended, outside billing's slice of the same rows).
  test('in CI, a case without a recorded LM response and a block without a snapshot each fail with the command that fixes it', async () => {
    const dir = project()
    const file = join(dir, 'cases.json')
    const cases = JSON.parse(readFileSync(file, 'utf8')) as { train: Array<Record<string, string>> }
    cases.train.push({ id: 'brand-new', ticket: 'Where can I change the language of the invoices?', queue: 'billing' })
    writeFileSync(file, JSON.stringify(cases, null, 2))
    const snap = join(dir, '__snapshots__', 'billing.test.ts.simba.json')
    writeFileSync(snap, readFileSync(snap, 'utf8').replace('"routes tickets (small)"', '"renamed block"'))
    const r = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(r.code).toBe(1)
    // tickets.test.ts: the case without a recording
    expect(r.output).toContain('case "brand-new" of block "routes support tickets" failed')
    expect(r.output).toMatch(/npx vitest run [^\n]*locally/)
    expect(r.output).toContain('fixtures tickets.test.ts: 50 replayed, 0 recorded, 1 missing')
    // billing.test.ts: the block without a snapshot
    expect(r.output).toContain('no program snapshot for block "routes tickets (small)" in __snapshots__/billing.test.ts.simba.json')
    expect(r.output).toContain('npx vitest-simba --optimize -u')
    expect(r.output).toContain('obsolete blocks "renamed block"')
  })

  test('an obsolete block is reported, then pruned on -u (the rest of the file stays byte-identical)', async () => {
    const dir = project()
    const file = join(dir, '__snapshots__', 'billing.test.ts.simba.json')
    // A score history that is not one (here: a foreign file) costs a warning, never the run.
    mkdirSync(join(dir, '.vitest-simba'))
    writeFileSync(join(dir, '.vitest-simba', 'history.jsonl'), '{"name":"not a history"}\n')
    // The committed file is format 1: the first -u upgrades it (source fingerprint, lines); then it is stable.
    const upgrade = await run(dir, ['run', 'billing.test.ts', '-u'])
    expect(upgrade.code, upgrade.output).toBe(0)
    expect(upgrade.output).toMatch(/\[simba\] history \S+\/\.vitest-simba\/history\.jsonl is not a vitest-simba history \(line 1: [^)]*\); moved it to \S+\/history\.jsonl\.corrupt-\S+ and started a new one\./)
    const aside = readdirSync(join(dir, '.vitest-simba')).filter((f) => f.startsWith('history.jsonl.corrupt-'))
    expect(aside.map((f) => readFileSync(join(dir, '.vitest-simba', f), 'utf8'))).toEqual(['{"name":"not a history"}\n'])
    expect(readFileSync(join(dir, '.vitest-simba', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { block: string }).block)).toEqual(['routes tickets (small)'])
    const original = readFileSync(file, 'utf8')
    expect(JSON.parse(original).version).toBe(2)
    const data = JSON.parse(original) as { blocks: Record<string, unknown> }
    data.blocks['old block'] = data.blocks['routes tickets (small)']
    writeFileSync(file, JSON.stringify(data, null, 2))
    const ci = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(ci.code, ci.output).toBe(0)
    expect(ci.output).toContain('snapshot __snapshots__/billing.test.ts.simba.json: obsolete blocks "old block"')
    const u = await run(dir, ['run', '-u'])
    expect(u.code, u.output).toBe(0)
    expect(u.output).toContain('pruned obsolete blocks "old block"')
    expect(readFileSync(file, 'utf8')).toBe(original)
  })

  test('invalid plugin and block options give the documented errors', async () => {
    const dir = project()
    const config = join(dir, 'vitest.config.ts')
    writeFileSync(config, readFileSync(config, 'utf8').replace('simba({', "simba({ fixtures: { mode: 'sometimes' }, "))
    const r = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(r.code).toBe(1)
    expect(r.output).toContain('invalid vitest-simba plugin options in vitest.config')
    expect(r.output).toContain('simba() option "fixtures.mode"')

    const dir2 = project()
    const test2 = join(dir2, 'billing.test.ts')
    writeFileSync(test2, readFileSync(test2, 'utf8').replace('trainset: cases.train.slice(0, 6),', 'trainset: [], tolerence: 0.1,'))
    const r2 = await run(dir2, ['run', 'billing.test.ts'], { env: { CI: 'true' } })
    expect(r2.code).toBe(1)
    expect(r2.output).toContain('describe.optimize("routes tickets (small)"): invalid options')
    expect(r2.output).toContain('option "trainset": needs at least one case')
    expect(r2.output).toContain('option "tolerence"')
  })
})
