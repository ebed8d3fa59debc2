/**
 * The text-to-speech languages and voices a script may use. Amazon Connect speaks prompts with Amazon Polly
 * ("Languages supported by Amazon Connect features", section Amazon Polly:
 * https://docs.aws.amazon.com/connect/latest/adminguide/supported-languages.html#supported-languages-polly, which
 * refers to Polly's voice list). The contact flow sets the voice with `UpdateContactTextToSpeechVoice` and no
 * `TextToSpeechEngine`, so Connect uses Polly's standard engine, and the action fails for a voice that has no
 * standard variant (the API reference: "Results in error if voice or engine are invalid, or if the selected voice
 * does not support the selected engine"). The list is therefore Polly's standard voices by language code, as
 * Polly's "Standard voices" page lists them (https://docs.aws.amazon.com/polly/latest/dg/standard-voices.html,
 * 60 voices in 29 language variants, checked 2026), by voice id (the ASCII form: `Celine`, not `Céline`).
 */
export const STANDARD_VOICES_BY_LANGUAGE = {
  arb: ['Zeina'],
  'cmn-CN': ['Zhiyu'],
  'cy-GB': ['Gwyneth'],
  'da-DK': ['Naja', 'Mads'],
  'de-DE': ['Marlene', 'Vicki', 'Hans'],
  'en-AU': ['Nicole', 'Russell'],
  'en-GB': ['Amy', 'Emma', 'Brian'],
  'en-GB-WLS': ['Geraint'],
  'en-IN': ['Aditi', 'Raveena'],
  'en-US': ['Ivy', 'Joanna', 'Kendra', 'Kimberly', 'Salli', 'Joey', 'Justin', 'Matthew'],
  'es-ES': ['Conchita', 'Lucia', 'Enrique'],
  'es-MX': ['Mia'],
  'es-US': ['Lupe', 'Penelope', 'Miguel'],
  'fr-CA': ['Chantal'],
  'fr-FR': ['Celine', 'Lea', 'Mathieu'],
  'hi-IN': ['Aditi'],
  'is-IS': ['Dora', 'Karl'],
  'it-IT': ['Carla', 'Bianca', 'Giorgio'],
  'ja-JP': ['Mizuki', 'Takumi'],
  'ko-KR': ['Seoyeon'],
  'nb-NO': ['Liv'],
  'nl-NL': ['Lotte', 'Ruben'],
  'pl-PL': ['Ewa', 'Maja', 'Jacek', 'Jan'],
  'pt-BR': ['Camila', 'Vitoria', 'Ricardo'],
  'pt-PT': ['Ines', 'Cristiano'],
  'ro-RO': ['Carmen'],
  'ru-RU': ['Tatyana', 'Maxim'],
  'sv-SE': ['Astrid'],
  'tr-TR': ['Filiz'],
} as const satisfies Record<string, readonly string[]>;

export type SpeechLanguage = keyof typeof STANDARD_VOICES_BY_LANGUAGE;

/** Every language code of {@link STANDARD_VOICES_BY_LANGUAGE}. */
export const SPEECH_LANGUAGES = Object.keys(STANDARD_VOICES_BY_LANGUAGE) as [SpeechLanguage, ...SpeechLanguage[]];

/** The voices that speak `language` (none for a language not in the list). */
export function voicesOf(language: string): readonly string[] {
  return Object.hasOwn(STANDARD_VOICES_BY_LANGUAGE, language)
    ? STANDARD_VOICES_BY_LANGUAGE[language as SpeechLanguage]
    : [];
}
