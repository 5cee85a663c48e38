import type { MockProvider } from '@sessionlayer/session-testing'

const REQUEST = 'SPLICE_WALLET_REQUEST'
const RESPONSE = 'SPLICE_WALLET_RESPONSE'

/** The CIP-0103 events a wallet pushes to the page. */
const EVENTS = ['statusChanged', 'accountsChanged', 'connected', 'txChanged', 'messageSignature'] as const

interface RequestFrame {
  readonly type: typeof REQUEST
  readonly request: { readonly id: string | number; readonly method: string; readonly params?: unknown }
}

/** A dApp's request: a `SPLICE_WALLET_REQUEST` frame WITH an id (frames without one are events). */
const isRequestFrame = (data: unknown): data is RequestFrame => {
  if (typeof data !== 'object' || data === null) return false
  const { type, request } = data as { type?: unknown; request?: unknown }
  if (type !== REQUEST || typeof request !== 'object' || request === null) return false
  const { id, method } = request as { id?: unknown; method?: unknown }
  return (typeof id === 'string' || typeof id === 'number') && typeof method === 'string'
}

const toRpcError = (raw: unknown) => {
  const { code, message } = (typeof raw === 'object' && raw !== null ? raw : {}) as { code?: unknown; message?: unknown }
  return {
    code: typeof code === 'number' ? code : -32603,
    message: typeof message === 'string' ? message : 'Internal error',
  }
}

/**
 * Speaks the official Canton wallet postMessage protocol on a window, the way a browser
 * extension's content script does: answers every `SPLICE_WALLET_REQUEST` that carries an id with
 * a `SPLICE_WALLET_RESPONSE` (`result` or `error: { code, message }`), and pushes the wallet's
 * events as `SPLICE_WALLET_REQUEST` frames without an id — what `WindowTransport` of
 * `@canton-network/core-rpc-transport` sends and listens for.
 *
 * @param win - the page's window
 * @param backend - the wallet engine's provider, which answers the requests
 * @param onRequest - called after each request is handed to the engine
 * @returns a function that stops the bridge
 */
export function bridgeWindow(win: Window, backend: MockProvider, onRequest?: (method: string) => void): () => void {
  const post = (frame: unknown) => {
    win.postMessage(frame, win.location.origin)
  }
  const onMessage = (event: MessageEvent) => {
    if (event.source !== win || !isRequestFrame(event.data)) return
    const { id, method, params } = event.data.request
    backend.request(params === undefined ? { method } : { method, params }).then(
      (result) => {
        post({ type: RESPONSE, response: { jsonrpc: '2.0', id, result: result ?? null } })
      },
      (error: unknown) => {
        post({ type: RESPONSE, response: { jsonrpc: '2.0', id, error: toRpcError(error) } })
      },
    )
    onRequest?.(method)
  }
  win.addEventListener('message', onMessage)
  const forwards = EVENTS.map((method) => {
    const forward = (params: unknown) => {
      post({ type: REQUEST, request: { jsonrpc: '2.0', method, params } })
    }
    backend.on(method, forward)
    return [method, forward] as const
  })
  return () => {
    win.removeEventListener('message', onMessage)
    for (const [method, forward] of forwards) backend.removeListener(method, forward)
  }
}
