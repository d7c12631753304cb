export { parseFilter, parseOrderBy } from './parser.js';
