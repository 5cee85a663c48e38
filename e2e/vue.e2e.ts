import { describe, it } from 'vitest'
import { connectSwitchDisconnect, disconnectDuringReauth, doubleClicks, reauthInOneTab, reconnectBannerEnds, rejectCancelApprove, reloadWithoutFlash } from './flows'
import { useHarness } from './support'

const harness = useHarness()

describe('Vue example with the demo wallet', () => {
  it("connect in tab A shows in tab B without a click; a party switch in A refetches B's holdings; disconnect in B disconnects A", async () => {
    await connectSwitchDisconnect(harness(), 'vue')
  })

  it('C3, C4: a connect rejected in the wallet shows its 4001; a cancelled one leaves nothing pending; the next one connects', async () => {
    await rejectCancelApprove(harness(), 'vue')
  })

  it('C9: a reload shows the silent restore, never a disconnected flash with a Connect button', async () => {
    await reloadWithoutFlash(harness(), 'vue')
  })

  it('a double click on Connect or Disconnect does not undo itself', async () => {
    await doubleClicks(harness(), 'vue')
  })

  it('C8, C12: the reconnect banner goes away once no retry is due: a disconnect or an expiry during the backoff ends it', async () => {
    await reconnectBannerEnds(harness(), 'vue')
  })

  it('a disconnect during the re-auth prompt removes the prompt in every tab', async () => {
    await disconnectDuringReauth(harness(), 'vue')
  })

  it('signing in again in one tab ends the re-auth prompt in every tab; an action queued in another completes', async () => {
    await reauthInOneTab(harness(), 'vue')
  })
})
