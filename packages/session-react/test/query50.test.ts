import * as reactQuery from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import { REACT_QUERY_50, REACT_QUERY_50_VERSIONS } from './query50'

describe('TanStack Query 5.0 test project', () => {
  it('runs the /query tests on @tanstack/react-query 5.0 and the @tanstack/query-core 5.0 it depends on, not the newest', async () => {
    expect(REACT_QUERY_50_VERSIONS).toEqual({ '@tanstack/react-query': expect.stringMatching(/^5\.0\./), '@tanstack/query-core': expect.stringMatching(/^5\.0\./) })
    const oldReactQuery = (await import(/* @vite-ignore */ REACT_QUERY_50['@tanstack/react-query'])) as Record<string, unknown>
    const oldQueryCore = (await import(/* @vite-ignore */ REACT_QUERY_50['@tanstack/query-core'])) as Record<string, unknown>
    // `@tanstack/react-query`, as the tests and src import it, is that package, and its QueryClient that query-core's
    expect(reactQuery.useQueryClient).toBe(oldReactQuery.useQueryClient)
    expect(reactQuery.QueryClient).toBe(oldQueryCore.QueryClient)
  })
})
