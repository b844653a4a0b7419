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

/** msw's request-handler factory (`http.all(...)`); the type only, from msw's main entry. */
export type MswHttp = (typeof import('msw'))['http']

/**
 * msw's `http` namespace without its main entry: `msw/core/http` in msw 2, `msw/http` in msw 3,
 * else (another layout) the main entry. The paths are variables so that each msw's types accept
 * the code.
 */
export async function loadMswHttp(): Promise<MswHttp> {
  for (const specifier of ['msw/core/http', 'msw/http']) {
    try {
      return ((await import(specifier)) as { http: MswHttp }).http
    } catch {
      // not this msw's layout
    }
  }
  return (await mswCore()).http
}
