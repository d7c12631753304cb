import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ZipStream from 'zip-stream';
import { neutraliseFreeText } from '../catalog/index.js';
import { isFreeTextColumn, type ExportColumn, type ExportRow, type WriteStats } from './columns.js';

/** Excel's row limit is 1,048,576 including our header row. */
export const MAX_DATA_ROWS_PER_SHEET = 1_048_575;

export interface XlsxOptions {
  /** Worksheet name; further sheets get " (2)", " (3)", … */
  readonly sheetName: string;
  /** Rows per worksheet before continuing on the next (tests lower it). */
  readonly maxRowsPerSheet?: number;
}

/*
 * Our own sheet XML (SpreadsheetML, ECMA-376 Part 1 §18.3) in zip-stream's container: a fraction
 * of exceljs' time and memory on a million-row sheet (docs/measurements.md). exceljs stays, in
 * the tests, as the independent reader.
 */

// Style indexes into STYLES below: 0 default, 1 date, 2 date-time, 3 bold header.
const STYLE_DATE = 1;
const STYLE_DATETIME = 2;
const STYLE_HEADER = 3;
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
</styleSheet>`;

// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Escapes text for XML and drops the control characters XML 1.0 forbids. */
function xmlText(value: string): string {
  // Most cells need nothing: one test instead of five replaces (docs/measurements.md).
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Excel's serial day number (1900 date system) of a UTC instant. */
function excelSerial(epochMillis: number): number {
  return epochMillis / 86_400_000 + 25_569;
}

function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

function inlineString(ref: string, text: string, style = 0): string {
  return `<c r="${ref}" t="inlineStr"${style ? ` s="${style}"` : ''}><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

/** One cell, typed: numbers as numbers, dates as Excel dates, booleans as booleans. */
function cellXml(ref: string, column: ExportColumn, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  switch (column.type) {
    case 'integer':
    case 'number': {
      const number = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(number) ? `<c r="${ref}"><v>${number}</v></c>` : inlineString(ref, String(value));
    }
    case 'boolean':
      return `<c r="${ref}" t="b"><v>${value === true || value === 'true' ? 1 : 0}</v></c>`;
    case 'date':
    case 'datetime': {
      const text = String(value);
      const millis = Date.parse(column.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
      if (Number.isNaN(millis)) return inlineString(ref, text);
      return `<c r="${ref}" s="${column.type === 'date' ? STYLE_DATE : STYLE_DATETIME}"><v>${excelSerial(millis)}</v></c>`;
    }
    case 'string': {
      // An inline string is never a formula in Excel, but the cell is still neutralised like the
      // CSV's (issue 19 item 12): a copy, a re-save as CSV or a formula referring to it must not run it.
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
      return inlineString(ref, isFreeTextColumn(column) ? neutraliseFreeText(text) : text);
    }
  }
}

function sheetHead(columns: readonly ExportColumn[]): string {
  const header = columns.map((column, i) => inlineString(`${columnLetters(i)}1`, column.header, STYLE_HEADER)).join('');
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    + `<sheetData><row r="1">${header}</row>`;
}

const SHEET_TAIL = '</sheetData></worksheet>';

/** Adds one entry to the archive and resolves once zip-stream has consumed it. */
function addEntry(archive: ZipStream, source: string | PassThrough, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    archive.entry(source, { name, date: new Date(0) }, (error) => (error ? reject(error) : resolve()));
  });
}

/** Worksheet names: at most 31 characters, none of `\ / ? * [ ] :` (Excel's rules). */
function sheetTitle(base: string, index: number): string {
  const clean = base.replace(/[\\/?*[\]:]/g, ' ').slice(0, 25).trim() || 'Sheet';
  return index === 0 ? clean : `${clean} (${index + 1})`;
}

/**
 * Streams rows into an XLSX workbook: header row in bold and frozen, typed cells, and a new
 * worksheet every `maxRowsPerSheet` rows so no row is ever cut off. Memory stays bounded: rows
 * flow from the iterator through the sheet XML into the zip and out, with backpressure.
 */
export async function writeXlsx(rows: AsyncIterable<ExportRow>, columns: readonly ExportColumn[], out: Writable, options: XlsxOptions): Promise<WriteStats> {
  const perSheet = options.maxRowsPerSheet ?? MAX_DATA_ROWS_PER_SHEET;
  const archive = new ZipStream({ zlib: { level: 1 } });
  const piped = pipeline(archive, out);
  let rowCount = 0;
  let sheets = 0;
  try {
    let sheet: PassThrough | undefined;
    let entry: Promise<void> | undefined;
    let rowInSheet = 0;
    const openSheet = () => {
      sheet = new PassThrough();
      entry = addEntry(archive, sheet, `xl/worksheets/sheet${sheets + 1}.xml`);
      sheets++;
      rowInSheet = 0;
      sheet.write(sheetHead(columns));
    };
    // Rows go to the zip in batches of about 64 KB: one write per row (~700 bytes) cost a zlib
    // round trip each, a third of the CPU batched (docs/measurements.md).
    let batch = '';
    const flush = async () => {
      const ready = sheet!.write(batch);
      batch = '';
      if (!ready) await once(sheet!, 'drain');
    };
    const closeSheet = async () => {
      sheet!.end(batch + SHEET_TAIL);
      batch = '';
      await entry;
      sheet = undefined;
    };
    const letters = columns.map((_, i) => columnLetters(i));
    openSheet();
    for await (const row of rows) {
      if (rowInSheet === perSheet) {
        await closeSheet();
        openSheet();
      }
      rowInSheet++;
      rowCount++;
      const r = rowInSheet + 1;
      batch += `<row r="${r}">${columns.map((column, i) => cellXml(`${letters[i]}${r}`, column, row[i])).join('')}</row>`;
      if (batch.length >= 65_536) await flush();
    }
    await closeSheet();

    const names = Array.from({ length: sheets }, (_, i) => sheetTitle(options.sheetName, i));
    await addEntry(archive, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
      + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      + names.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')
      + '</Types>', '[Content_Types].xml');
    await addEntry(archive, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>', '_rels/.rels');
    await addEntry(archive, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
      + names.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')
      + '</sheets></workbook>', 'xl/workbook.xml');
    await addEntry(archive, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + names.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')
      + `<Relationship Id="rId${sheets + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 'xl/_rels/workbook.xml.rels');
    await addEntry(archive, STYLES, 'xl/styles.xml');
    archive.finalize();
    await piped;
    return { rowCount };
  } catch (error) {
    archive.destroy(error as Error);
    await piped.catch(() => undefined);
    throw error;
  }
}
