import { createRequire } from 'node:module'

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

/** What the recorder needs from msw to intercept: its Node server and its `http` handler factory. */
export interface MswNode {
  setupServer: (typeof import('msw/node'))['setupServer']
  http: MswHttp
}

let node: MswNode | undefined

/**
 * Imports msw's Node server and `http` factory once. Nothing imports msw until a recorder starts
 * (fixtures `off` never does), so a run without fixtures does not pay msw's start-up; the Vitest
 * setup file awaits this before it starts a recorder that uses `setupServer` (not msw 2's or 3's direct
 * interceptors).
 */
export async function loadMswNode(): Promise<MswNode> {
  if (!node) {
    const [{ setupServer }, http] = await Promise.all([import('msw/node'), loadMswHttp()])
    node ??= { setupServer, http }
  }
  return node
}

/**
 * msw's server and `http` factory for a recorder starting now: as `loadMswNode` loaded them, else
 * required synchronously (Node 20.19+ loads msw's ES modules through `require`, the same instances
 * `import` returns), so `createFixtureRecorder(...).start()` stays synchronous for direct callers.
 */
export function mswNode(): MswNode {
  if (node) return node
  const require = createRequire(import.meta.url)
  const { setupServer } = require('msw/node') as typeof import('msw/node')
  let http: MswHttp | undefined
  for (const specifier of ['msw/core/http', 'msw/http']) {
    try {
      http = (require(specifier) as { http: MswHttp }).http
      break
    } catch {
      // not this msw's layout
    }
  }
  node = { setupServer, http: http ?? (require('msw') as typeof import('msw')).http }
  return node
}

let direct: boolean | undefined

let major: number | undefined

/** The installed msw's major version (0 when unknown). */
function mswMajor(): number {
  if (major === undefined) {
    try {
      const { version } = createRequire(import.meta.url)('msw/package.json') as { version?: unknown }
      major = typeof version === 'string' ? Number.parseInt(version, 10) || 0 : 0
    } catch {
      major = 0
    }
  }
  return major
}

/**
 * True when the installed msw is msw 2 or 3, whose interceptors the recorder applies directly (see
 * `loadInterceptors`): msw itself (`msw/node`, about 0.2 s of CPU per worker) is then never loaded.
 */
export function usesDirectInterceptors(): boolean {
  direct ??= mswMajor() === 2 || mswMajor() === 3
  return direct
}

/** The part of an `@mswjs/interceptors` request controller the recorder uses. */
export interface InterceptedController {
  respondWith(response: Response): unknown
}

/** A `response` event of an `@mswjs/interceptors` interceptor (one clone of the response, shared by every listener). */
export interface InterceptedResponse {
  requestId: string
  response: Response
}

/** The part of an `@mswjs/interceptors` interceptor the recorder uses. */
export interface RequestInterceptor {
  apply(): void
  dispose(): void
  on(event: 'request', listener: (args: { requestId: string; request: Request; controller: InterceptedController }) => unknown): unknown
  /** Its event emitter (a user's msw server adds its own `response` listener here). */
  emitter: {
    listenerCount(event: 'response'): number
    on(event: 'response', listener: (args: InterceptedResponse) => unknown): unknown
    removeListener(event: 'response', listener: (args: InterceptedResponse) => unknown): unknown
  }
  /** The global-registry symbol under which the running instance is kept (`Symbol.for(...)`). */
  symbol: symbol
}

/** How the recorder's directly applied interceptors share the process with a user's msw server. */
export interface DirectInterceptors {
  interceptors: RequestInterceptor[]
  /** The name of an msw interception already running (a user's server), if any. */
  busy(): string | undefined
  /**
   * Makes the recorder's interceptors the running ones again after a user's msw server closed
   * (msw 2: its `close()` unregisters them from the global registry; msw 3 counts owners: no-op).
   */
  reclaim(): void
  /**
   * True when the interceptors see a request only at the socket, outside the caller's async
   * context (msw 3): the recorder then also answers `fetch` calls to LM hosts in front of `fetch`
   * itself, where the caller's context (phase, rollout id) is still known.
   */
  wrapFetch: boolean
}

/** Names (in `Symbol.for`) under which msw 2's `@mswjs/interceptors` keeps its running interceptors. */
const INTERCEPTOR_MODULES = ['ClientRequest', 'XMLHttpRequest', 'fetch'] as const

/** Where `@mswjs/interceptors` 0.4x (msw 3) keeps its shared interceptors (the request source among them). */
const REGISTRY = '__MSW_INTERCEPTORS_REGISTRY'

/**
 * Fresh instances of the interceptors msw itself uses (`@mswjs/interceptors`, resolved from msw's
 * own folder, so the version is msw's), or undefined for another msw major or layout.
 * The recorder applies them directly rather than through `setupServer`, so that a user's own
 * `setupServer(...).listen()` joins them instead of displacing the recorder. Applied first, their
 * request listener runs before any user handler:
 * - msw 2.15 shares one interception source between every `setupServer` of a process, so a user's
 *   server would replace the recorder's handler and its `close()` end the recorder's interception;
 *   applied first, these are the running instances a user's msw server joins (its handlers run
 *   after the recorder's), and closing that server leaves them in place.
 * - msw 3 routes every Node HTTP request (fetch included) through one shared request source
 *   (`@mswjs/interceptors/http`), whose listeners run in the order they subscribed and whose users
 *   are counted (a user's `close()` leaves it running for the recorder). Two `setupServer`s do not
 *   combine there: the later one's unhandled-request strategy settles a request (an error, or the
 *   live network) before the earlier one's handlers see it, so the recorder cannot be a server.
 */
export function loadInterceptors(): DirectInterceptors | undefined {
  try {
    if (!usesDirectInterceptors()) return undefined
    const fromMsw = createRequire(createRequire(import.meta.url).resolve('msw/node'))
    const registry = globalThis as Record<string | symbol, unknown>
    if (mswMajor() === 3) {
      const { HttpRequestInterceptor } = fromMsw('@mswjs/interceptors/http') as { HttpRequestInterceptor?: new () => RequestInterceptor }
      if (typeof HttpRequestInterceptor !== 'function') throw new Error('no http interceptor')
      const interceptor = new HttpRequestInterceptor()
      return {
        interceptors: [interceptor],
        busy() {
          const shared = registry[REGISTRY] as Map<symbol, { readyState?: unknown }> | undefined
          for (const [symbol, running] of shared ?? []) if (running.readyState === 'ACTIVE') return symbol.description
          return undefined
        },
        reclaim() {},
        wrapFetch: true,
      }
    }
    const interceptors = INTERCEPTOR_MODULES.map((name) => {
      const mod = fromMsw(`@mswjs/interceptors/${name}`) as Record<string, new () => RequestInterceptor>
      const Ctor = mod[name === 'fetch' ? 'FetchInterceptor' : `${name}Interceptor`]
      if (typeof Ctor !== 'function') throw new Error(`no ${name} interceptor`)
      return new Ctor()
    })
    return {
      interceptors,
      busy: () => interceptors.find((i) => registry[i.symbol] !== undefined)?.symbol.description,
      reclaim() {
        for (const i of interceptors) registry[i.symbol] = i
      },
      wrapFetch: false,
    }
  } catch {
    return undefined
  }
}
