/** `alice::1220f3a9c2e4b7d1` → `alice::1220f3…` (null → `—`). */
export const shortParty = (partyId: string | null | undefined): string =>
  partyId ? (partyId.length > 16 ? `${partyId.slice(0, 13)}…` : partyId) : '—'

/** 1000 → `1 s`, 500 → `0.5 s`. */
export const formatDelay = (ms: number): string => `${Math.round(ms / 100) / 10} s`

/** Time left as `m:ss` (or `h:mm:ss`). */
export const formatCountdown = (ms: number): string => {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/** A wall-clock time, `HH:MM:SS`. */
export const formatTime = (at: number): string => new Date(at).toLocaleTimeString('en-GB')
