import { isAbsolute, relative } from 'node:path'
import { z } from 'zod'
import { SimbaError } from '../errors.js'
import { dict, dictSchema } from '../internal/json/dict.js'
import { SNAPSHOT_VERSION, type SnapshotFileData } from './types.js'

// Maps keyed by user data (case ids, block, predictor and field names) are prototype-free, so a
// case or block named `__proto__` or `constructor` is read like any other.
const splitSchema = z.object({ mean: z.number(), cases: dictSchema(z.number()) })
const demoSchema = dictSchema(z.unknown())
const lines = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v.join('') : v))
const predictorSourceSchema = z.object({
  signature: z.string(),
  signatureHash: z.string(),
  instructions: z.array(z.string()),
  demos: z.number().int().nonnegative(),
  demosHash: z.string(),
})
const caseTrialsSchema = z.object({ n: z.number().int().positive(), mean: z.number(), scores: z.array(z.number()) })
const trialsSchema = z.object({
  k: z.number().int().positive(),
  mean: z.number(),
  interval: z.tuple([z.number(), z.number()]),
  trainset: dictSchema(caseTrialsSchema),
  devset: dictSchema(caseTrialsSchema).optional(),
})
const blockSchema = z.object({
  program: dictSchema(z.object({ instructions: lines, demos: z.array(demoSchema) })).nullable(),
  baseline: z.object({
    split: z.enum(['trainset', 'devset']),
    mean: z.number(),
    trainset: splitSchema,
    devset: splitSchema.optional(),
  }),
  provenance: z.looseObject({
    model: z.string(),
    optimizer: z.enum(['baseline', 'simba']),
    settings: z.record(z.string(), z.unknown()).optional(),
    seed: z.number().optional(),
    library: z.string(),
    date: z.string(),
  }),
  promptHash: z.string().nullable(),
  source: z.object({ hash: z.string(), predictors: dictSchema(predictorSourceSchema) }).nullable(),
  trials: trialsSchema.optional(),
  legacyCaseNames: z.literal(true).optional(),
})
const fileSchema = z.object({ version: z.number(), blocks: dictSchema(blockSchema) })

/** Upgrades from older format versions, keyed by the version they read. */
const MIGRATIONS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {
  // 1 → 2: no source fingerprint yet (source unknown, accepted once); cases keyed by 0.1 names.
  1: (data) => {
    const blocks = data['blocks']
    if (typeof blocks !== 'object' || blocks === null || Array.isArray(blocks)) return { ...data, version: 2 }
    const out = dict<unknown>()
    for (const [name, block] of Object.entries(blocks as Record<string, unknown>)) {
      out[name] = typeof block === 'object' && block !== null && !Array.isArray(block) ? { ...block, source: null, legacyCaseNames: true } : block
    }
    return { ...data, version: 2, blocks: out }
  },
}

const FIX = 'Fix the JSON by hand, or delete the file and re-create it locally with `npx vitest run -u` (or `npx vitest-simba --optimize -u`).'

/** A path relative to the working directory when it lies inside it (shorter, copy-pasteable). */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

/**
 * Parses a snapshot file's text: corrupt JSON or a wrong shape → SIMBA_SNAPSHOT_CORRUPT, an
 * unknown version → SIMBA_SNAPSHOT_VERSION; known older versions are migrated.
 */
export function parseSnapshot(text: string, absoluteFile: string): SnapshotFileData {
  const file = shownPath(absoluteFile)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (cause) {
    throw new SimbaError('SIMBA_SNAPSHOT_CORRUPT', `program snapshot ${file} is not valid JSON (${(cause as Error).message}). ${FIX}`, { cause })
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SimbaError('SIMBA_SNAPSHOT_CORRUPT', `program snapshot ${file} must hold a JSON object with "version" and "blocks". ${FIX}`)
  }
  let data = raw as Record<string, unknown>
  const version = data['version']
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new SimbaError('SIMBA_SNAPSHOT_CORRUPT', `program snapshot ${file} has no integer "version". ${FIX}`)
  }
  if (version > SNAPSHOT_VERSION || (version < SNAPSHOT_VERSION && MIGRATIONS[version] === undefined)) {
    throw new SimbaError(
      'SIMBA_SNAPSHOT_VERSION',
      `program snapshot ${file} has format version ${version}, but this vitest-simba reads version ${SNAPSHOT_VERSION}` +
        (version > SNAPSHOT_VERSION
          ? '. Upgrade vitest-simba to the version that wrote it.'
          : ' and cannot migrate it. Delete it and re-create it locally with `npx vitest run -u` (or `npx vitest-simba --optimize -u`).'),
    )
  }
  if (version === SNAPSHOT_VERSION) requireSources(data, file)
  for (let v = version; v < SNAPSHOT_VERSION; v++) data = (MIGRATIONS[v] as (d: Record<string, unknown>) => Record<string, unknown>)(data)
  const parsed = fileSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? issue.path.join('.') : ''
    throw new SimbaError('SIMBA_SNAPSHOT_CORRUPT', `program snapshot ${file} is malformed at "${where}": ${issue?.message ?? 'invalid'}. ${FIX}`)
  }
  return parsed.data as SnapshotFileData
}

/**
 * In the current format every block with a program records its source fingerprint: without it an
 * edit to the prompt in code could not be noticed. Only blocks migrated from format 1 (marked
 * `legacyCaseNames`) may still lack it; anything else is a damaged file, never "source unknown".
 */
function requireSources(data: Record<string, unknown>, file: string): void {
  const blocks = data['blocks']
  if (typeof blocks !== 'object' || blocks === null || Array.isArray(blocks)) return
  for (const name of Object.keys(blocks).sort()) {
    const block = (blocks as Record<string, unknown>)[name]
    if (typeof block !== 'object' || block === null || Array.isArray(block)) continue
    const b = block as Record<string, unknown>
    if (b['program'] === null || b['program'] === undefined || b['legacyCaseNames'] === true) continue
    const source = b['source']
    if (source === null || source === undefined) {
      throw new SimbaError(
        'SIMBA_SNAPSHOT_CORRUPT',
        `program snapshot ${file}: block "${name}" has ${source === null ? '"source": null' : 'no "source"'}, but a format-${SNAPSHOT_VERSION} block with a program must record the source ` +
          'fingerprint of the code it was made from (without it an edit to the prompt in code would go unnoticed). ' +
          'Restore the file from version control, or re-create the block locally with `npx vitest run -u` (or `npx vitest-simba --optimize -u`) and commit it.',
      )
    }
  }
}
