import { createServer } from 'node:http'
import { SetupServerApi, setupServer } from 'msw/node'
import { http, HttpResponse, bypass, passthrough } from 'msw'
import { FetchInterceptor } from '@mswjs/interceptors/fetch'
import { ClientRequestInterceptor } from '@mswjs/interceptors/ClientRequest'
import OpenAI from 'openai'
let hits = 0
const srv = createServer((req, res) => { hits++; let b=''; req.on('data',d=>b+=d); req.on('end',()=>{ res.setHeader('content-type','application/json'); res.end(JSON.stringify({id:'x',object:'chat.completion',created:1,model:'m',choices:[{index:0,finish_reason:'stop',message:{role:'assistant',content:'live'}}]}))})})
await new Promise(r=>srv.listen(0,'127.0.0.1',r))
const base = `http://127.0.0.1:${srv.address().port}/v1`
let ours = 0
const fi = new FetchInterceptor(); const mine = new SetupServerApi([http.all(({request}) => request.url.startsWith(base), async ({request}) => { ours++; const real = await fetch(bypass(request)); const t = await real.text(); return new HttpResponse(t.replace('live','recorded'), {status: real.status, headers: {'content-type':'application/json'}}) })], [new ClientRequestInterceptor(), fi])
mine.listen({ onUnhandledRequest: 'bypass' })
const c = new OpenAI({ apiKey:'k', baseURL: base, maxRetries:0 })
const ask = async (tag) => { try { const r = await c.chat.completions.create({model:'m',messages:[{role:'user',content:'q'}]}); console.log(tag, r.choices[0].message.content, 'ours', ours, 'hits', hits) } catch (e) { console.log(tag, 'ERR', e.message) } }
await ask('alone')
for (const strategy of [undefined, 'error', 'bypass']) {
  const user = setupServer(http.get('https://example.com/x', () => HttpResponse.json({a:1})))
  user.listen(strategy ? { onUnhandledRequest: strategy } : undefined)
  console.log('listeners', fi.emitter.listenerCount('request'), globalThis[Symbol.for('fetch-interceptor')] === fi)
  await ask('with user ' + strategy)
  console.log('user route', await (await fetch('https://example.com/x')).text())
  user.close()
  await ask('after close ' + strategy)
}
mine.close(); srv.close()
