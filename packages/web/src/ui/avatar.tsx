/** A round avatar picture (room-api's upload or initials); decorative next to a name unless `alt` says more. */
export function Avatar ({ url, size = 'small', alt = '' }: { url: string | undefined, size?: 'small' | 'medium' | 'large', alt?: string }) {
  if (!url) return <span class={`avatar ${size} empty`} aria-hidden='true' />
  const px = size === 'large' ? 96 : size === 'medium' ? 40 : 28
  return <img class={`avatar ${size}`} src={url} alt={alt} width={px} height={px} loading='lazy' decoding='async' />
}
