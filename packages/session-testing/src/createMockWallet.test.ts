import type { CIP0103Account } from '@sessionlayer/session-core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockProvider as createProvider } from './createMockProvider'
import { createMockWallet as createWallet } from './createMockWallet'
import type { MockProviderOptions, MockWalletOptions, MockProvider } from './types'

// These tests pin what the wallet tells, and in what order, as of the end of each wallet action: its
// `delivery: 'sync'`. The default delivery, on a task of its own, has tests of its own (createMockWallet.test.ts).
const createMockWallet = (options: MockWalletOptions = {}) => createWallet({ delivery: 'sync', ...options })
const createMockProvider = (options: MockProviderOptions = {}) => createProvider({ delivery: 'sync', ...options })

afterEach(() => {
  vi.useRealTimers()
})

/** Settles a promise into a value, so that tests can tell pending from settled. */
const outcome = (promise: Promise<unknown>) => {
  const seen: { value?: unknown; error?: unknown; settled: boolean } = { settled: false }
  promise.then(
    (value) => Object.assign(seen, { value, settled: true }),
    (error: unknown) => Object.assign(seen, { error, settled: true }),
  )
  return seen
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

/** Records every wallet event a provider receives, as `[event, payload]`. */
const record = (provider: MockProvider) => {
  const log: [string, unknown][] = []
  for (const event of ['statusChanged', 'accountsChanged', 'connected', 'txChanged']) {
    provider.on(event, (payload: unknown) => log.push([event, payload]))
  }
  return log
}

/** An `async` wallet whose connect waits for its user, dropped since, with the events told before the drop left out of its log. */
const promptedAndDropped = async () => {
  const provider = createMockProvider({ connectMode: 'async' })
  const log = record(provider)
  await provider.request({ method: 'connect' })
  provider.wallet.drop()
  log.length = 0
  return { provider, log }
}
const connection = (payload: unknown) => (payload as { connection: { isConnected: boolean } }).connection.isConnected
/** A connection's events: the wallet's status, with the userUrl in its connection, as the official wallet gateway tells a connect. */
const asConnect = (status: unknown) => {
  const { connection: told, ...rest } = status as { connection: object }
  return { ...rest, connection: { ...told, userUrl: 'http://127.0.0.1/mock-wallet/approve' } }
}

describe('createMockWallet', () => {
  it('§6: starts disconnected on canton:devnet with alice (primary) and bob', () => {
    const state = createMockWallet().state()
    expect(state).toEqual({
      connected: false,
      dropped: false,
      networkId: 'canton:devnet',
      accessToken: 'mock-token-1',
      pendingConnects: 0,
      accounts: [
        expect.objectContaining({ partyId: 'alice::1220aa', primary: true, status: 'allocated', hint: 'alice', namespace: '1220aa', networkId: 'canton:devnet', signingProviderId: 'participant' }),
        expect.objectContaining({ partyId: 'bob::1220bb', primary: false, status: 'allocated', hint: 'bob', namespace: '1220bb', networkId: 'canton:devnet' }),
      ],
    })
    expect(typeof state.accounts[0]?.publicKey).toBe('string')
  })

  it('§6: options set the accounts, network, ledger API, token and initial connection', async () => {
    const accounts = [{ partyId: 'carol::1', primary: true }]
    const provider = createMockProvider({ accounts, networkId: 'canton:testnet', ledgerApi: 'https://ledger', accessToken: 'tok', connected: true })
    accounts[0]!.partyId = 'mutated'
    await expect(provider.request({ method: 'listAccounts' })).resolves.toEqual([{ partyId: 'carol::1', primary: true }])
    await expect(provider.request({ method: 'getActiveNetwork' })).resolves.toEqual({ networkId: 'canton:testnet', ledgerApi: 'https://ledger', accessToken: 'tok' })
  })

  it('C3/C19: approve mode emits statusChanged, then connected (the same full status, as the official wallet gateway sends on every connect), and no accountsChanged, to every tab before connect resolves', async () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    const order: string[] = []
    for (const event of ['statusChanged', 'connected', 'accountsChanged']) a.on(event, () => order.push(event))
    const result = await a.request({ method: 'connect' }).finally(() => order.push('resolved'))
    expect(result).toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    // the official wallet gateway announces no accounts on connect: the dApp reads them (listAccounts)
    expect(order).toEqual(['statusChanged', 'connected', 'resolved'])
    expect(logB).toEqual(logA)
    expect(logA).toHaveLength(2)
    expect(logA[0]).toEqual(['statusChanged', asConnect(await a.request({ method: 'status' }))])
    expect(logA[1]).toEqual(['connected', logA[0]?.[1]])
    expect(wallet.state().connected).toBe(true)
  })

  it('C4: reject mode rejects connect with a bare 4001 object and stays disconnected', async () => {
    const provider = createMockProvider({ connectMode: 'reject' })
    const log = record(provider)
    const error = await provider.request({ method: 'connect' }).catch((e: unknown) => e)
    expect(error).toEqual({ code: 4001, message: 'User Rejected Request' })
    expect(error).not.toBeInstanceOf(Error)
    expect(log).toEqual([])
    expect(provider.wallet.state().connected).toBe(false)
  })

  it('C3/§6: async mode answers isConnected false with the userUrl; approve() emits statusChanged and connected (the same CIP-0103 StatusEvent), and no accountsChanged', async () => {
    const provider = createMockProvider({ connectMode: 'async', userUrl: 'https://wallet/approve' })
    const log = record(provider)
    const connectedWhenEmitted: boolean[] = []
    provider.on('connected', () => connectedWhenEmitted.push(provider.wallet.state().connected))
    await expect(provider.request({ method: 'connect' })).resolves.toEqual({ isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', userUrl: 'https://wallet/approve' })
    expect(provider.wallet.state()).toMatchObject({ connected: false, pendingConnects: 1 })
    expect(log).toEqual([])
    provider.wallet.approve()
    expect(log.map(([event]) => event)).toEqual(['statusChanged', 'connected'])
    expect(log[0]?.[1]).toEqual({
      provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'https://wallet/approve' },
      connection: { isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'https://wallet/approve' },
      network: { networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-1' },
      session: { accessToken: 'mock-token-1', userId: 'mock-user' },
    })
    expect(log[1]?.[1]).toEqual(log[0]?.[1])
    expect(connectedWhenEmitted).toEqual([true])
    expect(provider.wallet.state()).toMatchObject({ connected: true, pendingConnects: 0 })
  })

  it('C3/§6: async mode declined in the wallet emits connected as a CIP-0103 StatusEvent (isConnected false, reason rejected) and statusChanged false', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const log = record(provider)
    await provider.request({ method: 'connect' })
    provider.wallet.reject()
    const walletProvider = { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'http://127.0.0.1/mock-wallet/approve' }
    expect(log).toEqual([
      ['connected', { provider: walletProvider, connection: { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'rejected' } }],
      ['statusChanged', { provider: walletProvider, connection: { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'Unauthenticated' } }],
    ])
    expect(provider.wallet.state()).toMatchObject({ connected: false, pendingConnects: 0 })
  })

  it('C17: manual mode keeps connect pending until approve(), which resolves it after the events', async () => {
    const provider = createMockProvider({ connectMode: 'manual' })
    const log = record(provider)
    const result = outcome(provider.request({ method: 'connect' }))
    await flush()
    expect(result.settled).toBe(false)
    expect(provider.wallet.state().pendingConnects).toBe(1)
    provider.wallet.approve()
    expect(log.map(([event]) => event)).toEqual(['statusChanged', 'connected'])
    await flush()
    expect(result.value).toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
  })

  it('C4: manual mode reject(code) rejects with that code (4001 by default)', async () => {
    const provider = createMockProvider({ connectMode: 'manual' })
    const first = provider.request({ method: 'connect' }).catch((e: unknown) => e)
    await flush()
    provider.wallet.reject()
    expect(await first).toEqual({ code: 4001, message: 'User Rejected Request' })
    const second = provider.request({ method: 'connect' }).catch((e: unknown) => e)
    await flush()
    provider.wallet.reject(4100)
    expect(await second).toEqual({ code: 4100, message: 'Unauthorized' })
    expect(provider.wallet.state().connected).toBe(false)
  })

  it('C4/§6: a manual connect declined with reject() is told by its rejection only: no connected or statusChanged event, as only an async connect is', async () => {
    const provider = createMockProvider({ connectMode: 'manual' })
    const log = record(provider)
    const pending = provider.request({ method: 'connect' }).catch((e: unknown) => e)
    await flush()
    provider.wallet.reject()
    expect(await pending).toEqual({ code: 4001, message: 'User Rejected Request' })
    expect(log).toEqual([])
  })

  it('C3/C19: a wallet connected by other means (its own UI, another tab) settles the pending connects as approved; a later reject() does nothing', async () => {
    const wallet = createMockWallet({ connectMode: 'async' })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const log = record(a)
    await a.request({ method: 'connect' })
    wallet.connectFromWallet()
    expect(log.map(([event, payload]) => [event, connection(payload)])).toEqual([
      ['statusChanged', true],
      ['connected', true],
    ])
    expect(log[0]?.[1]).toEqual(log[1]?.[1])
    expect(wallet.state().pendingConnects).toBe(0)
    wallet.reject()
    expect(log).toHaveLength(2)
    expect(wallet.state().connected).toBe(true)

    wallet.disconnectFromWallet()
    wallet.setConnectMode('manual')
    const manual = b.request({ method: 'connect' })
    await flush()
    wallet.setConnectMode('approve')
    await a.request({ method: 'connect' }) // another tab's connect, approved at once
    await expect(manual).resolves.toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    expect(wallet.state().pendingConnects).toBe(0)
  })

  it('C3/C19: a disconnect request or disconnectFromWallet() ends the pending connects as declined; a later approve() does nothing', async () => {
    const wallet = createMockWallet({ connectMode: 'async' })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const log = record(a)
    await a.request({ method: 'connect' })
    await b.request({ method: 'disconnect' })
    const walletProvider = { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'http://127.0.0.1/mock-wallet/approve' }
    expect(log).toEqual([
      ['connected', { provider: walletProvider, connection: { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'rejected' } }],
      // no session ended: the official wallet gateway tells no statusChanged
    ])
    wallet.approve()
    expect(log).toHaveLength(1)
    expect(wallet.state()).toMatchObject({ connected: false, pendingConnects: 0 })

    wallet.setConnectMode('manual')
    const manual = b.request({ method: 'connect' }).catch((e: unknown) => e)
    await flush()
    wallet.disconnectFromWallet()
    expect(await manual).toEqual({ code: 4001, message: 'User Rejected Request' })
    wallet.approve()
    expect(wallet.state()).toMatchObject({ connected: false, pendingConnects: 0 })
  })

  it('C3: every connect answer is a fresh object: a caller that changes one never changes what any wallet answers next', async () => {
    const first = (await createMockProvider().request({ method: 'connect' })) as { isConnected: boolean }
    first.isConnected = false
    const provider = createMockProvider({ connectMode: 'manual' })
    const approved = provider.request({ method: 'connect' })
    await flush()
    provider.wallet.approve()
    await expect(approved).resolves.toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    await expect(provider.request({ method: 'connect' })).resolves.toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
  })

  it('C3/C19: connecting while connected resolves isConnected true at once, whatever the mode, told as every connect is: statusChanged, connected', async () => {
    const provider = createMockProvider({ connected: true, connectMode: 'manual' })
    const log = record(provider)
    await expect(provider.request({ method: 'connect' })).resolves.toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    expect(log.map(([event, payload]) => [event, connection(payload)])).toEqual([
      ['statusChanged', true],
      ['connected', true],
    ])
    provider.wallet.setConnectMode('reject')
    await provider.request({ method: 'disconnect' })
    await expect(provider.request({ method: 'connect' })).rejects.toEqual({ code: 4001, message: 'User Rejected Request' })
  })

  it('C7: drop() reports the wallet unreachable, rejects reads with 4900 and remembers the connection; recover() restores it', async () => {
    const provider = createMockProvider({ connected: true })
    const log = record(provider)
    provider.wallet.drop()
    provider.wallet.drop()
    expect(log).toEqual([['statusChanged', expect.objectContaining({ connection: { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'wallet unreachable' } })]])
    const status = await provider.request({ method: 'status' })
    expect(status).not.toHaveProperty('network')
    expect(status).not.toHaveProperty('session')
    for (const method of ['listAccounts', 'getPrimaryAccount', 'getActiveNetwork', 'connect']) {
      await expect(provider.request({ method })).rejects.toEqual({ code: 4900, message: 'Disconnected' })
    }
    expect(provider.wallet.state()).toMatchObject({ connected: true, dropped: true })
    provider.wallet.recover()
    expect(log[1]).toEqual(['statusChanged', await provider.request({ method: 'status' })])
    expect(connection(log[1]?.[1])).toBe(true)
    await expect(provider.request({ method: 'listAccounts' })).resolves.toHaveLength(2)
  })

  it('C3/C7/C19: an async connect approved while the wallet is dropped is announced on recovery as any connection is, in the official wallet gateway\'s order: statusChanged, connected (the same StatusEvent, isConnected true), and no accountsChanged', async () => {
    const { provider, log } = await promptedAndDropped()
    provider.wallet.approve()
    expect(log).toEqual([])
    expect(provider.wallet.state()).toMatchObject({ connected: true, dropped: true, pendingConnects: 0 })
    await expect(provider.request({ method: 'listAccounts' })).rejects.toEqual({ code: 4900, message: 'Disconnected' })
    provider.wallet.recover()
    expect(log.map(([event]) => event)).toEqual(['statusChanged', 'connected'])
    expect(log[0]?.[1]).toEqual(asConnect(await provider.request({ method: 'status' })))
    expect(log[1]?.[1]).toEqual(log[0]?.[1])
    expect(connection(log[0]?.[1])).toBe(true)
  })

  it('C3/C7: an async connect declined while the wallet is dropped is announced on recovery: connected (reason rejected), statusChanged false', async () => {
    const { provider, log } = await promptedAndDropped()
    provider.wallet.reject()
    expect(log).toEqual([])
    provider.wallet.recover()
    expect(log.map(([event, payload]) => [event, (payload as { connection: unknown }).connection])).toEqual([
      ['connected', { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'rejected' }],
      ['statusChanged', { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'Unauthenticated' }],
    ])
  })

  it('C17/C7: a manual connect answered while the wallet is dropped settles on recovery, after the events (statusChanged, connected, as any connection is told)', async () => {
    const provider = createMockProvider({ connectMode: 'manual' })
    const log = record(provider)
    const approved = outcome(provider.request({ method: 'connect' }))
    await flush()
    provider.wallet.drop()
    log.length = 0
    provider.wallet.approve()
    await flush()
    expect(approved.settled).toBe(false)
    expect(log).toEqual([])
    provider.wallet.recover()
    expect(log.map(([event, payload]) => [event, connection(payload)])).toEqual([
      ['statusChanged', true],
      ['connected', true],
    ])
    await flush()
    expect(approved.value).toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })

    await provider.request({ method: 'disconnect' })
    const declined = outcome(provider.request({ method: 'connect' }))
    await flush()
    provider.wallet.drop()
    provider.wallet.reject()
    await flush()
    expect(declined.settled).toBe(false)
    provider.wallet.recover()
    await flush()
    expect(declined.error).toEqual({ code: 4001, message: 'User Rejected Request' })
  })

  it('C3/C7: a connect answered during a drop is answered on recovery with where the wallet stands then: an approval a disconnect undid is declined, a decline a connection overtook is approved', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const log = record(provider)
    const manual = createMockProvider({ wallet: provider.wallet })
    await provider.request({ method: 'connect' })
    provider.wallet.setConnectMode('manual')
    const approved = outcome(manual.request({ method: 'connect' }))
    await flush()
    provider.wallet.drop()
    log.length = 0
    provider.wallet.approve()
    provider.wallet.disconnectFromWallet()
    provider.wallet.recover()
    await flush()
    // never a connection that is gone by now, as the dApp would hear it before its end
    expect(log.map(([event, payload]) => [event, (payload as { connection: unknown }).connection])).toEqual([
      ['connected', { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'rejected' }],
      ['statusChanged', { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', reason: 'Unauthenticated' }],
      // nor the accounts of a connection that is gone (C5)
    ])
    expect(approved.error).toEqual({ code: 4001, message: 'User Rejected Request' })

    const declined = outcome(manual.request({ method: 'connect' }))
    await flush()
    provider.wallet.drop()
    provider.wallet.reject()
    provider.wallet.connectFromWallet()
    provider.wallet.recover()
    await flush()
    expect(declined.value).toEqual({ isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK', userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    expect(provider.wallet.state()).toMatchObject({ connected: true, pendingConnects: 0 })
  })

  it('C7/C11/C19: a dropped wallet sends no events; on recovery it tells its current state: statusChanged, then connected for a connection made meanwhile (the official wallet gateway\'s order), then accountsChanged when they changed', async () => {
    const provider = createMockProvider({ connected: true })
    const log = record(provider)
    provider.wallet.drop()
    log.length = 0
    provider.wallet.switchParty('bob::1220bb')
    provider.wallet.switchNetwork('canton:testnet')
    provider.wallet.disconnectFromWallet()
    provider.wallet.connectFromWallet()
    provider.wallet.setAccounts([{ partyId: 'carol::3', primary: true }])
    expect(log).toEqual([])
    provider.wallet.recover()
    // the connection made meanwhile is told as any connection is
    expect(log).toEqual([
      ['statusChanged', asConnect(await provider.request({ method: 'status' }))],
      ['connected', log[0]?.[1]],
      ['accountsChanged', [{ partyId: 'carol::3', primary: true }]],
    ])
    expect(log[0]?.[1]).toMatchObject({ connection: { isConnected: true }, network: { networkId: 'canton:testnet' } })

    const other = createMockProvider()
    const otherLog = record(other)
    other.wallet.drop()
    otherLog.length = 0
    other.wallet.connectFromWallet()
    expect(otherLog).toEqual([])
    other.wallet.recover()
    // a connection made meanwhile, with the accounts unchanged: told as any connection is
    expect(otherLog.map(([event, payload]) => [event, connection(payload)])).toEqual([
      ['statusChanged', true],
      ['connected', true],
    ])
    log.length = 0
    provider.wallet.drop()
    provider.wallet.recover()
    expect(log.map(([event]) => event)).toEqual(['statusChanged', 'statusChanged'])
  })

  it('C7/C19: a connection the wallet made on its own while dropped, undone before it came back, is told as nothing but the status it is in: no `connected` decline, as no prompt was declined; a connect waiting for its user still hears its own', async () => {
    const provider = createMockProvider()
    const log = record(provider)
    provider.wallet.drop()
    log.length = 0
    provider.wallet.connectFromWallet()
    provider.wallet.disconnectFromWallet()
    provider.wallet.recover()
    expect(log.map(([event, payload]) => [event, connection(payload)])).toEqual([['statusChanged', false]])

    const { provider: prompted, log: asked } = await promptedAndDropped()
    prompted.wallet.connectFromWallet()
    prompted.wallet.disconnectFromWallet()
    prompted.wallet.recover()
    expect(asked.map(([event, payload]) => [event, connection(payload)])).toEqual([
      ['connected', false],
      ['statusChanged', false],
    ])
    expect(asked[0]?.[1]).toMatchObject({ connection: { reason: 'rejected' } })
  })

  it('C7: recover() after a drop of a disconnected dApp reports it still disconnected', async () => {
    const provider = createMockProvider()
    const log = record(provider)
    provider.wallet.recover()
    expect(log).toEqual([])
    provider.wallet.drop()
    provider.wallet.recover()
    expect(log.map(([, payload]) => connection(payload))).toEqual([false, false])
    await expect(provider.request({ method: 'listAccounts' })).rejects.toEqual({ code: 4100, message: 'Unauthorized' })
  })

  it('C19: disconnectFromWallet() and connectFromWallet() are announced to every tab', async () => {
    const wallet = createMockWallet({ connected: true })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    wallet.disconnectFromWallet()
    expect(logA.map(([event, payload]) => [event, connection(payload)])).toEqual([['statusChanged', false]])
    await expect(a.request({ method: 'listAccounts' })).rejects.toMatchObject({ code: 4100 })
    wallet.connectFromWallet()
    expect(logA.slice(1).map(([event]) => event)).toEqual(['statusChanged', 'connected'])
    expect(connection(logA[1]?.[1])).toBe(true)
    expect(logB).toEqual(logA)
  })

  it('C11: switchParty() moves the primary flag and emits accountsChanged; an unknown party throws', async () => {
    const provider = createMockProvider({ connected: true })
    const log = record(provider)
    provider.wallet.switchParty('bob::1220bb')
    const accounts = log[0]?.[1] as CIP0103Account[]
    expect(log[0]?.[0]).toBe('accountsChanged')
    expect(accounts.map((a) => [a.partyId, a.primary])).toEqual([
      ['alice::1220aa', false],
      ['bob::1220bb', true],
    ])
    await expect(provider.request({ method: 'getPrimaryAccount' })).resolves.toMatchObject({ partyId: 'bob::1220bb' })
    expect(() => {
      provider.wallet.switchParty('nobody::0')
    }).toThrow(/nobody::0/)
    expect(log).toHaveLength(1)
  })

  it('C11: setAccounts() replaces the accounts and emits accountsChanged', async () => {
    const provider = createMockProvider({ connected: true })
    const log = record(provider)
    provider.wallet.setAccounts([{ partyId: 'carol::3', primary: true }])
    expect(log).toEqual([['accountsChanged', [{ partyId: 'carol::3', primary: true }]]])
    await expect(provider.request({ method: 'listAccounts' })).resolves.toEqual([{ partyId: 'carol::3', primary: true }])
    provider.wallet.setAccounts([])
    await expect(provider.request({ method: 'getPrimaryAccount' })).rejects.toEqual({ code: -32603, message: 'No primary wallet found' })
  })

  it('C11/C2: setAccounts() copies the accounts: changing the given array or its accounts later changes nothing in the wallet', async () => {
    const provider = createMockProvider({ connected: true })
    const given = [{ partyId: 'carol::3', primary: true }]
    provider.wallet.setAccounts(given)
    given[0] = { partyId: 'mallory::9', primary: true }
    given.push({ partyId: 'eve::5', primary: false })
    await expect(provider.request({ method: 'listAccounts' })).resolves.toEqual([{ partyId: 'carol::3', primary: true }])
    const account = { partyId: 'dave::4', primary: true }
    provider.wallet.setAccounts([account])
    account.partyId = 'mallory::9'
    expect(provider.wallet.state().accounts).toEqual([{ partyId: 'dave::4', primary: true }])
  })

  it('C5: a dApp that is not connected hears no accountsChanged: switchParty() and setAccounts() change the wallet silently, and the connected dApp reads them', async () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const log = record(a)
    wallet.switchParty('bob::1220bb')
    wallet.setAccounts([...wallet.state().accounts, { partyId: 'carol::3', primary: false }])
    expect(log).toEqual([])
    await b.request({ method: 'connect' })
    expect(log.map(([event]) => event)).toEqual(['statusChanged', 'connected'])
    expect(((await a.request({ method: 'listAccounts' })) as CIP0103Account[]).map((x) => [x.partyId, x.primary])).toEqual([
      ['alice::1220aa', false],
      ['bob::1220bb', true],
      ['carol::3', false],
    ])

    // a drop does not hide it either: accounts that moved while connected are not told once the dApp is disconnected
    wallet.drop()
    wallet.switchParty('alice::1220aa')
    wallet.disconnectFromWallet()
    log.length = 0
    wallet.recover()
    expect(log.map(([event, payload]) => [event, connection(payload)])).toEqual([['statusChanged', false]])
  })

  it('C11: switchNetwork() moves the accounts and, when connected, tells both: statusChanged with the new network, then accountsChanged (CIP-0103: every account that changed)', async () => {
    const provider = createMockProvider()
    const log = record(provider)
    provider.wallet.switchNetwork('canton:testnet')
    expect(log).toEqual([])
    await provider.request({ method: 'connect' })
    log.length = 0
    provider.wallet.switchNetwork('canton:mainnet')
    expect(log).toEqual([
      ['statusChanged', expect.objectContaining({ network: { networkId: 'canton:mainnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-1' } })],
      ['accountsChanged', provider.wallet.state().accounts],
    ])
    expect(provider.wallet.state().accounts.map((a) => a.networkId)).toEqual(['canton:mainnet', 'canton:mainnet'])
    await expect(provider.request({ method: 'getActiveNetwork' })).resolves.toMatchObject({ networkId: 'canton:mainnet' })

    // moved while the wallet is unreachable, the accounts are told on recovery
    provider.wallet.drop()
    provider.wallet.switchNetwork('canton:devnet')
    log.length = 0
    provider.wallet.recover()
    expect(log.map(([event]) => event)).toEqual(['statusChanged', 'accountsChanged'])
    expect((log[1]?.[1] as CIP0103Account[]).map((a) => a.networkId)).toEqual(['canton:devnet', 'canton:devnet'])
  })

  it('C4: failNext() rejects the next call(s) with a bare object, the standard message by default', async () => {
    const provider = createMockProvider({ connected: true })
    provider.wallet.failNext('status', { code: -32603, message: 'not injected yet' }, 2)
    provider.wallet.failNext('listAccounts', { code: 4100 })
    await expect(provider.request({ method: 'status' })).rejects.toEqual({ code: -32603, message: 'not injected yet' })
    await expect(provider.request({ method: 'listAccounts' })).rejects.toEqual({ code: 4100, message: 'Unauthorized' })
    await expect(provider.request({ method: 'status' })).rejects.toEqual({ code: -32603, message: 'not injected yet' })
    await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: { isConnected: true } })
    await expect(provider.request({ method: 'listAccounts' })).resolves.toHaveLength(2)
  })

  it('C4: failNext() rules for a method apply in the order they were given', async () => {
    const provider = createMockProvider({ connected: true })
    provider.wallet.failNext('status', { code: 4900, message: 'first' })
    provider.wallet.failNext('*', { code: 4100, message: 'second' })
    provider.wallet.failNext('status', { code: -32603, message: 'third' })
    for (const message of ['first', 'second', 'third']) await expect(provider.request({ method: 'status' })).rejects.toMatchObject({ message })
    await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: { isConnected: true } })
  })

  it('C4: the default message of each code is the one of the CIP-0103 error table (EIP-1193, JSON-RPC 2.0 and EIP-1474 codes), for failNext() and the wallet\'s own rejections', async () => {
    const table: [number, string][] = [
      [4001, 'User Rejected Request'],
      [4100, 'Unauthorized'],
      [4200, 'Unsupported Method'],
      [4900, 'Disconnected'],
      [4901, 'Chain Disconnected'],
      [-32700, 'Parse error'],
      [-32600, 'Invalid request'],
      [-32601, 'Method not found'],
      [-32602, 'Invalid params'],
      [-32603, 'Internal error'],
      [-32000, 'Invalid input'],
      [-32001, 'Resource not found'],
      [-32002, 'Resource unavailable'],
      [-32003, 'Transaction rejected'],
      [-32004, 'Method not supported'],
      [-32005, 'Limit exceeded'],
      [1234, 'Request failed'],
    ]
    const provider = createMockProvider({ connectMode: 'reject' })
    for (const [code, message] of table) {
      provider.wallet.failNext('status', { code })
      await expect(provider.request({ method: 'status' })).rejects.toEqual({ code, message })
    }
    await expect(provider.request({ method: 'connect' })).rejects.toEqual({ code: 4001, message: 'User Rejected Request' })
    await expect(provider.request({ method: 'eth_accounts' })).rejects.toEqual({ code: 4200, message: 'Unsupported Method' })
  })

  it('C4: failNext("*") fails whatever comes next; "http" and { raw } give the transport shapes', async () => {
    const provider = createMockProvider()
    provider.wallet.failNext('*', { code: 4900, message: 'gone' })
    await expect(provider.request({ method: 'isConnected' })).rejects.toEqual({ code: 4900, message: 'gone' })
    provider.wallet.failNext('connect', 'http')
    const http = await provider.request({ method: 'connect' }).catch((e: unknown) => e)
    expect(http).toEqual({
      error: { code: 500, message: 'Internal Server Error', data: '{"jsonrpc":"2.0","id":"1","error":{"code":4100,"message":"Unauthorized"}}' },
    })
    expect(JSON.parse((http as { error: { data: string } }).error.data)).toMatchObject({ error: { code: 4100 } })
    const raw = new Error('boom')
    provider.wallet.failNext('connect', { raw })
    await expect(provider.request({ method: 'connect' })).rejects.toBe(raw)
    expect(provider.wallet.state().connected).toBe(false)
  })

  it('C4: failNext() belongs to the wallet: it hits the wallet\'s next call of the method, whichever tab sends it, and a request that never reaches the wallet (no method, params it cannot copy) uses none', async () => {
    const wallet = createMockWallet({ connected: true })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    a.wallet.failNext('status', { code: 4900 })
    await expect(a.request({ method: 'signMessage', params: { message: 'm', f: () => 1 } })).rejects.toMatchObject({ name: 'DataCloneError' })
    wallet.failNext('*', { code: 4100 })
    await expect(a.request(null as never)).rejects.toEqual({ code: -32600, message: 'Invalid request' })
    await expect(b.request({ method: 'status' })).rejects.toEqual({ code: 4900, message: 'Disconnected' })
    await expect(b.request({ method: 'listAccounts' })).rejects.toEqual({ code: 4100, message: 'Unauthorized' })
    await expect(a.request({ method: 'status' })).resolves.toMatchObject({ connection: { isConnected: true } })
    expect(wallet.calls.map((c) => [c.provider, c.method])).toEqual([
      [1, 'status'],
      [1, 'listAccounts'],
      [0, 'status'],
    ])
  })

  it('C4: failNext() and hangNext() with times below 1 (0, negative, NaN) affect no call', async () => {
    const provider = createMockProvider({ connected: true })
    for (const times of [0, -1, Number.NaN]) {
      provider.wallet.failNext('status', { code: 4900 }, times)
      provider.wallet.hangNext('status', times)
    }
    for (let i = 0; i < 3; i++) await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: { isConnected: true } })
  })

  it('C17: hangNext() makes the next call(s) never settle, without holding a timer', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true })
    provider.wallet.hangNext('status', 2)
    const hung = [outcome(provider.request({ method: 'status' })), outcome(provider.request({ method: 'status' }))]
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(hung.map((h) => h.settled)).toEqual([false, false])
    await expect(provider.request({ method: 'status' })).resolves.toMatchObject({ connection: { isConnected: true } })
  })

  it('C17: hangNext() with latencyMs makes the call never settle without holding a timer either', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true, latencyMs: 100 })
    provider.wallet.hangNext('status')
    const hung = outcome(provider.request({ method: 'status' }))
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(hung.settled).toBe(false)
  })

  it('C17: answerLate() answers the next call correctly, but only after the delay (fake timers apply)', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true })
    provider.wallet.answerLate('listAccounts', 5000)
    const late = outcome(provider.request({ method: 'listAccounts' }))
    await vi.advanceTimersByTimeAsync(4999)
    expect(late.settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(late.value).toHaveLength(2)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C17: answerLate() delays the next call only: the call after it answers without the delay', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true })
    provider.wallet.answerLate('listAccounts', 5000)
    const late = outcome(provider.request({ method: 'listAccounts' }))
    const next = outcome(provider.request({ method: 'listAccounts' }))
    await flush()
    expect([late.settled, next.settled]).toEqual([false, true])
    expect(next.value).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(5000)
    expect(late.value).toHaveLength(2)
  })

  it('C17/C4: with latencyMs, a failNext() rejection comes after the delay too, as every answer does', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true, latencyMs: 300 })
    provider.wallet.failNext('status', { code: 4900 })
    const failed = outcome(provider.request({ method: 'status' }))
    await vi.advanceTimersByTimeAsync(299)
    expect(failed.settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(failed.error).toEqual({ code: 4900, message: 'Disconnected' })
  })

  it('C17: answerLate() computes the answer when it is given, not when it was asked', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true })
    provider.wallet.answerLate('status', 1000)
    const late = provider.request({ method: 'status' })
    provider.wallet.disconnectFromWallet()
    await vi.advanceTimersByTimeAsync(1000)
    expect(connection(await late)).toBe(false)
  })

  it('L2: rotateToken() issues a new token that status and getActiveNetwork report', async () => {
    const provider = createMockProvider({ connected: true })
    provider.wallet.rotateToken()
    expect(await provider.request({ method: 'status' })).toMatchObject({ network: { accessToken: 'mock-token-2' }, session: { accessToken: 'mock-token-2', userId: 'mock-user' } })
    provider.wallet.rotateToken()
    await expect(provider.request({ method: 'getActiveNetwork' })).resolves.toMatchObject({ accessToken: 'mock-token-3' })
    const custom = createMockWallet({ accessToken: 'SECRET' })
    custom.rotateToken()
    expect(custom.state().accessToken).toBe('SECRET-2')
  })

  it('L1/L2: rotateToken({ announce: true }) tells every tab the new session as the official wallet gateway tells a new one: statusChanged with the new token in its network and session; not connected or dropped, nothing (the status tells it on recovery)', () => {
    const wallet = createMockWallet({ connected: true })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    wallet.rotateToken()
    expect(logA).toEqual([])
    wallet.rotateToken({ announce: true })
    expect(logA).toEqual([
      [
        'statusChanged',
        {
          provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl: 'http://127.0.0.1/mock-wallet/approve' },
          connection: { isConnected: true, reason: 'OK', isNetworkConnected: true, networkReason: 'OK' },
          network: { networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-3' },
          session: { accessToken: 'mock-token-3', userId: 'mock-user' },
        },
      ],
    ])
    expect(logB).toEqual(logA)
    wallet.drop()
    logA.length = 0
    wallet.rotateToken({ announce: true })
    expect(logA).toEqual([])
    wallet.recover()
    expect(logA).toMatchObject([['statusChanged', { session: { accessToken: 'mock-token-4' } }]])
    wallet.disconnectFromWallet()
    logA.length = 0
    wallet.rotateToken({ announce: true })
    expect(logA).toEqual([])
    expect(wallet.state().accessToken).toBe('mock-token-5')
  })

  it('C18: emitRaw() hands any payload, as given, to every attached tab', () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    const hostile = Object.create({ polluted: true }) as object
    for (const payload of [null, 'nope', 42, hostile]) wallet.emitRaw('accountsChanged', payload)
    expect(logA.map(([, payload]) => payload)).toEqual([null, 'nope', 42, hostile])
    expect(logA[3]?.[1]).toBe(hostile)
    expect(logB[3]?.[1]).toBe(hostile)
  })

  it('§6: wallet.calls records every tab’s requests with the tab’s index', async () => {
    const wallet = createMockWallet()
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    await b.request({ method: 'status' })
    await a.request({ method: 'signMessage', params: { message: 'hi' } }).catch(() => null)
    expect(wallet.calls).toEqual([
      { provider: 1, method: 'status' },
      { provider: 0, method: 'signMessage', params: { message: 'hi' } },
    ])
    expect(a.calls).toEqual([{ method: 'signMessage', params: { message: 'hi' } }])
  })

  it('§6: wallet.calls and a tab’s calls keep the latest 10,000 requests, so that a demo tab open for days holds no record of every request it made', async () => {
    const wallet = createMockWallet({ connected: true })
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    await b.request({ method: 'status' })
    for (let n = 0; n < 10_000; n++) void a.request({ method: 'ledgerApi', params: { resource: `/v2/${n}`, requestMethod: 'get' } })
    await a.request({ method: 'isConnected' })
    // 10,002 requests: the first one (b's status) and a's first ledgerApi call are gone
    expect(wallet.calls).toHaveLength(10_000)
    expect(wallet.calls[0]).toEqual({ provider: 0, method: 'ledgerApi', params: { resource: '/v2/1', requestMethod: 'get' } })
    expect(wallet.calls.at(-1)).toEqual({ provider: 0, method: 'isConnected' })
    expect(a.calls).toHaveLength(10_000)
    expect(a.calls[0]).toEqual({ method: 'ledgerApi', params: { resource: '/v2/1', requestMethod: 'get' } })
    expect(b.calls).toEqual([{ method: 'status' }])
    // each signature's messageId is still its own past the bound (it is no count of the record)
    const ids: unknown[] = []
    a.on('messageSignature', (event: { messageId: unknown }) => ids.push(event.messageId))
    await a.request({ method: 'signMessage', params: { message: 'one' } })
    await a.request({ method: 'signMessage', params: { message: 'two' } })
    expect(ids).toHaveLength(4)
    expect(new Set(ids).size).toBe(2)
  })
})

