/**
 * Format-v3 knobs: `learning.misleadable` (an instruction sentence tying a cue of the case to the
 * wrong label is followed) and `learning.reflection` (shares of vague and wrong advice in every
 * meta-request). Defaults keep every answer byte-identical (a digest taken before the knobs existed).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../src/internal/hash/sha256.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import type { SampleContext } from '../../src/testing/sim/seed.js'
import { loadWorld, parseWorld } from '../../src/testing/world/load.js'
import { worldBoundsSync } from '../../src/testing/world/bounds.js'
import { governingRule, keywordIn } from '../../src/testing/world/oracle.js'
import type { World, WorldLearning } from '../../src/testing/world/schema.js'
import { expense, field, support, wireMessages } from './helpers.js'

const news = loadWorld('examples/worlds/news-desk.json')
const insurance = loadWorld('examples/worlds/insurance-claims.json')
const ctx0: SampleContext = { temperature: 0, rollout: '', salt: '0' }
const withLearning = (learning: WorldLearning, base: World = support): World => parseWorld({ ...base, learning: { ...base.learning, ...learning } }, `${base.name}+v3`)
const rule = support.rules.find((r) => r.id === 'duplicate-charge')!
const allCases = [...support.train, ...support.test]
const governed = allCases.filter((c) => governingRule(support, c)?.id === rule.id && keywordIn(rule, [c.ticket as string]) === 'charged twice').map((c) => c.ticket as string)
const WRONG = 'Tickets saying they were charged twice go to shipping.'
const RIGHT = 'Tickets saying they were charged twice go to billing.'

function taskMessages(world: World, values: Record<string, unknown>, instructions?: string, demos?: Array<Record<string, unknown>>) {
  return wireMessages({ instructions, inputs: world.inputs, outputs: [{ name: world.output, type: `one of: ${world.labels.join(', ')}` }], values, demos })
}
function answer(world: World, ticket: string, instructions?: string, ctx = ctx0): string | undefined {
  return field(simulate([world], taskMessages(world, { ticket }, instructions), undefined, ctx).content, 'queue')
}

describe('learning.misleadable and learning.reflection: schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simba-v3-'))
  const file = (name: string, learning: unknown): string => {
    const path = join(dir, name)
    writeFileSync(path, JSON.stringify({ ...support, learning }))
    return path
  }
  it.each([
    ['misleadable-string.json', { misleadable: 'yes' }, 'learning.misleadable'],
    ['vague-above-one.json', { reflection: { vague: 1.5 } }, 'learning.reflection.vague'],
    ['wrong-negative.json', { reflection: { wrong: -0.1 } }, 'learning.reflection.wrong'],
    ['sum-above-one.json', { reflection: { vague: 0.6, wrong: 0.5 } }, 'learning.reflection'],
    ['default-vague-plus-wrong.json', { reflection: { wrong: 0.9 } }, 'learning.reflection'],
    ['unknown-reflection-key.json', { reflection: { vague: 0.1, noise: 0.1 } }, 'learning.reflection'],
  ])('%s is rejected with an error naming the file and %s', (name, learning, path) => {
    const f = file(name, learning)
    expect(() => loadWorld(f)).toThrow(f)
    expect(() => loadWorld(f)).toThrow(`  - ${path}:`)
  })
  it('accepts the documented values; the bundled misleadable worlds load', () => {
    expect(loadWorld(file('ok.json', { misleadable: true, reflection: { vague: 0.5, wrong: 0.5 } })).learning).toEqual({ misleadable: true, reflection: { vague: 0.5, wrong: 0.5 } })
    for (const name of ['helpdesk-misleadable', 'newsroom-misleadable']) {
      expect(loadWorld(`examples/worlds/${name}.json`).learning).toMatchObject({ misleadable: true, reflection: { vague: 0.5, wrong: 0.3 } })
    }
  })
})

describe('learning.misleadable: a wrong instruction is followed', () => {
  let misleadable: World
  beforeAll(() => {
    misleadable = withLearning({ misleadable: true })
  })
  it('the fixture: several cases of one keyword, answered by the prior when nothing is taught', () => {
    expect(governed.length).toBeGreaterThanOrEqual(2)
  })

  it('a sentence tying the case\'s cue to another label flips the answer when misleadable, and changes nothing otherwise', () => {
    for (const t of governed) {
      expect(answer(misleadable, t, WRONG)).toBe('shipping')
      expect(answer(support, t, WRONG)).toBe(answer(support, t))
      expect(answer(withLearning({ misleadable: false }), t, WRONG)).toBe(answer(support, t))
    }
    // a case without the cue is not affected
    const other = allCases.map((c) => c.ticket as string).find((t) => !t.toLowerCase().includes('charged twice'))!
    expect(answer(misleadable, other, WRONG)).toBe(answer(misleadable, other))
  })

  it('a quoted non-keyword cue misleads the cases that hold it; a sentence listing three labels or naming the right label does not', () => {
    const words = (t: string): string[] => (t.match(/[A-Za-z]{5,}/g) ?? []).filter((w) => !support.rules.some((r) => r.keywords.some((k) => k.includes(w.toLowerCase()))) && !support.labels.includes(w.toLowerCase()))
    const t = governed.find((g) => words(g).length > 0)!
    const word = words(t)[0]!
    expect(answer(misleadable, t, `Any ticket that says "${word}" goes to account.`)).toBe('account')
    expect(answer(misleadable, t, 'Tickets saying they were charged twice go to billing, not shipping.')).toBe('billing')
    expect(answer(misleadable, t, 'Charged twice could be shipping, account or technical.')).toBe(answer(misleadable, t))
  })

  it('with the right rule known too, it follows one of the two, seeded: both answers occur across seeds, each deterministic', () => {
    const seen = new Map<string, number>()
    for (const t of governed) for (let salt = 0; salt < 30; salt++) {
      const ctx = { ...ctx0, salt: String(salt) }
      const a = answer(misleadable, t, `${RIGHT} ${WRONG}`, ctx)!
      expect(answer(misleadable, t, `${RIGHT} ${WRONG}`, ctx)).toBe(a)
      expect(answer(misleadable, t, RIGHT, ctx)).toBe('billing')
      seen.set(a, (seen.get(a) ?? 0) + 1)
    }
    expect([...seen.keys()].sort()).toEqual(['billing', 'shipping'])
    const n = governed.length * 30
    expect(seen.get('shipping')! / n).toBeGreaterThan(0.3)
    expect(seen.get('shipping')! / n).toBeLessThan(0.7)
    // the same holds when the right rule is taught by a demo
    const demo = { ticket: governed[0], queue: 'billing' }
    const viaDemo = new Set<string>()
    for (let salt = 0; salt < 30; salt++) {
      const msgs = taskMessages(misleadable, { ticket: governed[1] }, WRONG, [demo])
      viaDemo.add(field(simulate([misleadable], msgs, undefined, { ...ctx0, salt: String(salt) }).content, 'queue')!)
    }
    expect([...viaDemo].sort()).toEqual(['billing', 'shipping'])
  })

  it('worldBounds counts misleading instructions in floor and ceiling of a misleadable world only', () => {
    const wrong = support.rules.map((r) => `Anything mentioning "${r.keywords[0]}" goes to ${support.labels.find((l) => l !== r.label && l !== 'other')}.`).join('\n')
    const plain = worldBoundsSync(support, { instructions: wrong })
    const misled = worldBoundsSync(misleadable, { instructions: wrong })
    expect(plain).toEqual(worldBoundsSync(support))
    expect(misled.floor).toBeLessThan(plain.floor)
    expect(misled.ceiling).toBeLessThan(plain.ceiling)
    expect(worldBoundsSync(misleadable)).toEqual(worldBoundsSync(support))
  })

  it('a misled answer explains itself with the cue it followed', () => {
    const msgs = wireMessages({ instructions: WRONG, inputs: ['ticket'], outputs: ['reasoning', 'queue'], values: { ticket: governed[0] } })
    expect(field(simulate([misleadable], msgs, undefined, ctx0).content, 'reasoning')).toMatch(/mentions "charged twice", so the queue is shipping/)
  })
})

const RW_INPUTS = ['program_code', 'modules_defn', 'program_inputs', 'oracle_metadata', 'worse_program_trajectory', 'worse_program_outputs', 'worse_reward_value', 'worse_reward_info', 'better_program_trajectory', 'better_program_outputs', 'better_reward_value', 'better_reward_info', 'module_names']
const RW_OUTPUTS = ['discussion', { name: 'module_advice', type: '{"type":"object","additionalProperties":{"type":"string"}}' }]
const j = (v: unknown): string => JSON.stringify(v, null, 2)

function feedbackMessages(world: World, c: Record<string, unknown>) {
  const inputs = Object.fromEntries(world.inputs.map((k) => [k, c[k]]))
  const gold = c[world.output] as string
  const traj = (label: string) => [{ module_name: 'predict', inputs, outputs: { [world.output]: label } }]
  const values = {
    program_code: 'class P extends Module {}', modules_defn: '---', program_inputs: j(inputs), oracle_metadata: j({ [world.output]: gold }),
    worse_program_trajectory: j(traj('other')), worse_program_outputs: j({ [world.output]: 'other' }), worse_reward_value: '0', worse_reward_info: '{}',
    better_program_trajectory: j(traj(gold)), better_program_outputs: j({ [world.output]: gold }), better_reward_value: '1', better_reward_info: '{}',
    module_names: j(['predict']),
  }
  return wireMessages({ inputs: RW_INPUTS, outputs: RW_OUTPUTS, values })
}
function consolidationMessages(world: World, tips: string[], failed: Array<Record<string, unknown>>) {
  const failedCases = failed.map((c) => ({ inputs: Object.fromEntries(world.inputs.map((k) => [k, c[k]])), outputs: { [world.output]: 'other' }, expected: { [world.output]: c[world.output] } }))
  const values = { module_instructions: 'Pick the label.', module_fields: `${world.inputs.join(', ')} -> ${world.output}`, advice_tips: JSON.stringify(tips), failed_cases: JSON.stringify(failedCases) }
  return wireMessages({ inputs: ['module_instructions', 'module_fields', 'advice_tips', 'failed_cases'], outputs: ['consolidated_advice'], values })
}

describe('learning.reflection: shares of vague and wrong advice', () => {
  let noisy: World
  beforeAll(() => {
    noisy = withLearning({ reflection: { vague: 0.5, wrong: 0.3 } })
  })
  const ruled = allCases.filter((c) => governingRule(support, c))

  /** Classifies the advice of one rule-writing reply: names the governing keyword (right), another quoted cue (wrong), or none (vague). */
  function kindOf(world: World, c: Record<string, unknown>, salt: string): 'right' | 'wrong' | 'vague' {
    const r = simulate([world], feedbackMessages(world, c), undefined, { temperature: 1, rollout: '1', salt })
    const text = (JSON.parse(field(r.content, 'module_advice')!) as Record<string, string>).predict!
    const quoted = [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.toLowerCase())
    const kw = keywordIn(governingRule(world, c)!, [c.ticket as string])!.toLowerCase()
    if (quoted.length === 0) return 'vague'
    return quoted.includes(kw) ? 'right' : 'wrong'
  }

  it('rule writing: about half vague, a third wrong and the rest right over 600 seeded requests; defaults: a fifth vague, never wrong', () => {
    const count = (world: World) => {
      const n = { right: 0, wrong: 0, vague: 0 }
      for (let salt = 0; salt < 600 / ruled.length + 1; salt++) for (const c of ruled) n[kindOf(world, c, String(salt))]++
      const total = n.right + n.wrong + n.vague
      return { right: n.right / total, wrong: n.wrong / total, vague: n.vague / total }
    }
    const shares = count(noisy)
    expect(shares.vague).toBeGreaterThan(0.42)
    expect(shares.vague).toBeLessThan(0.58)
    expect(shares.wrong).toBeGreaterThan(0.23)
    expect(shares.wrong).toBeLessThan(0.37)
    const defaults = count(support)
    expect(defaults.wrong).toBe(0)
    expect(defaults.vague).toBeGreaterThan(0.13)
    expect(defaults.vague).toBeLessThan(0.27)
  })

  it('a wrong cue is a word of the case shown or a keyword of a rule with another label, paired with the case\'s label', () => {
    for (const c of ruled.slice(0, 30)) for (let salt = 0; salt < 5; salt++) {
      if (kindOf(noisy, c, String(salt)) !== 'wrong') continue
      const r = simulate([noisy], feedbackMessages(noisy, c), undefined, { temperature: 1, rollout: '1', salt: String(salt) })
      const text = (JSON.parse(field(r.content, 'module_advice')!) as Record<string, string>).predict!
      const cue = /"([^"]+)"/.exec(text)![1]!.toLowerCase()
      expect((c.ticket as string).toLowerCase()).toContain(cue)
      expect(text).toContain(governingRule(support, c)!.label)
      const owner = support.rules.find((r2) => r2.keywords.some((k) => k.toLowerCase() === cue))
      if (owner) expect(owner.label).not.toBe(governingRule(support, c)!.label)
    }
  })

  it('consolidation: failed cases add wrong cues at the wrong share, none by default', () => {
    const wrongCues = (world: World, salt: string): number => {
      const out = field(simulate([world], consolidationMessages(world, [], ruled), undefined, { ...ctx0, salt }).content, 'consolidated_advice') ?? ''
      const cues = [...out.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.toLowerCase())
      return cues.filter((q) => !support.rules.some((r) => out.split('\n').some((l) => l.includes(`"${q}"`) && l.endsWith(` ${r.label}.`) && r.keywords.some((k) => k.toLowerCase() === q)))).length
    }
    let noisyWrong = 0
    for (let s = 0; s < 5; s++) {
      expect(wrongCues(support, String(s))).toBe(0)
      noisyWrong += wrongCues(noisy, String(s))
    }
    expect(noisyWrong).toBeGreaterThan(0)
  })
})

