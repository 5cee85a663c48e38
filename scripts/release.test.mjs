// The release plan that `changeset version` would carry out from the committed changesets: each
// published package is bumped as its own changesets ask, never more because of a peer dependency.
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '..')
// the release planner of the workspace's @changesets/cli, as `changeset version` runs it
const fromCli = createRequire(createRequire(import.meta.url).resolve('@changesets/cli/package.json'))
const { default: getReleasePlan } = fromCli('@changesets/get-release-plan')
const RANK = { none: 0, patch: 1, minor: 2, major: 3 }

describe('the release plan', async () => {
  const plan = await getReleasePlan(root)
  const published = plan.releases.filter((release) => release.name.startsWith('@sessionlayer/session-'))

  it('covers every published package', () => {
    expect(published.map((release) => release.name).sort()).toEqual(
      ['core', 'crypto', 'react', 'sync', 'testing', 'vue'].map((name) => `@sessionlayer/session-${name}`),
    )
  })

  it.each(published.map((release) => [release.name, release]))('%s is bumped no more than its changesets ask (a patch for a dependency that left its range)', (name, release) => {
    const asked = Math.max(RANK.patch, ...plan.changesets.flatMap((changeset) => changeset.releases.filter((r) => r.name === name).map((r) => RANK[r.type])))
    expect(RANK[release.type], `${name}: ${release.oldVersion} -> ${release.newVersion} (${release.type})`).toBeLessThanOrEqual(asked)
  })
})
