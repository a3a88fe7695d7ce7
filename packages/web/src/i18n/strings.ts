/** A catalogue of strings: nested keys; plural forms as i18next's `key_one`, `key_few`, `key_many`, `key_other`. */
export interface Strings { [key: string]: string | Strings }

export const LANGUAGES = ['en', 'ru'] as const
export type Language = typeof LANGUAGES[number]