describe('defaults answer byte-identically (digest taken before the format-v3 knobs existed)', () => {
  const worlds = [support, expense, news, insurance]
  const DIGEST = '7a40a54146339458a80fc9f943e62ab276abf3ec883a2964405704a3612e7bbb'
  /** A deterministic corpus over four worlds: task requests whose instructions hold right and wrong sentences, rule writing, consolidation. */
  function corpus(): string[] {
    const out: string[] = []
    for (let i = 0; i < 480; i++) {
      const world = worlds[i % worlds.length]!
      const cases = [...world.train, ...world.test]
      const c = cases[(i * 7) % cases.length]!
      const other = world.labels[(i * 3) % world.labels.length]!
      const r = world.rules[i % world.rules.length]!
      const wrong = `Anything mentioning "${r.keywords[i % r.keywords.length]}" or ${r.keywords[0]} goes to ${other}.`
      const instructions = [i % 2 ? r.statement ?? '' : '', i % 3 ? wrong : '', 'Be careful.'].join(' ')
      const ctx = { temperature: i % 5 === 2 ? 1 : 0, rollout: String(i % 7), salt: String(i % 3) }
      const kind = i % 6
      const msgs = kind === 4 ? feedbackMessages(world, c) : kind === 5 ? consolidationMessages(world, [wrong, r.statement ?? ''], [c, cases[(i * 11) % cases.length]!]) : taskMessages(world, Object.fromEntries(world.inputs.map((k) => [k, c[k]])), instructions)
      out.push(simulate(worlds, msgs, undefined, ctx).content)
    }
    return out
  }
  it('a 480-request corpus over four existing worlds hashes to the digest taken on the old simulator', () => {
    expect(sha256(corpus().join('\u0000'))).toBe(DIGEST)
  })
  it('an explicit default v3 block answers as no block', () => {
    const explicit = worlds.map((w) => parseWorld({ ...w, learning: { ...w.learning, misleadable: false, reflection: { vague: 0.2, wrong: 0 } } }, w.name))
    for (let i = 0; i < 60; i++) {
      const world = worlds[i % worlds.length]!
      const all = [...world.train, ...world.test]
      const c = all[i % all.length]!
      const msgs = i % 2 ? feedbackMessages(world, c) : taskMessages(world, Object.fromEntries(world.inputs.map((k) => [k, c[k]])), `${world.rules[0]!.keywords[0]} goes to ${world.labels[1]}.`)
      const ctx = { temperature: 1, rollout: String(i), salt: '0' }
      expect(simulate(explicit, msgs, undefined, ctx).content).toBe(simulate(worlds, msgs, undefined, ctx).content)
    }
  })
})