describe('options', () => {
  it('§6: accounts may be given as a readonly array (a SessionState’s accounts, an `as const` list), and are copied', async () => {
    const accounts: readonly CIP0103Account[] = Object.freeze([
      { partyId: 'carol::1220cc', primary: true },
      { partyId: 'dave::1220dd' },
    ])
    const provider = createMockProvider({ accounts, connected: true })
    expect(await provider.request({ method: 'listAccounts' })).toEqual(accounts)
    provider.wallet.switchParty('dave::1220dd')
    expect(provider.wallet.state().accounts.find((a) => a.primary)?.partyId).toBe('dave::1220dd')
    expect(accounts[0]?.primary).toBe(true)
    createMockWallet({ accounts: [{ partyId: 'erin::1220ee', primary: true }] as const })
  })
})

describe("createMockWallet's delivery", () => {
  /** Lets a task go by: the events on their way arrive. */
  const task = () => new Promise((resolve) => setTimeout(resolve, 0))
  /** Lets every microtask queued so far (and those they queue, a hundred deep) run. */
  const microtasks = async () => {
    for (let i = 0; i < 100; i++) await Promise.resolve()
  }

  it("M3: by default, each tab hears each event on a task of its own, after the wallet action and the microtasks that follow it, in the order the wallet sent them", async () => {
    const wallet = createWallet({ connected: true })
    const [a, b] = [createProvider({ wallet }), createProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    wallet.switchNetwork('canton:testnet')
    wallet.switchParty('bob::1220bb')
    expect([logA, logB]).toEqual([[], []])
    await microtasks()
    expect([logA, logB]).toEqual([[], []])
    await task()
    expect(logA.map(([event]) => event)).toEqual(['statusChanged', 'accountsChanged', 'accountsChanged'])
    expect(logA[1]?.[1]).toEqual([expect.objectContaining({ partyId: 'alice::1220aa', primary: true, networkId: 'canton:testnet' }), expect.objectContaining({ partyId: 'bob::1220bb', primary: false })])
    expect(logA[2]?.[1]).toEqual([expect.objectContaining({ partyId: 'alice::1220aa', primary: false }), expect.objectContaining({ partyId: 'bob::1220bb', primary: true })])
    expect(logB).toEqual(logA)
  })

  it('C3: the answer of a request (latencyMs 0, on a microtask) comes before the events it causes, which follow a task later', async () => {
    const provider = createProvider()
    const order: string[] = []
    for (const event of ['statusChanged', 'connected']) provider.on(event, () => order.push(event))
    await provider.request({ method: 'connect' }).then(() => order.push('resolved'))
    expect(order).toEqual(['resolved'])
    await task()
    expect(order).toEqual(['resolved', 'statusChanged', 'connected'])
  })

  it('M3: a tab detached while an event is on its way hears nothing more; the other tabs hear it', async () => {
    const wallet = createWallet({ connected: true })
    const [a, b] = [createProvider({ wallet }), createProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    wallet.switchParty('bob::1220bb')
    a.detach()
    wallet.disconnectFromWallet()
    await task()
    expect(logA).toEqual([])
    expect(logB.map(([event]) => event)).toEqual(['accountsChanged', 'statusChanged'])
  })

  it('M3/C19: an event the wallet sends while a tab hears another reaches every tab after the events already on their way, on a task of its own', async () => {
    const wallet = createWallet({ connectMode: 'async' })
    const [a, b] = [createProvider({ wallet }), createProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    await a.request({ method: 'connect' })
    // the user disconnects the moment the first tab sees the connection
    let once = true
    a.on('connected', () => {
      if (once) wallet.disconnectFromWallet()
      once = false
    })
    wallet.approve()
    await task()
    const told = (log: [string, unknown][]) => log.map(([event, payload]) => `${event}:${connection(payload)}`)
    expect(told(logB)).toEqual(['statusChanged:true', 'connected:true'])
    await task()
    expect(told(logA)).toEqual(['statusChanged:true', 'connected:true', 'statusChanged:false'])
    expect(told(logB)).toEqual(told(logA))
  })

  it('delivers under fake timers once they advance by 0 ms, through the global setTimeout looked up at the send', async () => {
    const wallet = createWallet({ connected: true })
    vi.useFakeTimers()
    const log = record(createProvider({ wallet }))
    wallet.switchParty('bob::1220bb')
    await microtasks()
    expect(log).toEqual([])
    vi.advanceTimersByTime(0)
    expect(log.map(([event]) => event)).toEqual(['accountsChanged'])
  })

  it("delivers in the order sent under fake timers too, where a timer of 0 ms set in a timer's callback is due 1 ms later than one set outside", () => {
    vi.useFakeTimers()
    const wallet = createWallet({ connected: true })
    const log = record(createProvider({ wallet }))
    setTimeout(() => wallet.switchParty('bob::1220bb'), 10)
    vi.advanceTimersByTime(10)
    wallet.switchParty('alice::1220aa')
    vi.advanceTimersByTime(1)
    const primary = (payload: unknown) => (payload as CIP0103Account[]).find((a) => a.primary)?.partyId
    expect(log.map(([, payload]) => primary(payload))).toEqual(['bob::1220bb', 'alice::1220aa'])
  })

  it('delivers an event whose timer was dropped (fake timers uninstalled with it on its way) with the next one, in order: a wallet reused by the next test is not an event behind from then on', async () => {
    const wallet = createWallet({ connected: true })
    const log = record(createProvider({ wallet }))
    vi.useFakeTimers()
    wallet.switchParty('bob::1220bb')
    vi.useRealTimers()
    wallet.emitRaw('statusChanged', 'one')
    await task()
    expect(log.map(([event]) => event)).toEqual(['accountsChanged', 'statusChanged'])
    wallet.emitRaw('statusChanged', 'two')
    await task()
    expect(log.map(([, payload]) => payload).slice(1)).toEqual(['one', 'two'])
  })

  it('emitRaw() follows the delivery; provider.emit() reaches its own tab at once, whatever the delivery', async () => {
    const wallet = createWallet()
    const provider = createProvider({ wallet })
    const got: unknown[] = []
    provider.on('custom', (payload: unknown) => got.push(payload))
    const payload = { raw: true }
    wallet.emitRaw('custom', payload)
    expect(got).toEqual([])
    expect(provider.emit('custom', 'at once')).toBe(true)
    expect(got).toEqual(['at once'])
    await task()
    expect(got).toEqual(['at once', payload])
    expect(got[1]).toBe(payload)
  })

  it("C3: order 'extension' delivers a tab's answer on the queue of its events, behind the events the wallet sent before it, as an extension's one port does: connect's statusChanged and connected, then its answer", async () => {
    const provider = createProvider({ order: 'extension' })
    const order: string[] = []
    for (const event of ['statusChanged', 'connected']) provider.on(event, () => order.push(event))
    const answered = provider.request({ method: 'connect' }).then(() => order.push('resolved'))
    await microtasks()
    expect(order).toEqual([])
    await task()
    await answered
    expect(order).toEqual(['statusChanged', 'connected', 'resolved'])
  })

  it("C17: order 'extension' posts an answer when its latency is over, behind the events already on their way to the tab and before the events sent after it; a manual connect's answer follows the events of the approval", async () => {
    vi.useFakeTimers()
    const wallet = createWallet({ order: 'extension', latencyMs: 10, connectMode: 'manual' })
    const provider = createProvider({ wallet })
    const log: string[] = []
    const primary = (payload: unknown) => (payload as CIP0103Account[]).find((a) => a.primary)?.partyId
    provider.on('accountsChanged', (accounts: unknown) => log.push(`accountsChanged:${String(primary(accounts))}`))
    for (const event of ['statusChanged', 'connected']) provider.on(event, () => log.push(event))
    const connecting = provider.request({ method: 'connect' }).then(() => log.push('connect'))
    await vi.advanceTimersByTimeAsync(10)
    expect(log).toEqual([])
    wallet.approve()
    await vi.advanceTimersByTimeAsync(0)
    await connecting
    expect(log).toEqual(['statusChanged', 'connected', 'connect'])
    log.length = 0
    const reading = provider.request({ method: 'getPrimaryAccount' }).then((account) => log.push(`answer:${(account as CIP0103Account).partyId}`))
    await vi.advanceTimersByTimeAsync(9)
    wallet.switchParty('bob::1220bb')
    // the answer is computed at 10 ms, after the switch, and reaches the tab behind its event (a
    // task later; 1 ms later under fake timers, as it is posted from a timer's callback)
    await vi.advanceTimersByTimeAsync(1)
    expect(log).toEqual(['accountsChanged:bob::1220bb'])
    await vi.advanceTimersByTimeAsync(1)
    wallet.switchParty('alice::1220aa')
    await vi.advanceTimersByTimeAsync(1)
    await reading
    expect(log).toEqual(['accountsChanged:bob::1220bb', 'answer:bob::1220bb', 'accountsChanged:alice::1220aa'])
  })

  it("order 'extension' keeps the order under fake timers where an answer is posted outside a timer after an event sent from a timer's callback (due 1 ms later)", async () => {
    vi.useFakeTimers()
    const wallet = createWallet({ connected: true, order: 'extension' })
    const provider = createProvider({ wallet })
    const log: string[] = []
    provider.on('accountsChanged', () => log.push('accountsChanged'))
    setTimeout(() => wallet.switchParty('bob::1220bb'), 10)
    vi.advanceTimersByTime(10)
    const reading = provider.request({ method: 'listAccounts' }).then(() => log.push('answer'))
    await vi.advanceTimersByTimeAsync(0)
    await reading
    expect(log).toEqual(['accountsChanged', 'answer'])
  })

  it("order 'extension' runs an answer's continuation before the next event under fake timers, also where a later event's timer (set outside a timer) runs before the answer's (posted from a timer's callback, due 1 ms later) and delivers it", async () => {
    vi.useFakeTimers()
    const wallet = createWallet({ connected: true, order: 'extension', latencyMs: 10 })
    const provider = createProvider({ wallet })
    const log: string[] = []
    provider.on('accountsChanged', () => log.push('accountsChanged'))
    const reading = provider.request({ method: 'listAccounts' }).then(() => log.push('answer'))
    await vi.advanceTimersByTimeAsync(10)
    wallet.switchParty('bob::1220bb')
    expect(log).toEqual([])
    await vi.advanceTimersByTimeAsync(0)
    expect(log).toEqual(['answer'])
    await vi.advanceTimersByTimeAsync(1)
    await reading
    expect(log).toEqual(['answer', 'accountsChanged'])
  })

  it("order 'extension' delivers a failure the same way, behind the events on their way; a detached tab still hears its answers (not the events)", async () => {
    const wallet = createWallet({ connected: true, order: 'extension' })
    const [a, b] = [createProvider({ wallet }), createProvider({ wallet })]
    const log: string[] = []
    a.on('accountsChanged', () => log.push('accountsChanged'))
    b.detach()
    wallet.switchParty('bob::1220bb')
    wallet.failNext('listAccounts', { code: 4100 })
    const failing = a.request({ method: 'listAccounts' }).catch((error: unknown) => log.push(`failed:${(error as { code: number }).code}`))
    await microtasks()
    expect(log).toEqual([])
    await task()
    await failing
    expect(log).toEqual(['accountsChanged', 'failed:4100'])
    const answered = outcome(b.request({ method: 'getActiveNetwork' }))
    await microtasks()
    expect(answered.settled).toBe(false)
    await task()
    await microtasks()
    expect(answered).toEqual({ settled: true, value: expect.objectContaining({ networkId: 'canton:devnet' }) })
  })

  it("order 'extension' leaves delivery: 'sync' as it is: the events at the end of the wallet action, the answer on a microtask after them, no timer", async () => {
    vi.useFakeTimers()
    const provider = createProvider({ order: 'extension', delivery: 'sync' })
    const order: string[] = []
    for (const event of ['statusChanged', 'connected']) provider.on(event, () => order.push(event))
    const answered = outcome(provider.request({ method: 'connect' }).then(() => order.push('resolved')))
    await microtasks()
    expect(answered.settled).toBe(true)
    expect(order).toEqual(['statusChanged', 'connected', 'resolved'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it("delivery: 'sync' tells every tab at the end of the wallet action, before the control returns and before the answer", async () => {
    const wallet = createWallet({ delivery: 'sync' })
    const [a, b] = [createProvider({ wallet }), createProvider({ wallet })]
    const [logA, logB] = [record(a), record(b)]
    const order: string[] = []
    a.on('connected', () => order.push('connected'))
    await a.request({ method: 'connect' }).then(() => order.push('resolved'))
    expect(order).toEqual(['connected', 'resolved'])
    wallet.switchParty('bob::1220bb')
    expect(logA.map(([event]) => event)).toEqual(['statusChanged', 'connected', 'accountsChanged'])
    expect(logB).toEqual(logA)
    // createMockProvider passes the option to the wallet of its own
    const own = createProvider({ delivery: 'sync', connected: true })
    const log = record(own)
    own.wallet.switchParty('bob::1220bb')
    expect(log.map(([event]) => event)).toEqual(['accountsChanged'])
  })
})
