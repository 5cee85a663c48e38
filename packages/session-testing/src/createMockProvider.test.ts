import { ErrorResponse, HttpUrl, PartyId } from '@canton-network/core-types'
import type * as Dapp from '@canton-network/core-wallet-dapp-rpc-client'
import type { CIP0103Account, CIP0103Provider, CIP0103RequestArgs } from '@sessionlayer/session-core'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { z } from 'zod'
import { createMockProvider as createProvider } from './createMockProvider'
import { createMockWallet as createWallet } from './createMockWallet'
import type { MockProviderOptions, MockWalletOptions, MockWallet } from './types'

// These tests pin what the wallet tells, and in what order, as of the end of each wallet action: its
// `delivery: 'sync'`. The default delivery, on a task of its own, has tests of its own (createMockWallet.test.ts).
const createMockWallet = (options: MockWalletOptions = {}) => createWallet({ delivery: 'sync', ...options })
const createMockProvider = (options: MockProviderOptions = {}) => createProvider({ delivery: 'sync', ...options })

afterEach(() => {
  vi.useRealTimers()
})

/** One Daml command, as the official PrepareExecuteParams take a non-empty list of them. */
const commands = [{ CreateCommand: { templateId: '#pkg:Main:Asset', createArguments: {} } }]

describe('createMockProvider', () => {
  it('§6: implements CIP0103Provider and makes a wallet of its own by default', () => {
    const provider: CIP0103Provider = createMockProvider()
    const [a, b] = [createMockProvider(), createMockProvider()]
    expect(typeof provider.request).toBe('function')
    expect(a.wallet).not.toBe(b.wallet)
    a.wallet.connectFromWallet()
    expect(b.wallet.state().connected).toBe(false)
  })

  it('C9: status answers without network and session while disconnected, with them once connected', async () => {
    const provider = createMockProvider()
    await expect(provider.request({ method: 'status' })).resolves.toEqual({
      provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'http://127.0.0.1/mock-wallet/approve' },
      connection: { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'Unauthenticated' },
    })
    await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    await provider.request({ method: 'connect' })
    await expect(provider.request({ method: 'status' })).resolves.toEqual({
      provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'http://127.0.0.1/mock-wallet/approve' },
      connection: { isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK' },
      network: { networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-1' },
      session: { accessToken: 'mock-token-1', userId: 'mock-user' },
    })
    await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
  })

  it('C9/§6: a wallet the dApp is not connected to reports no network connection either (isNetworkConnected false, as the official wallet answers an unauthenticated dApp): status, isConnected, an async connect, a decline, a disconnect, a drop', async () => {
    const wallet = createMockWallet({ connectMode: 'async' })
    const provider = createMockProvider({ wallet })
    const seen: unknown[] = []
    for (const event of ['connected', 'statusChanged']) provider.on(event, (status: { connection: unknown }) => seen.push(status.connection))
    const down = { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated' }
    const userUrl = 'http://127.0.0.1/mock-wallet/approve'
    await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: { ...down, reason: 'Unauthenticated' } })
    await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ ...down, userUrl })
    await expect(provider.request({ method: 'connect' })).resolves.toEqual({ ...down, userUrl })
    wallet.reject()
    wallet.connectFromWallet()
    await provider.request({ method: 'disconnect' })
    wallet.drop()
    const up = { isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl }
    expect(seen).toEqual([{ ...down, reason: 'rejected' }, { ...down, reason: 'Unauthenticated' }, up, up, { ...down, reason: 'disconnect', networkReason: 'disconnect' }, { ...down, reason: 'wallet unreachable' }])
    await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ ...down, reason: 'wallet unreachable' })
  })

  it('C9/§6: the connection carries the official wallet\'s reasons (connected: reason and networkReason OK; not connected: networkReason Unauthenticated; a disconnect: reason disconnect, networkReason disconnect or removed session) and the provider its userUrl, none of them a token', async () => {
    const wallet = createMockWallet({ userUrl: 'https://wallet/ui' })
    const provider = createMockProvider({ wallet })
    const seen: { provider: unknown; connection: unknown }[] = []
    provider.on('statusChanged', (status: { provider: unknown; connection: unknown }) => seen.push(status))
    const down = { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated' }
    const up = { isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK' }
    await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ ...down, userUrl: 'https://wallet/ui' })
    await expect(provider.request({ method: 'connect' })).resolves.toEqual({ ...up, userUrl: 'https://wallet/ui' })
    await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ ...up, userUrl: 'https://wallet/ui' })
    await expect(provider.request({ method: 'status' })).resolves.toMatchObject({
      provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'https://wallet/ui' },
      connection: up,
    })
    await provider.request({ method: 'disconnect' })
    wallet.connectFromWallet()
    wallet.disconnectFromWallet()
    const told = { ...up, userUrl: 'https://wallet/ui' }
    expect(seen.map((status) => status.connection)).toEqual([told, { ...down, reason: 'disconnect', networkReason: 'disconnect' }, told, { ...down, reason: 'disconnect', networkReason: 'removed session' }])
    expect(JSON.stringify(seen.map((status) => [status.provider, status.connection]))).not.toContain('mock-token')
  })

  it('C9/§6: answers as the official wallet gateway does: status unauthenticated says reason Unauthenticated; connect and isConnected carry the userUrl in every connect mode, connected or not; the events of a connection carry it in their connection, a status and a re-announcement none', async () => {
    const userUrl = 'https://wallet/login/'
    const down = { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated' }
    const up = { isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK' }
    for (const connectMode of ['approve', 'async', 'manual'] as const) {
      const wallet = createMockWallet({ connectMode, userUrl })
      const provider = createMockProvider({ wallet })
      const seen: [string, unknown][] = []
      for (const event of ['connected', 'statusChanged']) provider.on(event, (status: { connection: unknown }) => seen.push([event, status.connection]))
      await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: { ...down, reason: 'Unauthenticated' } })
      // the gateway's isConnected and connect answer an unauthenticated dApp without a reason
      await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ ...down, userUrl })
      const connecting = provider.request({ method: 'connect' })
      await new Promise((resolve) => setTimeout(resolve, 0))
      wallet.approve()
      await expect(connecting).resolves.toEqual(connectMode === 'async' ? { ...down, userUrl } : { ...up, userUrl })
      await expect(provider.request({ method: 'connect' })).resolves.toEqual({ ...up, userUrl })
      await expect(provider.request({ method: 'isConnected' })).resolves.toEqual({ ...up, userUrl })
      await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: up })
      wallet.switchNetwork('canton:testnet')
      expect(seen).toEqual([
        ['statusChanged', { ...up, userUrl }],
        ['connected', { ...up, userUrl }],
        ['statusChanged', { ...up, userUrl }],
        ['connected', { ...up, userUrl }],
        ['statusChanged', up],
      ])
    }
  })

  it('C4: every connected-only method rejects 4100 with a bare object before connect', async () => {
    const provider = createMockProvider()
    for (const method of ['listAccounts', 'getPrimaryAccount', 'getActiveNetwork', 'signMessage', 'prepareExecute', 'prepareExecuteAndWait', 'ledgerApi']) {
      const error = await provider.request({ method, params: { message: 'm', resource: '/v2/x' } }).catch((e: unknown) => e)
      expect(error).toEqual({ code: 4100, message: 'Unauthorized' })
      expect(error).not.toBeInstanceOf(Error)
    }
  })

  it('C3: connected reads answer the accounts, the primary account and the network', async () => {
    const provider = createMockProvider({ connected: true })
    const accounts = (await provider.request({ method: 'listAccounts' })) as CIP0103Account[]
    expect(accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    await expect(provider.request({ method: 'getPrimaryAccount' })).resolves.toEqual(accounts[0])
    await expect(provider.request({ method: 'getActiveNetwork' })).resolves.toEqual({ networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-1' })
  })

  it('§6: signMessage, prepareExecute (with txChanged pending, then signed and executed after the answer) and ledgerApi (the official LedgerApiResult: the Ledger API\'s answer as an object)', async () => {
    const provider = createMockProvider({ connected: true })
    vi.useFakeTimers()
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    await expect(provider.request({ method: 'signMessage', params: { message: 'hello' } })).resolves.toEqual({ signature: 'mock-signature:hello' })
    await expect(provider.request({ method: 'prepareExecute', params: { commandId: 'cmd-1', commands } })).resolves.toBeNull()
    await vi.advanceTimersByTimeAsync(0)
    expect(tx).toEqual([
      { status: 'pending', commandId: 'cmd-1' },
      expect.objectContaining({ status: 'signed', commandId: 'cmd-1' }),
      { status: 'executed', commandId: 'cmd-1', payload: { updateId: 'mock-update-1', completionOffset: 1 } },
    ])
    await provider.request({ method: 'prepareExecute', params: { commands } })
    await vi.advanceTimersByTimeAsync(0)
    expect(tx[5]).toEqual({ status: 'executed', commandId: 'mock-command-2', payload: { updateId: 'mock-update-2', completionOffset: 2 } })
    await expect(provider.request({ method: 'ledgerApi', params: { requestMethod: 'get', resource: '/v2/version' } })).resolves.toEqual({ ok: true, resource: '/v2/version' })
  })

  it('§6: prepareExecute answers null once txChanged pending is told, and the wallet signs and executes after the answer, so a dApp that listens only once it has the answer (as the official dApp SDK does) hears signed and executed', async () => {
    const provider = createMockProvider({ connected: true, latencyMs: 100 })
    vi.useFakeTimers()
    const before: unknown[] = []
    provider.on('txChanged', (event: unknown) => before.push(event))
    const answer = provider.request({ method: 'prepareExecute', params: { commandId: 'cmd-1', commands } })
    await vi.advanceTimersByTimeAsync(100)
    await expect(answer).resolves.toBeNull()
    expect(before).toEqual([{ status: 'pending', commandId: 'cmd-1' }])
    const after: unknown[] = []
    provider.on('txChanged', (event: unknown) => after.push(event))
    await vi.advanceTimersByTimeAsync(99)
    expect(after).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    const signed = expect.objectContaining({ status: 'signed', commandId: 'cmd-1' })
    const executed = { status: 'executed', commandId: 'cmd-1', payload: { updateId: 'mock-update-1', completionOffset: 1 } }
    expect([before, after]).toEqual([[{ status: 'pending', commandId: 'cmd-1' }, signed, executed], [signed, executed]])
  })

  it('§6: a dApp that disconnected before the wallet executed its prepareExecute no longer hears txChanged executed, as a wallet tells a session\'s events only to a connected dApp', async () => {
    const provider = createMockProvider({ connected: true })
    vi.useFakeTimers()
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    await expect(provider.request({ method: 'prepareExecute', params: { commandId: 'cmd-1', commands } })).resolves.toBeNull()
    await provider.request({ method: 'disconnect' })
    await vi.advanceTimersByTimeAsync(0)
    expect(tx).toEqual([{ status: 'pending', commandId: 'cmd-1' }])
  })

  it('§6: prepareExecuteAndWait, a method of the official provider, tells txChanged pending, signed, then executed and answers { tx } with the executed event', async () => {
    const provider = createMockProvider({ connected: true })
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    const executed = { status: 'executed', commandId: 'cmd-1', payload: { updateId: 'mock-update-1', completionOffset: 1 } }
    await expect(provider.request({ method: 'prepareExecuteAndWait', params: { commandId: 'cmd-1', commands } })).resolves.toEqual({ tx: executed })
    expect(tx).toEqual([{ status: 'pending', commandId: 'cmd-1' }, expect.objectContaining({ status: 'signed' }), executed])
    // one command sequence with prepareExecute
    await provider.request({ method: 'prepareExecute', params: { commands } })
    await expect(provider.request({ method: 'prepareExecuteAndWait', params: { commands } })).resolves.toMatchObject({ tx: { commandId: 'mock-command-3', payload: { completionOffset: 3 } } })
    provider.wallet.drop()
    await expect(provider.request({ method: 'prepareExecuteAndWait', params: { commands } })).rejects.toEqual({ code: 4900, message: 'Disconnected' })
  })

  it('§6: failNextTransaction() makes the next transaction(s) fail in the wallet after pending: txChanged failed (the official TxChangedFailedEvent), prepareExecuteAndWait rejecting as the official dApp SDK does', async () => {
    const provider = createMockProvider({ connected: true })
    vi.useFakeTimers()
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    provider.wallet.failNextTransaction(2)
    const error = await provider.request({ method: 'prepareExecuteAndWait', params: { commandId: 'cmd-1', commands } }).catch((e: unknown) => e)
    expect(error).toEqual({ status: 'error', error: 3, details: 'Transaction with commandId cmd-1 failed to execute.' })
    await expect(provider.request({ method: 'prepareExecute', params: { commandId: 'cmd-2', commands } })).resolves.toBeNull()
    await vi.advanceTimersByTimeAsync(0)
    expect(tx).toEqual([
      { status: 'pending', commandId: 'cmd-1' },
      { status: 'failed', commandId: 'cmd-1' },
      { status: 'pending', commandId: 'cmd-2' },
      { status: 'failed', commandId: 'cmd-2' },
    ])
    // then the transactions succeed again; below 1 (0, negative, NaN) fails none
    provider.wallet.failNextTransaction(0)
    provider.wallet.failNextTransaction(Number.NaN)
    await expect(provider.request({ method: 'prepareExecuteAndWait', params: { commandId: 'cmd-3', commands } })).resolves.toMatchObject({ tx: { status: 'executed', commandId: 'cmd-3' } })
  })

  it('§6: failNextTransaction() given after transactions that succeeded fails exactly the next one, then none', async () => {
    const provider = createMockProvider({ connected: true })
    const run = (commandId: string) => provider.request({ method: 'prepareExecuteAndWait', params: { commandId, commands } })
    await expect(run('cmd-1')).resolves.toMatchObject({ tx: { status: 'executed' } })
    await expect(run('cmd-2')).resolves.toMatchObject({ tx: { status: 'executed' } })
    provider.wallet.failNextTransaction()
    await expect(run('cmd-3')).rejects.toMatchObject({ status: 'error', error: 3 })
    await expect(run('cmd-4')).resolves.toMatchObject({ tx: { status: 'executed', commandId: 'cmd-4' } })
  })

  it('§6: txChanged walks the official statuses in order, pending, signed (payload { signature, signedBy, party }: the primary account signs), executed, for prepareExecute and prepareExecuteAndWait alike', async () => {
    const provider = createMockProvider({ connected: true })
    vi.useFakeTimers()
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    const signed = (commandId: string, party: string) => ({ status: 'signed', commandId, payload: { signature: `mock-signature:${commandId}`, signedBy: 'participant', party } })
    await provider.request({ method: 'prepareExecute', params: { commandId: 'cmd-1', commands } })
    expect(tx).toEqual([{ status: 'pending', commandId: 'cmd-1' }])
    await vi.advanceTimersByTimeAsync(0)
    expect(tx.slice(1)).toEqual([signed('cmd-1', 'alice::1220aa'), { status: 'executed', commandId: 'cmd-1', payload: { updateId: 'mock-update-1', completionOffset: 1 } }])
    provider.wallet.switchParty('bob::1220bb')
    tx.length = 0
    const { tx: executed } = (await provider.request({ method: 'prepareExecuteAndWait', params: { commandId: 'cmd-2', commands } })) as { tx: unknown }
    expect(tx).toEqual([{ status: 'pending', commandId: 'cmd-2' }, signed('cmd-2', 'bob::1220bb'), executed])
  })

  it('C18/§6: prepareExecute and prepareExecuteAndWait sign as actAs[0] when actAs is given (the primary account otherwise, as the official PrepareExecuteParams say); a party of actAs that is none of the wallet\'s accounts rejects -32600, with no txChanged, as the official wallet refuses it', async () => {
    const provider = createMockProvider({ connected: true, accounts: [{ partyId: 'alice::1', primary: true, signingProviderId: 'participant' }, { partyId: 'bob::2', primary: false, signingProviderId: 'wallet-kernel' }] })
    const tx: { status: string; payload?: unknown }[] = []
    provider.on('txChanged', (event: { status: string }) => tx.push(event))
    for (const method of ['prepareExecute', 'prepareExecuteAndWait']) {
      await expect(provider.request({ method, params: { commands, actAs: ['bob::2', 'mallory::9'] } })).rejects.toEqual({ code: -32600, message: 'Acting party mallory::9 does not belong to user' })
    }
    expect(tx).toEqual([])
    await provider.request({ method: 'prepareExecuteAndWait', params: { commandId: 'c1', commands, actAs: ['bob::2', 'alice::1'] } })
    await provider.request({ method: 'prepareExecuteAndWait', params: { commandId: 'c2', commands, actAs: [] } })
    expect(tx.filter((t) => t.status === 'signed').map((t) => t.payload)).toEqual([
      { signature: 'mock-signature:c1', signedBy: 'wallet-kernel', party: 'bob::2' },
      { signature: 'mock-signature:c2', signedBy: 'participant', party: 'alice::1' },
    ])
  })

  it('C4/§6: without a primary account, getPrimaryAccount, signMessage, prepareExecute and prepareExecuteAndWait reject -32603 as the official wallet does (its getPrimaryAccount answers a Wallet, never null), with no txChanged; the other reads still answer', async () => {
    const provider = createMockProvider({ connected: true, accounts: [{ partyId: 'carol::3', primary: false }] })
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    for (const method of ['getPrimaryAccount', 'signMessage', 'prepareExecute', 'prepareExecuteAndWait']) {
      await expect(provider.request({ method, params: { message: 'm', commands } })).rejects.toEqual({ code: -32603, message: 'No primary wallet found' })
    }
    expect(tx).toEqual([])
    await expect(provider.request({ method: 'listAccounts' })).resolves.toEqual([{ partyId: 'carol::3', primary: false }])
    await expect(provider.request({ method: 'getActiveNetwork' })).resolves.toMatchObject({ networkId: 'canton:devnet' })
    await expect(provider.request({ method: 'ledgerApi', params: { requestMethod: 'get', resource: '/v2/version' } })).resolves.toHaveProperty('ok', true)
  })

  it('C18: prepareExecute and prepareExecuteAndWait without a commands array, with an empty one, or with an actAs that is no array, reject -32602, with no txChanged (the official PrepareExecuteParams requires commands, a non-empty array of Daml commands, as the Ledger API submits no empty transaction, and actAs is a list of parties)', async () => {
    const provider = createMockProvider({ connected: true })
    const tx: unknown[] = []
    provider.on('txChanged', (event: unknown) => tx.push(event))
    for (const method of ['prepareExecute', 'prepareExecuteAndWait']) {
      for (const params of [undefined, {}, { commandId: 'cmd-1' }, { commands: 'x' }, { commands: [] }, { commandId: 'cmd-1', commands: [], actAs: ['alice::1220aa'] }, { commands: [{ CreateCommand: {} }], actAs: 'alice::1220aa' }]) {
        await expect(provider.request({ method, params })).rejects.toEqual({ code: -32602, message: 'Invalid params' })
      }
    }
    expect(tx).toEqual([])
    await expect(provider.request({ method: 'prepareExecuteAndWait', params: { commands } })).resolves.toMatchObject({ tx: { commandId: 'mock-command-1' } })
  })

  it('§6: signMessage tells the official MessageSignatureEvent, pending then signed with its messageId and signature, before it answers; refused, it tells none', async () => {
    const provider = createMockProvider({ connected: true })
    const order: unknown[] = []
    provider.on('messageSignature', (event: unknown) => order.push(event))
    const answer = await provider.request({ method: 'signMessage', params: { message: 'hello' } }).finally(() => order.push('answered'))
    expect(answer).toEqual({ signature: 'mock-signature:hello' })
    const messageId = (order[0] as { messageId: unknown }).messageId
    expect(typeof messageId).toBe('string')
    expect(order).toEqual([{ status: 'pending', messageId }, { status: 'signed', messageId, signature: 'mock-signature:hello' }, 'answered'])
    await provider.request({ method: 'signMessage', params: { message: 'again' } })
    expect((order[3] as { messageId: unknown }).messageId).not.toBe(messageId)
    order.length = 0
    await provider.request({ method: 'signMessage', params: {} }).catch(() => null)
    expect(order).toEqual([])
  })

  it('C18/§6: signMessage with a message that is no string rejects -32602 and tells no MessageSignatureEvent', async () => {
    const provider = createMockProvider({ connected: true })
    const events: unknown[] = []
    provider.on('messageSignature', (event: unknown) => events.push(event))
    for (const message of [42, null, { text: 'hello' }, ['hello']]) {
      await expect(provider.request({ method: 'signMessage', params: { message } })).rejects.toEqual({ code: -32602, message: 'Invalid params' })
    }
    expect(events).toEqual([])
  })

  it('§6: ledgerApi answers the Ledger API\'s JSON answer as an object (the official LedgerApiResult), not a string to parse', async () => {
    const provider = createMockProvider({ connected: true })
    const answer = await provider.request({ method: 'ledgerApi', params: { requestMethod: 'post', resource: '/v2/commands/completions', body: { userId: 'u' } } })
    expect(answer).toEqual({ ok: true, resource: '/v2/commands/completions' })
    expect(answer).not.toHaveProperty('response')
  })

  it('C18/§6: ledgerApi takes only the request methods of the official LedgerApiParams (get, post, patch, put, delete, in lower case): any other, or none, rejects -32602, as the official wallet refuses it', async () => {
    const provider = createMockProvider({ connected: true })
    for (const requestMethod of ['get', 'post', 'patch', 'put', 'delete']) {
      await expect(provider.request({ method: 'ledgerApi', params: { requestMethod, resource: '/v2/version' } })).resolves.toHaveProperty('ok', true)
    }
    for (const requestMethod of ['GET', 'Post', 'head', undefined, 1]) {
      await expect(provider.request({ method: 'ledgerApi', params: { requestMethod, resource: '/v2/version' } })).rejects.toEqual({ code: -32602, message: 'Invalid params' })
    }
  })

  it('C18: bad input rejects with a clear code, never throws: invalid params, unknown method, no method', async () => {
    const provider = createMockProvider({ connected: true })
    await expect(provider.request({ method: 'signMessage' })).rejects.toEqual({ code: -32602, message: 'Invalid params' })
    await expect(provider.request({ method: 'ledgerApi', params: 'x' })).rejects.toEqual({ code: -32602, message: 'Invalid params' })
    await expect(provider.request({ method: 'eth_sendTransaction' })).rejects.toEqual({ code: 4200, message: 'Unsupported Method' })
    await expect(provider.request({ method: 'toString' })).rejects.toEqual({ code: 4200, message: 'Unsupported Method' })
    for (const args of [null, undefined, {}, { method: 5 }]) {
      await expect(provider.request(args as never)).rejects.toEqual({ code: -32600, message: 'Invalid request' })
    }
    expect(provider.calls.map((c) => c.method)).toEqual(['signMessage', 'ledgerApi', 'eth_sendTransaction', 'toString'])
  })

  it('C6/§6: a disconnect from a dApp that is not connected answers null and tells nothing, as the official wallet gateway, which has no session to end; a connect waiting for the user still ends as declined', async () => {
    const wallet = createMockWallet({ connectMode: 'async' })
    const provider = createMockProvider({ wallet })
    const seen: [string, unknown][] = []
    for (const event of ['connected', 'statusChanged']) provider.on(event, (status: { connection: unknown }) => seen.push([event, status.connection]))
    await expect(provider.request({ method: 'disconnect' })).resolves.toBeNull()
    expect(seen).toEqual([])
    await provider.request({ method: 'connect' })
    await expect(provider.request({ method: 'disconnect' })).resolves.toBeNull()
    expect(seen).toEqual([['connected', { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'rejected' }]])
    expect(wallet.state()).toMatchObject({ connected: false, pendingConnects: 0 })
  })

  it('C6: disconnect resolves null and announces statusChanged false (reason disconnect) to every tab', async () => {
    const wallet = createMockWallet({ connected: true })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const seen: [string, unknown][] = []
    a.on('statusChanged', (s: unknown) => seen.push(['a', s]))
    b.on('statusChanged', (s: unknown) => seen.push(['b', s]))
    await expect(a.request({ method: 'disconnect' })).resolves.toBeNull()
    const status = { provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'http://127.0.0.1/mock-wallet/approve' }, connection: { isConnected: false, isNetworkConnected: false, networkReason: 'disconnect', reason: 'disconnect' } }
    expect(seen).toEqual([
      ['a', status],
      ['b', status],
    ])
    expect(wallet.state().connected).toBe(false)
  })

  it('§6: every request is recorded in order, with its params when given', async () => {
    const provider = createMockProvider()
    await provider.request({ method: 'status' })
    await provider.request({ method: 'connect', params: { reason: 'test' } })
    await provider.request({ method: 'listAccounts' })
    expect(provider.calls).toEqual([{ method: 'status' }, { method: 'connect', params: { reason: 'test' } }, { method: 'listAccounts' }])
  })

  it('§6: params are taken when the request is sent, as a wallet transport copies them: changing them later changes neither the answer nor the record', async () => {
    const provider = createMockProvider({ connected: true })
    const params = { message: 'sent' }
    const answer = provider.request({ method: 'signMessage', params })
    params.message = 'changed later'
    await expect(answer).resolves.toEqual({ signature: 'mock-signature:sent' })
    expect(provider.calls).toEqual([{ method: 'signMessage', params: { message: 'sent' } }])
    expect(provider.wallet.calls).toEqual([{ provider: 0, method: 'signMessage', params: { message: 'sent' } }])
    const uncloneable = await provider.request({ method: 'signMessage', params: { message: 'm', callback: () => {} } }).catch((e: unknown) => e)
    expect(uncloneable).toMatchObject({ name: 'DataCloneError' })
    expect(provider.calls).toHaveLength(1)
  })

  it('§6: the records of a request are copies of their own: changing the params a record holds changes neither the answer on its way nor the other record', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true, latencyMs: 100 })
    const answer = provider.request({ method: 'signMessage', params: { message: 'sent' } })
    ;(provider.calls[0]?.params as { message: string }).message = 'changed in the record'
    expect(provider.wallet.calls).toEqual([{ provider: 0, method: 'signMessage', params: { message: 'sent' } }])
    ;(provider.wallet.calls[0]?.params as { message: string }).message = 'changed in the record'
    await vi.advanceTimersByTimeAsync(100)
    await expect(answer).resolves.toEqual({ signature: 'mock-signature:sent' })
  })

  it('§6: params that cannot be copied fail the request in the transport at once, before the wallet and its latency', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true, latencyMs: 1000 })
    const failed = provider.request({ method: 'signMessage', params: { message: 'm', callback: () => {} } }).catch((e: unknown) => e)
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(vi.getTimerCount()).toBe(0)
    expect(await failed).toMatchObject({ name: 'DataCloneError' })
  })

  it('C17: with latencyMs, nothing answers until the (fake) timers advance; setTimeout is read at call time', async () => {
    const provider = createMockProvider({ latencyMs: 100 })
    vi.useFakeTimers()
    const events: string[] = []
    provider.on('statusChanged', () => events.push('statusChanged'))
    let answer: unknown = 'pending'
    void provider.request({ method: 'connect' }).then((value) => (answer = value))
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(99)
    expect([answer, events]).toEqual(['pending', []])
    await vi.advanceTimersByTimeAsync(1)
    expect(answer).toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    expect(events).toEqual(['statusChanged'])
  })

  it('C17: a latencyMs of 1 delays the answer on a timer too, as every latency above 0 does', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true, latencyMs: 1 })
    let answered = false
    void provider.request({ method: 'status' }).then(() => (answered = true))
    expect(vi.getTimerCount()).toBe(1)
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(answered).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(answered).toBe(true)
  })

  it('C17/C18: with latencyMs, a request without a method is answered -32600 after the delay too, in the order asked', async () => {
    const provider = createMockProvider({ connected: true, latencyMs: 100 })
    vi.useFakeTimers()
    const order: string[] = []
    void provider.request({ method: 'status' }).then(() => order.push('status'))
    void provider.request({} as CIP0103RequestArgs).catch((error: unknown) => order.push(`no method: ${(error as { code: number }).code}`))
    await vi.advanceTimersByTimeAsync(99)
    expect(order).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(order).toEqual(['status', 'no method: -32600'])
  })

  it('C14: with no latency, answers come on a microtask and no timer is ever armed', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider()
    const answer = provider.request({ method: 'connect' })
    expect(vi.getTimerCount()).toBe(0)
    await expect(answer).resolves.toMatchObject({ isConnected: true })
  })

  it('M3: two tabs over one wallet see the same events; a detached tab sees none but can still ask', async () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const seen = { a: [] as string[], b: [] as string[] }
    for (const [name, p] of [['a', a], ['b', b]] as const) {
      for (const event of ['statusChanged', 'accountsChanged']) p.on(event, () => seen[name].push(event))
    }
    await a.request({ method: 'connect' })
    wallet.switchParty('bob::1220bb')
    wallet.drop()
    wallet.recover()
    expect(seen.b).toEqual(['statusChanged', 'accountsChanged', 'statusChanged', 'statusChanged'])
    expect(seen.a).toEqual(seen.b)
    b.detach()
    b.detach()
    wallet.switchParty('alice::1220aa')
    expect(seen.b).toHaveLength(4)
    expect(seen.a).toHaveLength(5)
    await expect(b.request({ method: 'getPrimaryAccount' })).resolves.toMatchObject({ partyId: 'alice::1220aa' })
  })

  it('M3: a tab detached while an event is being delivered to the tabs before it does not receive that event', () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const seen: string[] = []
    a.on('statusChanged', () => {
      seen.push('a')
      b.detach()
    })
    b.on('statusChanged', () => seen.push('b'))
    wallet.drop()
    expect(seen).toEqual(['a'])
  })

  it('M3: a tab attached while an event is being delivered does not receive that event, only the ones sent after it', () => {
    const wallet = createMockWallet()
    const seen: string[] = []
    let late: ReturnType<typeof createMockProvider> | undefined
    createMockProvider({ wallet }).on('statusChanged', () => {
      if (late) return
      late = createMockProvider({ wallet })
      late.on('statusChanged', () => seen.push('late'))
    })
    wallet.drop()
    expect(seen).toEqual([])
    wallet.recover()
    expect(seen).toEqual(['late'])
  })

  it('M3/C19: an event the wallet sends while delivering another reaches every tab after it, so no tab ends on a state the wallet has left', () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const seen: string[] = []
    // The user logs out in the wallet the moment tab a sees the connection.
    a.on('statusChanged', (status: { connection: { isConnected: boolean } }) => {
      if (status.connection.isConnected) wallet.disconnectFromWallet()
    })
    a.on('statusChanged', (status: { connection: { isConnected: boolean } }) => seen.push(`a:${status.connection.isConnected}`))
    b.on('statusChanged', (status: { connection: { isConnected: boolean } }) => seen.push(`b:${status.connection.isConnected}`))
    b.on('connected', () => seen.push('b:connected'))
    wallet.connectFromWallet()
    expect(seen).toEqual(['a:true', 'b:true', 'b:connected', 'a:false', 'b:false'])
    expect(wallet.state().connected).toBe(false)
  })

  it('C14: listenerCount counts per event and in total, and returns to 0 after removeListener', () => {
    const provider = createMockProvider()
    const f = () => {}
    const g = () => {}
    provider.on('statusChanged', f).on('statusChanged', f).on('accountsChanged', g)
    expect([provider.listenerCount(), provider.listenerCount('statusChanged'), provider.listenerCount('txChanged')]).toEqual([3, 2, 0])
    provider.removeListener('accountsChanged', g).removeListener('accountsChanged', g).removeListener('nothing', g)
    expect(provider.listenerCount()).toBe(2)
    provider.removeListener('statusChanged', f)
    expect(provider.listenerCount()).toBe(0)
    provider.wallet.connectFromWallet()
    expect(provider.listenerErrors).toEqual([])
  })

  it('C14: removeListener removes every registration of the listener, as the official DappSyncProvider does (it filters the listener out)', () => {
    const provider = createMockProvider()
    const seen: string[] = []
    const f = () => seen.push('f')
    const g = () => seen.push('g')
    provider.on('statusChanged', f).on('statusChanged', g).on('statusChanged', f)
    provider.removeListener('statusChanged', f)
    expect(provider.listenerCount('statusChanged')).toBe(1)
    provider.wallet.connectFromWallet()
    expect(seen).toEqual(['g'])
  })

  it('C16: a throwing listener is recorded and stops the listeners after it in its tab, as the official provider\'s emit stops at a throw, but never another tab, a later event, nor the wallet', () => {
    const provider = createMockProvider({ connected: true })
    const other = createMockProvider({ wallet: provider.wallet })
    const order: string[] = []
    const boom = new Error('bad listener')
    provider.on('accountsChanged', () => order.push('first'))
    provider.on('accountsChanged', () => {
      throw boom
    })
    provider.on('accountsChanged', () => order.push('third'))
    other.on('accountsChanged', () => order.push('other tab'))
    expect(() => {
      provider.wallet.switchParty('bob::1220bb')
    }).not.toThrow()
    expect(order).toEqual(['first', 'other tab'])
    expect(provider.listenerErrors).toEqual([boom])
    provider.emit('accountsChanged', [])
    expect(order).toEqual(['first', 'other tab', 'first'])
    expect(provider.listenerErrors).toEqual([boom, boom])
  })

  it('C16: a listener removed while an event is delivered does not make the others miss it', () => {
    const provider = createMockProvider()
    const order: string[] = []
    const first = () => {
      order.push('first')
      provider.removeListener('statusChanged', first)
    }
    provider.on('statusChanged', first)
    provider.on('statusChanged', () => order.push('second'))
    provider.wallet.drop()
    provider.wallet.recover()
    expect(order).toEqual(['first', 'second', 'second'])
  })

  it('C16: a listener added while an event is delivered hears the events after it, not that one', () => {
    const provider = createMockProvider()
    const order: string[] = []
    const late = () => order.push('late')
    provider.on('custom', () => {
      order.push('first')
      provider.on('custom', late)
    })
    provider.emit('custom')
    expect(order).toEqual(['first'])
    provider.emit('custom')
    expect(order).toEqual(['first', 'first', 'late'])
  })

  it('§6: emit delivers synchronously to this tab only, in registration order, with the arguments as given', () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const seen: unknown[][] = []
    const payload = { x: 1 }
    a.on('custom', (...args: unknown[]) => seen.push(['1', ...args]))
    a.on('custom', (...args: unknown[]) => seen.push(['2', ...args]))
    b.on('custom', (...args: unknown[]) => seen.push(['b', ...args]))
    expect(a.emit('custom', payload, 2)).toBe(true)
    expect(seen).toEqual([
      ['1', payload, 2],
      ['2', payload, 2],
    ])
    expect(seen[0]?.[1]).toBe(payload)
    expect(a.emit('nobody-listens')).toBe(false)
  })

  it('§6: emit returns true for an event whose listeners were all removed, as the official DappSyncProvider does (it keeps the emptied list), and false for one never listened to', () => {
    const provider = createMockProvider()
    const f = () => {}
    provider.removeListener('statusChanged', f)
    expect(provider.emit('statusChanged')).toBe(false)
    provider.on('statusChanged', f).removeListener('statusChanged', f)
    expect(provider.emit('statusChanged')).toBe(true)
    expect(provider.listenerCount()).toBe(0)
  })

  it('C2: wallet events carry copies: one per tab, which its listeners share as the official provider hands each the params of one message; mutating what a listener or a read received never changes the wallet nor another tab', async () => {
    const provider = createMockProvider({ connected: true })
    const other = createMockProvider({ wallet: provider.wallet })
    const received: CIP0103Account[][] = []
    provider.on('accountsChanged', (accounts: CIP0103Account[]) => {
      received.push(accounts)
      ;(accounts[0] as { partyId: string }).partyId = 'mallory::1'
    })
    provider.on('accountsChanged', (accounts: CIP0103Account[]) => received.push(accounts))
    other.on('accountsChanged', (accounts: CIP0103Account[]) => received.push(accounts))
    provider.wallet.switchParty('bob::1220bb')
    // the second listener of the tab sees what the first one did to the payload, as with the official provider
    expect(received[1]).toBe(received[0])
    expect(received[1]?.[0]?.partyId).toBe('mallory::1')
    expect(received[2]).not.toBe(received[0])
    expect(received[2]?.[0]?.partyId).toBe('alice::1220aa')
    const read = (await provider.request({ method: 'listAccounts' })) as { partyId: string }[]
    read[1]!.partyId = 'mallory::2'
    provider.wallet.state().accounts.pop()
    expect(provider.wallet.state().accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    await expect(provider.request({ method: 'getPrimaryAccount' })).resolves.toMatchObject({ partyId: 'bob::1220bb' })
  })

  it('misuse: a wallet not made by createMockWallet throws a clear TypeError', () => {
    expect(() => createMockProvider({ wallet: {} as MockWallet })).toThrow(/createMockWallet/)
  })
})

