import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { invokeTool, tool } from '../../../src/core/tool/tool.js'

const args = z.object({ orderId: z.string() })

describe('tool', () => {
  it('rejects bad definitions with clear errors', () => {
    expect(() => tool({ name: 'finish', description: 'x', args, run: () => 1 })).toThrow(/tool name "finish" is reserved/)
    expect(() => tool({ name: 'look up', description: 'x', args, run: () => 1 })).toThrow(/tool name "look up" is not valid/)
    expect(() => tool({ name: '', description: 'x', args, run: () => 1 })).toThrow(/is not valid/)
    expect(() => tool({ name: 'a'.repeat(65), description: 'x', args, run: () => 1 })).toThrow(/is not valid/)
    expect(() => tool({ name: 'ok', description: ' ', args, run: () => 1 })).toThrow(/tool "ok" needs a description/)
    expect(() => tool({ name: 'ok', description: 'x', args: z.string() as never, run: () => 1 })).toThrow(/args must be a zod object schema/)
    expect(() => tool({ name: 'ok', description: 'x', args, run: 'no' as never })).toThrow(/run must be a function/)
    const t = tool({ name: 'lookup-order_2', description: 'Line one.\n  Line two.', args, run: () => 1 })
    expect(t.description).toBe('Line one. Line two.')
    expect(t.record).toBe(true)
    expect(tool({ name: 'calc', description: 'x', args, run: () => 1, record: false }).record).toBe(false)
  })

  it('validates arguments before run, and turns failures into Error observations', async () => {
    let runs = 0
    const t = tool({
      name: 'lookup',
      description: 'x',
      args: z.object({ orderId: z.string().min(3), page: z.number().default(1) }),
      run: ({ orderId, page }) => {
        runs++
        if (orderId === 'bad') throw new Error('database down')
        if (orderId === 'str') throw 'plain string' // eslint-disable-line no-throw-literal
        if (orderId === 'big') return 10n
        return `order ${orderId} page ${page}`
      },
    })
    expect(await invokeTool(t, { orderId: 'A-1' })).toBe('order A-1 page 1')
    expect(await invokeTool(t, { orderId: 'A' })).toMatch(/^Error: invalid arguments for lookup: orderId: Too small/)
    expect(await invokeTool(t, {})).toBe('Error: invalid arguments for lookup: orderId: Invalid input: expected string, received undefined')
    expect(await invokeTool(t, ['A-1'])).toBe('Error: invalid arguments for lookup: expected a JSON object of arguments, got ["A-1"]')
    expect(runs).toBe(1)
    expect(await invokeTool(t, { orderId: 'bad' })).toBe('Error: database down')
    expect(await invokeTool(t, { orderId: 'str' })).toBe('Error: plain string')
    expect(await invokeTool(t, { orderId: 'big' })).toMatch(/^Error: tool "lookup" returned a value that is not JSON/)
  })

  it('serialises object results as canonical JSON whatever their key order', async () => {
    const entries = fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean()), { maxKeys: 6 })
    await fc.assert(
      fc.asyncProperty(entries, async (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse())
        const a = await invokeTool(tool({ name: 't', description: 'x', args: z.object({}), run: () => obj }), {})
        const b = await invokeTool(tool({ name: 't', description: 'x', args: z.object({}), run: async () => reversed }), {})
        expect(a).toBe(b)
        expect(JSON.parse(a)).toEqual(obj)
      }),
    )
    expect(await invokeTool(tool({ name: 't', description: 'x', args: z.object({}), run: () => undefined }), {})).toBe('null')
  })
})
