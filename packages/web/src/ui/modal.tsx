import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'

/**
 * A modal <dialog> (the browser keeps focus inside, Escape closes it, the page behind is inert), opened
 * while mounted; `onClose` runs however it closes. Focus returns to where it was.
 */
export function Modal ({ id, labelledBy, onClose, children }: { id: string, labelledBy: string, onClose: () => void, children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    const before = document.activeElement as HTMLElement | null
    if (dialog && !dialog.open) dialog.showModal()
    return () => { if (dialog?.open) dialog.close(); before?.focus?.() }
  }, [])
  return <dialog id={id} ref={ref} aria-labelledby={labelledBy} onClose={onClose}>{children}</dialog>
}