/**
 * The official dApp API (`@canton-network` 1.8.0) as schemas: each is, field by field, the official
 * type of `core-wallet-dapp-rpc-client` (the browser extension's API, that `DappSyncProvider` speaks;
 * `pnpm typecheck` fails when one differs from it), no field is one the official type does not
 * declare, and party ids, URLs and JSON-RPC errors are checked by the official `core-types` parsers.
 */
const Provider = z.strictObject({
  id: z.string(),
  version: z.string().optional(),
  providerType: z.enum(['browser', 'desktop', 'mobile', 'remote']).optional(),
  url: HttpUrl.optional(),
  userUrl: HttpUrl.optional(),
})
const ConnectResult = z.strictObject({
  isConnected: z.boolean(),
  reason: z.string().optional(),
  isNetworkConnected: z.boolean(),
  networkReason: z.string().optional(),
  userUrl: HttpUrl.optional(),
})
const Network = z.strictObject({ networkId: z.string(), ledgerApi: HttpUrl.optional(), accessToken: z.string().optional() })
const Session = z.strictObject({ accessToken: z.string(), userId: z.string() })
const StatusEvent = z.strictObject({ provider: Provider, connection: ConnectResult, network: Network.optional(), session: Session.optional() })
const Wallet = z.strictObject({
  primary: z.boolean(),
  partyId: PartyId,
  status: z.enum(['initialized', 'allocated', 'removed']),
  hint: z.string(),
  publicKey: z.string(),
  namespace: z.string(),
  networkId: z.string(),
  signingProviderId: z.string(),
  externalTxId: z.string().optional(),
  topologyTransactions: z.string().optional(),
  disabled: z.boolean().optional(),
  reason: z.string().optional(),
})
const TxChangedExecutedEvent = z.strictObject({
  status: z.literal('executed'),
  commandId: z.string(),
  payload: z.strictObject({ updateId: z.string(), completionOffset: z.int() }),
})
const TxChangedEvent = z.union([
  z.strictObject({ status: z.literal('pending'), commandId: z.string() }),
  z.strictObject({ status: z.literal('signed'), commandId: z.string(), payload: z.strictObject({ signature: z.string(), signedBy: z.string(), party: z.string() }) }),
  TxChangedExecutedEvent,
  z.strictObject({ status: z.literal('failed'), commandId: z.string() }),
])
const MessageSignatureEvent = z.union([
  z.strictObject({ status: z.literal('pending'), messageId: z.string() }),
  z.strictObject({ status: z.literal('signed'), messageId: z.string(), signature: z.string() }),
  z.strictObject({ status: z.literal('failed'), messageId: z.string() }),
])
const SignMessageResult = z.strictObject({ signature: z.string() })
const PrepareExecuteAndWaitResult = z.strictObject({ tx: TxChangedExecutedEvent })
// the Ledger API's own JSON answer: any object
const LedgerApiResult = z.record(z.string(), z.any())
/**
 * A status as the official wallet gateway tells it, beyond what the type requires: its provider's
 * `url` (where its dApp API is served), type and `userUrl`, in every status and status event.
 */
