/** A command line as typed in the picker and the edit line, and as the panels show a command. */

/**
 * Split a command line into words on whitespace. 'single' and "double"
 * quotes group words and are removed; quoted and unquoted parts next to each
 * other join (a"b c" is one word: ab c); '' is an empty word. No backslash
 * escapes or variables: this is not a shell. Throws on an unclosed quote.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote: add the closing ${quote}`);
  if (inWord) words.push(word);
  return words;
}

/** Characters a shell reads literally in an unquoted word. */
const SHELL_SAFE = /^[\w@%+=:,./-]+$/;

/** The inverse of splitCommandLine: a line that splits back into `words`
 * (for the history, and to prefill the command field), quoted so that a
 * shell would read the same words too (as the panels show commands). */
export function joinCommandLine(words: readonly string[]): string {
  return words
    .map((word) => {
      if (SHELL_SAFE.test(word)) return word;
      if (!word.includes("'")) return `'${word}'`;
      if (!word.includes('"')) return `"${word}"`;
      // Both kinds of quote: quote each part with the other kind, parts join.
      return word
        .split("'")
        .map((part) => (part === '' ? '' : `'${part}'`))
        .join(`"'"`);
    })
    .join(' ');
}
