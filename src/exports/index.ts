export type { CellType, ExportColumn, ExportRow, WriteStats } from './columns.js';
export { neutraliseCsvCell, writeCsv, writeJson } from './csv-writer.js';
export { isValidFileKey, LocalFileStore } from './file-store.js';
export type { FileStore, StoredFile } from './file-store.js';
export { DEFAULT_LINK_SECONDS, loadDownloadSecret, UrlSigner } from './signed-urls.js';
export type { SignedLink } from './signed-urls.js';
export { MAX_DATA_ROWS_PER_SHEET, writeXlsx } from './xlsx-writer.js';
export type { XlsxOptions } from './xlsx-writer.js';