const GatewayStatusEvent = StatusEvent.extend({ provider: Provider.required({ url: true, providerType: true, userUrl: true }) })
/** A rejection: the `error` of a JSON-RPC error response, as the official transport rejects with it. */
const RpcError = ErrorResponse.shape.error
const RESULTS: Record<string, z.ZodType> = {
  status: GatewayStatusEvent,
  connect: ConnectResult,
  isConnected: ConnectResult,
  disconnect: z.null(),
  getActiveNetwork: Network,
  listAccounts: z.array(Wallet),
  getPrimaryAccount: Wallet,
  signMessage: SignMessageResult,
  prepareExecute: z.null(),
  prepareExecuteAndWait: PrepareExecuteAndWaitResult,
  ledgerApi: LedgerApiResult,
}
const EVENTS: Record<string, z.ZodType> = {
  statusChanged: GatewayStatusEvent,
  connected: GatewayStatusEvent,
  accountsChanged: z.array(Wallet),
  txChanged: TxChangedEvent,
  messageSignature: MessageSignatureEvent,
}
/** Where `value` differs from `schema`: one line per difference. */
const mismatches = (schema: z.ZodType, value: unknown, where: string): string[] =>
  schema.safeParse(value).error?.issues.map((issue) => `${where}${issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}: ${issue.message}`) ?? []

