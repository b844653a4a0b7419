/** msw's main entry (`passthrough`, `bypass`, `HttpResponse`), loaded on first use. */
let core: Promise<typeof import('msw')> | undefined

/**
 * msw's main entry, imported once when first needed. It also loads msw's GraphQL support (the
 * `graphql` package, about a third of msw's start-up), which replaying recorded calls never needs;
 * the interceptor itself comes from `msw/node` and `msw/core/http`.
 */
export function mswCore(): Promise<typeof import('msw')> {
  core ??= import('msw')
  return core
}
