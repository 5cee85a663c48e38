import { SessionProvider } from '@sessionlayer/session-react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { createAppSession } from './createAppSession'
import './styles.css'

const { store, reauth, mode } = createAppSession()
void store.init() // silently restores a live wallet session; never prompts
const queryClient = new QueryClient()

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <SessionProvider store={store}>
          <App reauth={reauth} mode={mode} />
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  )
}
