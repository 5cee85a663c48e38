// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { countListeners } from '../test/countListeners'
import { createSessionPlugin } from './createSessionPlugin'
import { useAccount } from './useAccount'
import { walletEvents } from '../test/walletEvents'

describe('useAccount', () => {
  it('C11, C5: follows the active party, network and status (as React\'s useAccount), and releases its one subscription on unmount', async () => {
    const provider = createMockProvider()
    const counted = countListeners(createSessionStore(provider, { storage: createMemoryStorage() }))
    const Account = defineComponent({
      setup() {
        const { account, partyId, accounts, networkId, status, isConnected } = useAccount()
        return () =>
          h('p', `${partyId.value ?? '-'}|${account.value?.primary ?? '-'}|${accounts.value.length}|${networkId.value ?? '-'}|${status.value}|${isConnected.value}`)
      },
    })
    const wrapper = mount(Account, { global: { plugins: [createSessionPlugin(counted.store)] } })
    expect(wrapper.text()).toBe('-|-|0|-|disconnected|false')
    expect(counted.subscriptions()).toBe(1)
    await counted.store.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('alice::1220aa|true|2|canton:devnet|connected|true')
    provider.wallet.switchParty('bob::1220bb')
    provider.wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await flushPromises()
    expect(wrapper.text()).toBe('bob::1220bb|true|2|canton:testnet|connected|true')
    provider.wallet.disconnectFromWallet()
    await walletEvents()
    await flushPromises()
    expect(wrapper.text()).toBe('-|-|0|-|disconnected|false')
    wrapper.unmount()
    expect(counted.subscriptions()).toBe(0)
  })

  it('C1, C5: partyId is null, not undefined, without an account, and the party id with one', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    let partyId: ReturnType<typeof useAccount>['partyId'] | undefined
    const wrapper = mount(
      defineComponent({
        setup() {
          partyId = useAccount().partyId
          return () => null
        },
      }),
      { global: { plugins: [createSessionPlugin(store)] } },
    )
    expect(partyId?.value).toBeNull()
    await store.connect()
    expect(partyId?.value).toBe('alice::1220aa')
    await store.disconnect()
    expect(partyId?.value).toBeNull()
    wrapper.unmount()
    store.destroy()
  })
})
