import { describe, expect, it } from 'vitest'
import { asObj, parseStatus } from './wallet'

describe('wallet payloads under a polluted Object.prototype', () => {
  /** Runs `check` while `Object.prototype` carries an enumerable field of its own making, then removes it. */
  const polluted = (check: () => void) => {
    Object.defineProperty(Object.prototype, 'isConnected', { value: true, enumerable: true, configurable: true, writable: true })
    try {
      check()
    } finally {
      delete (Object.prototype as { isConnected?: unknown }).isConnected
    }
  }

  it('C18: a payload is read as a copy of its own fields without a prototype: a field the wallet did not send reads undefined', () => {
    const payload = { connection: {}, network: { networkId: 'canton:devnet' } }
    polluted(() => {
      const read = asObj(payload)
      expect(read).not.toBe(payload)
      expect(read).toEqual({ connection: {}, network: { networkId: 'canton:devnet' } })
      expect(Object.getPrototypeOf(read)).toBeNull()
      expect(read?.isConnected).toBeUndefined()
      // a status without `isConnected` is none, whatever the prototype lends
      expect(parseStatus(payload)).toBeNull()
      expect(parseStatus({ isConnected: false })).toMatchObject({ type: 'status', connected: false })
    })
    // without the pollution, the payload itself (no copy for every wallet event)
    expect(asObj(payload)).toBe(payload)
  })
})
