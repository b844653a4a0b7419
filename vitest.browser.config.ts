import { defineConfig } from 'vitest/config'

/** The browser test of the HTML report (`npm run test:browser`), kept out of `npm test`. */
export default defineConfig({
  test: {
    name: 'browser',
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
})
