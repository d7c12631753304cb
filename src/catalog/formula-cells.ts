/*
 * Spreadsheet formula injection (OWASP "CSV Injection"): a text cell that a spreadsheet reads as
 * the start of a formula (`=`, `+`, `-`, `@`) is run when the file is opened. Excel and LibreOffice
 * also take the fullwidth forms `＝＋－＠` (they normalise them on input in CJK locales) and skip
 * leading spaces and line breaks before the sign; a leading tab or carriage return is itself a
 * trigger in some of them. Such a cell gets a leading apostrophe, which every spreadsheet shows as
 * "this is text".
 *
 * This is the one definition every file the service writes uses (issue 19 item 12, issue 22):
 * the CSV and XLSX writers in JavaScript, and the databases' own CSV writers (DuckDB's RE2 and
 * PostgreSQL's ARE both read the pattern below as JavaScript does: it has no backslash escapes,
 * the characters are literal). Only free text is neutralised (names, machine names, custom
 * fields, comments); typed values (`-05:00`, `-3`, dates) are written as they are.
 */

const SIGNS = '=+@＝＋－＠-'; // `-` last: literal in a bracket expression in all three dialects
const LEADING_SPACE = ' \t\r\n\u00a0\u3000';

/** The pattern of a cell to neutralise, as the text of a regular expression (JavaScript, RE2, PostgreSQL ARE). */
export const FORMULA_CELL_PATTERN = `^([\t\r]|[${LEADING_SPACE}]*[${SIGNS}])`;

const FORMULA_CELL = new RegExp(FORMULA_CELL_PATTERN, 'u');

/** A free-text cell as a file must hold it: with a leading apostrophe when a spreadsheet would run it. */
export function neutraliseFreeText(text: string): string {
  return FORMULA_CELL.test(text) ? `'${text}` : text;
}

/** The inverse, for reading our own files back: `'=x` → `=x`; an apostrophe before anything else stays. */
export function restoreFreeText(cell: string): string {
  return cell.startsWith("'") && FORMULA_CELL.test(cell.slice(1)) ? cell.slice(1) : cell;
}
