import { t } from '../i18n/index.js'
import { useLanguage } from '../ui/hooks.js'
import { Problem } from '../ui/problem.js'
import { TopBar } from '../ui/top-bar.js'

/** A real 404 page (room-api answers unknown page addresses with status 404 and this page). */
export function NotFound () {
  useLanguage()
  document.title = t('app.title', { page: t('notFound.title') })
  return (
    <>
      <TopBar />
      <main id='main' class='page narrow-wide'>
        <Problem id='not-found' kind='404' title={t('notFound.title')} text={t('notFound.text')} />
      </main>
    </>
  )
}