describe('conformance with the official dApp API (@canton-network 1.8.0)', () => {
  it('§6: the schemas of the conformance check are the official types, field by field (pnpm typecheck)', () => {
    expectTypeOf<z.infer<typeof Provider>>().toEqualTypeOf<Dapp.Provider>()
    expectTypeOf<z.infer<typeof ConnectResult>>().toEqualTypeOf<Dapp.ConnectResult>()
    expectTypeOf<z.infer<typeof Network>>().toEqualTypeOf<Dapp.Network>()
    expectTypeOf<z.infer<typeof Session>>().toEqualTypeOf<Dapp.Session>()
    expectTypeOf<z.infer<typeof StatusEvent>>().toEqualTypeOf<Dapp.StatusEvent>()
    expectTypeOf<z.infer<typeof GatewayStatusEvent>>().toExtend<Dapp.StatusEvent>()
    expectTypeOf<z.infer<typeof Wallet>>().toEqualTypeOf<Dapp.Wallet>()
    expectTypeOf<z.infer<typeof TxChangedEvent>>().toEqualTypeOf<Dapp.TxChangedEvent>()
    expectTypeOf<z.infer<typeof MessageSignatureEvent>>().toEqualTypeOf<Dapp.MessageSignatureEvent>()
    expectTypeOf<z.infer<typeof SignMessageResult>>().toEqualTypeOf<Dapp.SignMessageResult>()
    expectTypeOf<z.infer<typeof PrepareExecuteAndWaitResult>>().toEqualTypeOf<Dapp.PrepareExecuteAndWaitResult>()
    expectTypeOf<z.infer<typeof LedgerApiResult>>().toEqualTypeOf<Dapp.LedgerApiResult>()
    // the official client's results are these types
    expectTypeOf<Dapp.RpcTypes['status']['result']>().toEqualTypeOf<Dapp.StatusEvent>()
    expectTypeOf<Dapp.RpcTypes['listAccounts']['result']>().toEqualTypeOf<Dapp.Wallet[]>()
    expectTypeOf<Dapp.RpcTypes['accountsChanged']['result']>().toEqualTypeOf<Dapp.Wallet[]>()
    expectTypeOf<Dapp.RpcTypes['getActiveNetwork']['result']>().toEqualTypeOf<Dapp.Network>()
    expectTypeOf<Dapp.RpcTypes['connect']['result']>().toEqualTypeOf<Dapp.ConnectResult>()
    expectTypeOf<Dapp.RpcTypes['isConnected']['result']>().toEqualTypeOf<Dapp.ConnectResult>()
    expectTypeOf<Dapp.RpcTypes['disconnect']['result']>().toEqualTypeOf<null>()
    expectTypeOf<Dapp.RpcTypes['prepareExecute']['result']>().toEqualTypeOf<null>()
  })

  it('§6, C18: every answer, rejection and event of the mock wallet has its official shape, through every connect mode and control', async () => {
    const problems: string[] = []
    const seen = new Set<string>()
    const run = async (mode: 'approve' | 'async' | 'manual' | 'reject') => {
      const wallet = createMockWallet({ connectMode: mode })
      const provider = createMockProvider({ wallet })
      // every event this tab hears, also ones no official type declares
      const heard: string[] = []
      for (const event of [...Object.keys(EVENTS), 'chainChanged', 'disconnect', 'message', 'error']) {
        provider.on(event, (...args: unknown[]) => {
          heard.push(event)
          seen.add(event)
          const schema = EVENTS[event]
          if (!schema) problems.push(`${mode}: event ${event} is no official event`)
          else if (args.length !== 1) problems.push(`${mode}: event ${event} came with ${args.length} arguments`)
          else problems.push(...mismatches(schema, args[0], `${mode}: ${event}`))
        })
      }
      const ask = async (method: string, params?: unknown, rejection: z.ZodType = RpcError) => {
        try {
          const result = await provider.request(params === undefined ? { method } : { method, params })
          const schema = RESULTS[method]
          problems.push(...(schema ? mismatches(schema, result, `${mode}: ${method}`) : [`${method}: no official method`]))
        } catch (error) {
          problems.push(...mismatches(rejection, error, `${mode}: ${method} rejected`))
        }
      }
      const settle = () => new Promise((resolve) => setTimeout(resolve, 5))
      for (const method of ['status', 'isConnected', 'listAccounts', 'getPrimaryAccount', 'getActiveNetwork', 'signMessage', 'prepareExecute', 'ledgerApi', 'nonexistent']) await ask(method)
      const connecting = ask('connect')
      await settle()
      if (mode === 'async' || mode === 'manual') wallet.approve()
      await connecting
      if (mode === 'reject') return
      const params = { commands: [{ CreateCommand: {} }], actAs: ['alice::1220aa'] }
      for (const [method, given] of [['status'], ['isConnected'], ['listAccounts'], ['getPrimaryAccount'], ['getActiveNetwork'], ['signMessage', { message: 'hello' }], ['signMessage', {}], ['prepareExecute', params], ['prepareExecuteAndWait', params], ['ledgerApi', { requestMethod: 'get', resource: '/v2/version' }], ['ledgerApi', { requestMethod: 'GET', resource: '/v2/version' }], ['connect']] as const) {
        await ask(method, given)
      }
      wallet.failNextTransaction()
      await ask('prepareExecute', params)
      await settle()
      wallet.switchParty('bob::1220bb')
      wallet.switchNetwork('canton:testnet')
      wallet.rotateToken()
      wallet.rotateToken({ announce: true })
      wallet.drop()
      await ask('listAccounts')
      await ask('status')
      wallet.switchParty('alice::1220aa')
      wallet.recover()
      wallet.disconnectFromWallet()
      wallet.connectFromWallet()
      await ask('disconnect')
      await ask('status')
      // what failNext makes a call reject with: a JSON-RPC error, or the HTTP transport's error response
      wallet.failNext('status', { code: 4100 })
      await ask('status')
      wallet.failNext('status', 'http')
      await ask('status', undefined, ErrorResponse)
      wallet.setConnectMode('async')
      await ask('connect')
      await settle()
      wallet.reject()
      await settle()
      expect(heard.length).toBeGreaterThan(5)
    }
    for (const mode of ['approve', 'async', 'manual', 'reject'] as const) await run(mode)
    expect(problems).toEqual([])
    // each official event was told at least once
    expect([...seen].sort()).toEqual(Object.keys(EVENTS).sort())
  })
})
