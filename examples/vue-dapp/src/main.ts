import { createSessionPlugin } from '@sessionlayer/session-vue'
import { QueryClient, VueQueryPlugin } from '@tanstack/vue-query'
import { createApp } from 'vue'
import { App } from './App'
import { createAppSession } from './createAppSession'
import './styles.css'

const { store, reauth, mode } = createAppSession()
void store.init() // silently restores a live wallet session; never prompts

createApp(App, { reauth, mode })
  .use(VueQueryPlugin, { queryClient: new QueryClient() })
  .use(createSessionPlugin(store)) // the app owns the store
  .mount('#app')
