/**
 * Stable error codes: CIP-0103 / EIP-1193 numeric codes from the wallet, or one of the
 * store's own string codes.
 * @public
 */
export type SessionErrorCode = number | 'DESTROYED' | 'TIMEOUT' | 'SESSION_EXPIRED' | 'REAUTH_FAILED' | 'QUEUE_FULL' | 'UNKNOWN'

/**
 * The one error class of SessionLayer.
 * @public
 */
export class SessionError extends Error {
  /** The stable code. */
  readonly code: SessionErrorCode
  /** The message without details. */
  readonly shortMessage: string

  /**
   * @param message - what went wrong
   * @param options - the code and the original value
   */
  constructor(message: string, options: { code: SessionErrorCode; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'SessionError'
    this.code = options.code
    this.shortMessage = message
  }
}
