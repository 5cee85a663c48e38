/**
 * Ledger API access from the live wallet session.
 *
 * @packageDocumentation
 */

/**
 * JSON Ledger API WebSocket subprotocols for a bearer token.
 * @param accessToken - the live access token
 * @returns the subprotocol list
 * @public
 */
export function ledgerWsProtocols(accessToken: string): string[] {
  return [`jwt.token.${accessToken}`, 'daml.ws.auth']
}
