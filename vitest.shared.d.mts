/** Resolves every `@sessionlayer/*` entry to its workspace source file (tests only). */
export declare const workspaceAliases: { find: RegExp; replacement: string }[]
