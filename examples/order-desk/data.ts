/** Cases and order-system data of the order-desk world (examples/worlds/order-desk.json). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ExampleOf, Metric } from 'vitest-simba'

/** One labelled customer message. */
export type OrderCase = { message: string; resolution: string }

interface WorldTool {
  name: string
  data: Record<string, unknown>
}

const worldFile = fileURLToPath(new URL('../worlds/order-desk.json', import.meta.url))
const world = JSON.parse(readFileSync(worldFile, 'utf8')) as { train: OrderCase[]; test: OrderCase[]; tools: WorldTool[] }
const table = (name: string): Record<string, unknown> => world.tools.find((t) => t.name === name)?.data ?? {}

/** The order system the tools query (in a real app: a database or an internal API). */
export const orderSystem = { orders: table('lookup_order'), parcels: table('track_parcel') }

/** Cases SIMBA learns from. */
export const trainset: OrderCase[] = world.train
/** Held-out cases: the regression gate. */
export const devset: OrderCase[] = world.test

/** 1 when the resolution matches; otherwise 0 with feedback that SIMBA's rule writer reads. */
export const resolutionMatches: Metric<ExampleOf<OrderCase>, { resolution: string }> = (example, prediction) =>
  prediction.resolution === example.resolution
    ? { score: 1 }
    : { score: 0, feedback: `Resolved as "${prediction.resolution}" but this message needs "${example.resolution}".` }
