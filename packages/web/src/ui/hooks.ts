import { useEffect, useReducer } from 'preact/hooks'
import { language, type Language, onLanguageChange } from '../i18n/index.js'

/** A function that re-renders the component (for state kept outside Preact: the SDK, the session). */
export function useRerender (): () => void {
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0)
  return bump
}

/** The page's language; the component re-renders when it changes. */
export function useLanguage (): Language {
  const rerender = useRerender()
  useEffect(() => onLanguageChange(rerender), [])
  return language()
}

/** Re-renders on every notification of a framework-free store (`subscribe` returns the unsubscribe). */
export function useStore (store: { subscribe (fn: () => void): () => void }) {
  const rerender = useRerender()
  useEffect(() => store.subscribe(rerender), [store])
}

/** Runs `fn` every `ms` while mounted, re-rendering after each run. */
export function useTicker (ms: number, fn: () => void = () => {}) {
  const rerender = useRerender()
  useEffect(() => {
    const timer = setInterval(() => { fn(); rerender() }, ms)
    return () => clearInterval(timer)
  }, [ms])
}
