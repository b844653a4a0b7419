import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'

export default defineConfig({
  // Recorded LM traffic lives in the repository's top-level fixtures/ folder.
  plugins: [simba({ fixtures: { dir: '../../fixtures/examples/order-desk' } })],
  test: { name: 'order-desk', root: fileURLToPath(new URL('.', import.meta.url)), include: ['*.test.ts'] },
})
