import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Catalog } from '../../catalog/index.js';
import { insightsCatalog, tokenflexCatalog } from '../../catalog/index.js';
import type { ErrorCode, ErrorDetail } from '../../errors.js';
import { AppError } from '../../errors.js';
import type { UsageQuerySpec } from '../index.js';
import { planUsageQuery } from '../index.js';

const CONTRACT = { kind: 'contract', contractNumber: '110001234567' } as const;

function plan(catalog: Catalog, spec: Partial<UsageQuerySpec>) {
  return planUsageQuery({ fields: ['productName'], metrics: [], scope: CONTRACT, purpose: 'query', ...spec }, catalog);
}

interface Expected {
  readonly code: ErrorCode;
  readonly message: string;
  readonly column?: number;
  readonly snippet?: string;
  readonly errors?: readonly ErrorDetail[];
}

function assertPlanError(run: () => unknown, expected: Expected): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(AppError.is(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, expected.code);
    assert.equal(error.message, expected.message);
    if (expected.column !== undefined) {
      assert.equal(error.position?.line, 1);
      assert.equal(error.position?.column, expected.column);
    }
    if (expected.snippet !== undefined) assert.equal(error.snippet, expected.snippet);
    if (expected.errors !== undefined) assert.deepEqual(error.errors, expected.errors);
    return true;
  });
}

