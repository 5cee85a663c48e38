/** Debian's Chromium. */
export declare const CHROMIUM: string
/** Headless, sandbox-free as root, and no background network traffic. */
export declare const CHROMIUM_ARGS: string[]
