/**
 * Which wallet an example dApp talks to: `'extension'` (the demo wallet, through the official
 * postMessage provider) unless the URL says `?wallet=mock` (session-testing's in-memory
 * `createMockProvider`, no postMessage at all).
 *
 * @param search - `location.search`
 * @returns the wallet mode
 */
export function readWalletMode(search: string): 'extension' | 'mock' {
  return new URLSearchParams(search).get('wallet') === 'mock' ? 'mock' : 'extension'
}
