// The catalogue's English sentences, to prove a Russian page shows none of them: every string of
// src/i18n/en.ts without placeholders and long enough not to be a word Russian also uses (a film title).
import type { Page } from 'playwright-core'
import { en } from '../../src/i18n/en.js'
import type { Strings } from '../../src/i18n/strings.js'

function sentences (s: Strings): string[] {
  return Object.values(s).flatMap((v) => typeof v === 'string' ? [v] : sentences(v)).filter((v) => !v.includes('{{') && v.length >= 16)
}
const ENGLISH = [...new Set(sentences(en as Strings))]

/** The catalogue's English sentences on the page now (visible text): none for a page in Russian. */
export async function englishLeft (page: Page): Promise<string[]> {
  const text = await page.locator('body').innerText()
  return ENGLISH.filter((s) => text.includes(s))
}