describe('resolving a where clause', () => {
  test('names the nearest field for a misspelt one, at the field', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "contractYear = 1 and prodctName = 'Maya'" }), {
      code: 'FILTER_UNKNOWN_FIELD',
      message: 'Unknown field `prodctName`; did you mean `productName`?',
      column: 22,
      snippet: "contractYear = 1 and prodctName = 'Maya'\n                     ^^^^^^^^^^",
    });
  });

  test('suggests the right case for a field written in the wrong case', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: 'contractyear = 1' }), {
      code: 'FILTER_UNKNOWN_FIELD', message: 'Unknown field `contractyear`; did you mean `contractYear`?', column: 1,
    });
  });

  test('makes no suggestion when nothing is close', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "banana = 'x'" }), {
      code: 'FILTER_UNKNOWN_FIELD', message: 'Unknown field `banana`', column: 1,
    });
  });

  test('says that a metric cannot be filtered on', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: 'tokensConsumed > 10' }), {
      code: 'FILTER_UNKNOWN_FIELD', message: '`tokensConsumed` is a metric; a where clause can only test fields.', column: 1,
    });
  });

  test('rejects a field that may be selected but not filtered', () => {
    assertPlanError(() => plan(insightsCatalog, { where: "emailAddress = 'ana@example.com'" }), {
      code: 'FILTER_FIELD_NOT_FILTERABLE',
      message: 'The field `emailAddress` (personal data) can be selected but not used in a where clause.',
      column: 1,
    });
    assertPlanError(() => plan(tokenflexCatalog, { where: "chargedItemID = 'x'" }), {
      code: 'FILTER_FIELD_NOT_FILTERABLE',
      message: 'The field `chargedItemID` (session-level data) can be selected but not used in a where clause.',
      column: 1,
    });
  });

  test('rejects a literal of the wrong type, at the literal', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "contractYear = '2'" }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: '`contractYear` is an integer field and takes a whole number, e.g. 2, not a string.',
      column: 16,
      snippet: "contractYear = '2'\n               ^^^",
    });
    assertPlanError(() => plan(tokenflexCatalog, { where: 'contractYear IN (1, 2.5)' }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: '`contractYear` is an integer field and takes a whole number, e.g. 2, not the number 2.5.',
      column: 21,
    });
    assertPlanError(() => plan(tokenflexCatalog, { where: 'productName = 2' }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: "`productName` is a string field and takes a quoted string, e.g. '2', not the number 2.",
      column: 15,
    });
    assertPlanError(() => plan(insightsCatalog, { where: "isParentProduct = 'yes'" }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: '`isParentProduct` is a boolean field and takes TRUE or FALSE, not a string.',
      column: 19,
    });
  });

  test('accepts only real dates written YYYY-MM-DD for a date field', () => {
    for (const value of ['2024-02-30', '2024-2-1', '01/02/2024', '2024-01-01T00:00:00Z']) {
      assertPlanError(() => plan(tokenflexCatalog, { where: `usageDate = '${value}'` }), {
        code: 'FILTER_TYPE_MISMATCH',
        message: "`usageDate` is a date field and takes a date in quotes, e.g. '2024-01-31', not a string.",
        column: 13,
      });
    }
    assert.doesNotThrow(() => plan(tokenflexCatalog, { where: "usageDate = '2024-02-29'" }));
  });

  test('rejects a value outside an enumeration, naming its values', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "tokenPool = 'cy'" }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: "'cy' is not a value of `tokenPool`; did you mean 'CY'? (expected one of CY, MY).",
      column: 13,
    });
  });

  test('allows only equality on enumerations and booleans', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "chargeCategory > 'FREE'" }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: '`>` cannot compare the enum field `chargeCategory`; use `=`, `!=` or `IN`.',
      column: 1,
    });
  });

  test('rejects a comparison of literals of different types', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "1 = '1'" }), {
      code: 'FILTER_TYPE_MISMATCH', message: 'Cannot compare the number 1 with a string.', column: 1,
    });
  });

  test('rejects LIKE on an enumerated field', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "usageCategory LIKE 'DESKTOP%'" }), {
      code: 'FILTER_LIKE_NOT_ALLOWED',
      message: 'LIKE cannot be used on the enumerated field `usageCategory`; use `=` or `IN` with its values '
        + '(DESKTOP_PRODUCT, CLOUD_PRODUCT, CLOUD_SERVICE, MANUAL_ADJUSTMENT, MANUAL_CONSUMPTION).',
      column: 1,
    });
  });

  test('rejects LIKE on a number field as a type mismatch', () => {
    assertPlanError(() => plan(tokenflexCatalog, { where: "contractYear LIKE '202%'" }), {
      code: 'FILTER_TYPE_MISMATCH',
      message: 'LIKE needs a text field, but `contractYear` is an integer; compare it with `=`, `<`, `>` or BETWEEN.',
      column: 1,
    });
  });

  test('rejects a LIKE pattern with fewer than three literal characters, at the pattern', () => {
    for (const pattern of ['b%', '%_a_%', '%%%%', 'ab']) {
      assertPlanError(() => plan(tokenflexCatalog, { where: `userName LIKE '${pattern}'` }), {
        code: 'FILTER_LIKE_PATTERN_TOO_SHORT',
        message: "A LIKE pattern needs at least 3 characters besides `%` and `_`, e.g. 'bob%'.",
        column: 15,
      });
    }
    assert.doesNotThrow(() => plan(tokenflexCatalog, { where: "userName LIKE 'bob%'" }));
  });
});

