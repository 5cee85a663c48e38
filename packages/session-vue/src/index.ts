/**
 * Vue 3 bindings for SessionLayer.
 *
 * @packageDocumentation
 */

/**
 * The injection key of the session store (shared across bundles through `Symbol.for`).
 * @public
 */
export const SESSION_KEY: unique symbol = Symbol.for('sessionlayer.session') as never
