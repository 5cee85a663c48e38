// Debian Chromium through playwright-core, for the end-to-end tests and the browser benchmark:
// one place for its path and flags (the background-networking flags keep it off this machine's
// closed network). The packages' own browser tests keep a copy: they may not reach outside
// their package (scripts/check-layers.mjs).

/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium'

/** Headless, sandbox-free as root, and no background network traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