describe('planning a usage query', () => {
  test('needs at least one field or metric', () => {
    assertPlanError(() => plan(tokenflexCatalog, { fields: [], metrics: [] }), {
      code: 'QUERY_INVALID',
      message: 'A query needs at least one field or metric.',
      errors: [{ path: '/fields', message: 'a query needs at least one field or metric' }],
    });
  });

  test('names each unknown or repeated name by its path, with a suggestion', () => {
    assertPlanError(() => plan(tokenflexCatalog, {
      fields: ['productName', 'userName', 'prodName', 'userName'], metrics: ['tokensConsumed', 'usageCategory'],
    }), {
      code: 'QUERY_INVALID',
      message: "Unknown field 'prodName'; did you mean 'productName'? (and 2 more problems; see errors).",
      errors: [
        { path: '/fields/2', message: "unknown field 'prodName'; did you mean 'productName'?" },
        { path: '/fields/3', message: "duplicate field 'userName'" },
        { path: '/metrics/1', message: "'usageCategory' is not a metric; list it in fields" },
      ],
    });
  });

  test('rejects an unknown usage category', () => {
    assertPlanError(() => plan(tokenflexCatalog, { usageCategories: ['DESKTOP'] }), {
      code: 'QUERY_INVALID',
      message: "Unknown usage category 'DESKTOP' (expected one of DESKTOP_PRODUCT, CLOUD_PRODUCT, CLOUD_SERVICE, "
        + 'MANUAL_ADJUSTMENT, MANUAL_CONSUMPTION).',
    });
  });

  test('accepts legacy usage category names and maps them to today\'s', () => {
    const planned = plan(tokenflexCatalog, { usageCategories: ['PRODUCT_CONSUMPTION', 'cloud_product_consumption', 'DESKTOP_PRODUCT'] });
    assert.deepEqual(planned.usageCategories, ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT']);
  });

  test('rejects a field that has no data for the selected usage categories', () => {
    assertPlanError(() => plan(tokenflexCatalog, { fields: ['machineName'], usageCategories: ['CLOUD_PRODUCT'] }), {
      code: 'QUERY_INVALID',
      message: "Field 'machineName' has no data for usage category CLOUD_PRODUCT (only DESKTOP_PRODUCT).",
      errors: [{ path: '/fields/0', message: "field 'machineName' has no data for usage category CLOUD_PRODUCT (only DESKTOP_PRODUCT)" }],
    });
  });

  test('refuses session-level fields in a query: they are available through exports only', () => {
    assertPlanError(() => plan(tokenflexCatalog, { fields: ['productName', 'sessionStartDate'], usageCategories: ['DESKTOP_PRODUCT'] }), {
      code: 'QUERY_INVALID',
      message: "Field 'sessionStartDate' is session-level data, available through exports only.",
      errors: [{ path: '/fields/1', message: "field 'sessionStartDate' is session-level data, available through exports only" }],
    });
  });

  test('needs exactly one explicit usage category for a session-level export', () => {
    const spec = { fields: ['chargedItemID', 'productName'], purpose: 'export' } as const;
    assertPlanError(() => plan(tokenflexCatalog, spec), {
      code: 'QUERY_INVALID',
      message: 'A session-level export needs an explicit usage category.',
      errors: [{ path: '/usageCategories', message: 'a session-level export needs an explicit usage category' }],
    });
    assertPlanError(() => plan(tokenflexCatalog, { ...spec, usageCategories: ['DESKTOP_PRODUCT', 'CLOUD_CONSUMPTION'] }), {
      code: 'QUERY_INVALID',
      message: 'A session-level export covers exactly one usage category, not DESKTOP_PRODUCT, CLOUD_SERVICE.',
    });
    const planned = plan(tokenflexCatalog, { ...spec, usageCategories: ['PRODUCT_CONSUMPTION'] });
    assert.equal(planned.sessionLevel, true);
    assert.deepEqual(planned.usageCategories, ['DESKTOP_PRODUCT']);
  });

  test('orders only by selected fields and metrics, pointing at the bad name', () => {
    assertPlanError(() => plan(insightsCatalog, {
      fields: ['productName'], metrics: ['uniqueUsers'], orderBy: 'productName DESC, uniqeUsers',
    }), {
      code: 'ORDER_BY_INVALID',
      message: 'orderBy can only sort by the selected fields and metrics, and `uniqeUsers` is not one of them; did you mean `uniqueUsers`?',
      column: 19,
      snippet: 'productName DESC, uniqeUsers\n                  ^^^^^^^^^^',
    });
    assertPlanError(() => plan(insightsCatalog, { fields: ['productName'], orderBy: 'productName, productName desc' }), {
      code: 'ORDER_BY_INVALID', message: '`productName` appears more than once in orderBy.', column: 14,
    });
  });

  test('joins a table the filter needs even when no selected column needs it', () => {
    const planned = planUsageQuery({
      fields: ['productName'], metrics: [], scope: CONTRACT, purpose: 'query', where: "userName LIKE 'adm%'",
    }, tokenflexCatalog);
    assert.deepEqual(planned.joins, []);
    const insights = plan(insightsCatalog, { fields: ['teamName'] });
    assert.deepEqual(insights.joins, ['teams']);
  });
});
