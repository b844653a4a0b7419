#!/usr/bin/env node
/**
 * Prints the Markdown table of bench/results/quality.json (or the file named as the first
 * argument): one row per world × shape × optimizer, with the held-out score per seed, mean ± sd,
 * the share of the way from floor to ceiling and the mean LM calls. `--summary` prints the shorter
 * README table (improved vs faithful vs random demos). The docs carry the same tables, rewritten
 * from the committed results by `npm run docs:tables`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { REGIONS } from './docs-tables.mjs'

const args = process.argv.slice(2)
const file = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('results/quality.json', import.meta.url))
const quality = JSON.parse(readFileSync(file, 'utf8'))
console.log(REGIONS[args.includes('--summary') ? 'quality-summary' : 'quality']({ quality }))
