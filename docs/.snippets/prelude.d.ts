// The ambient prelude of the code blocks in docs/ (type-checked by scripts/docs-code.mjs): what the
// app around a snippet obviously has. Everything else a block uses, it imports itself.

/** Shows a short message to the user (any toast or notification helper of the app). */
declare function toast(message: string): void

/** A single-file Vue component, as a bundler's Vue plugin provides it. */
declare module '*.vue' {
  const component: import('vue').Component
  export default component
}

/**
 * The two Next.js APIs the Next.js guide uses (Next.js is not a workspace dependency): as in
 * Next.js 15 and later, `cookies()` is asynchronous, and its `toString()` is the `Cookie` header;
 * `connection()` waits for the request.
 */
declare module 'next/headers' {
  export function cookies(): Promise<{ toString(): string }>
}
declare module 'next/server' {
  export function connection(): Promise<void>
}

/**
 * The two Svelte 5 APIs the core guide's Svelte adapters use (Svelte is not a workspace
 * dependency), with Svelte's own signatures.
 */
declare module 'svelte/store' {
  export type Subscriber<T> = (value: T) => void
  export type Unsubscriber = () => void
  export type StartStopNotifier<T> = (set: (value: T) => void, update: (fn: (value: T) => T) => void) => void | (() => void)
  export interface Readable<T> {
    subscribe(this: void, run: Subscriber<T>, invalidate?: () => void): Unsubscriber
  }
  export function readable<T>(value?: T, start?: StartStopNotifier<T>): Readable<T>
}
declare module 'svelte/reactivity' {
  export function createSubscriber(start: (update: () => void) => (() => void) | void): () => void
}

/**
 * The Nuxt APIs the Nuxt guide uses (Nuxt is not a workspace dependency), as Nuxt 4 types them:
 * its `#imports` (what it auto-imports) and the `import.meta` flags of its builds.
 */
declare module '#imports' {
  export function defineNuxtPlugin(setup: (nuxtApp: { vueApp: import('vue').App }) => void | Promise<void>): unknown
  export function useState<T>(key: string, init?: () => T): import('vue').Ref<T>
  export function useRequestEvent(): { node: { res: import('node:http').ServerResponse } } | undefined
  export function useRequestHeaders<K extends string>(include: K[]): { [key in K]?: string }
  export function defineNuxtRouteMiddleware(middleware: () => unknown): unknown
  export function navigateTo(to: string): Promise<void>
  export function useNuxtApp(): { isHydrating?: boolean }
}
interface ImportMeta {
  /** True in Nuxt's server build. */
  readonly server: boolean
  /** True in Nuxt's client build. */
  readonly client: boolean
}

/**
 * The React Router 7 APIs the React Router guide uses (React Router is not a workspace
 * dependency), with the signatures `react-router` 7 gives them.
 */
declare module 'react-router' {
  export interface LoaderFunctionArgs {
    request: Request
    params: Record<string, string | undefined>
  }
  export class DataWithResponseInit<D> {
    type: 'DataWithResponseInit'
    data: D
    init: ResponseInit | null
  }
  export function data<D>(data: D, init?: number | ResponseInit): DataWithResponseInit<D>
  export function redirect(url: string, init?: number | ResponseInit): Response
  /** The loader's data, unwrapped from `data()` as React Router's `SerializeFrom` does. */
  export function useLoaderData<T extends (...args: never[]) => unknown>(): Awaited<ReturnType<T>> extends DataWithResponseInit<infer D>
    ? D
    : Awaited<ReturnType<T>>
  export function Links(): import('react').ReactElement
  export function Meta(): import('react').ReactElement
  export function Outlet(): import('react').ReactElement | null
  export function Scripts(): import('react').ReactElement
  export function ScrollRestoration(): import('react').ReactElement | null
}

/**
 * The Astro API the Astro guide uses (Astro is not a workspace dependency), as Astro 5 types it:
 * `defineMiddleware` of `astro:middleware`, and the `App.Locals` an app declares its own fields in.
 */
declare namespace App {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the app adds its fields
  interface Locals {}
}
declare module 'astro:middleware' {
  export interface APIContext {
    request: Request
    locals: App.Locals
  }
  export type MiddlewareHandler = (context: APIContext, next: () => Promise<Response>) => Promise<Response> | Response | Promise<void> | void
  export function defineMiddleware(fn: MiddlewareHandler): MiddlewareHandler
}
