import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHARGE_CATEGORIES, describeCatalog, insightsCatalog, normaliseUsageCategory, tokenflexCatalog, USAGE_CATEGORIES,
} from './index.js';

const SPEC_TOKENFLEX_FIELDS = [
  'productLineCode', 'productName', 'userName', 'usageDate', 'usageMonth', 'contractYear', 'usageCategory', 'tokenPool',
  'chargedItemID', ...Array.from({ length: 10 }, (_, i) => `customField${i + 1}`), 'usageTimestamp', 'chargeCategory',
  'sessionStartDate', 'sessionEndDate', 'productVersion', 'productFeatureCode', 'machineName', 'licenseServerName',
  'licenseServerTimeZoneOffset', 'usageType', 'hubId', 'hubName', 'jobStatus', 'transactionDate', 'reasonType', 'reasonComment',
];
const SPEC_TOKENFLEX_METRICS = ['tokensConsumed', 'usageMinutes', 'usageHours', 'useCount', 'uniqueUsers', 'uniqueProducts', 'quantity'];
const SPEC_INSIGHTS_FIELDS = [
  'productName', 'usageDate', 'usageMonth', 'usageWeek', 'version', 'minorVersion', 'childProductName', 'tokens',
  'emailAddress', 'firstName', 'lastName', 'userName', 'fullName', 'profileImage', 'userId', 'hashedUserId',
  'isParentProduct', 'isProductVersioned', 'reportingEntityId', 'contractNumber', 'productLineCode', 'featureId',
  'source', 'contextId', 'teamName',
  // (ours, issue 18) the Usage report's usage-category and active/inactive filters
  'usageCategory', 'userStatus',
];
const SPEC_INSIGHTS_METRICS = ['uniqueUsers', 'uniqueProducts', 'totalUniqueDays', 'earliestUsageDate', 'latestUsageDate', 'totalTokens'];
// Spec §4.1: the `*` fields are session/transaction level.
const SESSION_LEVEL = ['chargedItemID', 'usageTimestamp', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'hubId', 'hubName', 'jobStatus', 'transactionDate', 'reasonComment'];
// Spec §4.2: the `*` fields may be selected but not filtered on.
const INSIGHTS_NOT_FILTERABLE = ['emailAddress', 'firstName', 'lastName', 'userName', 'fullName', 'profileImage', 'teamName'];

describe('catalogue', () => {
  test('Token Flex has exactly the fields and metrics of spec §4.1', () => {
    assert.deepEqual([...tokenflexCatalog.fields.keys()].sort(), [...SPEC_TOKENFLEX_FIELDS].sort());
    assert.deepEqual([...tokenflexCatalog.metrics.keys()].sort(), [...SPEC_TOKENFLEX_METRICS].sort());
  });

  test('Insights has exactly the fields and metrics of spec §4.2', () => {
    assert.deepEqual([...insightsCatalog.fields.keys()].sort(), [...SPEC_INSIGHTS_FIELDS].sort());
    assert.deepEqual([...insightsCatalog.metrics.keys()].sort(), [...SPEC_INSIGHTS_METRICS].sort());
  });

  test('every field and metric has a type, a description and SQL for both dialects', () => {
    for (const catalog of [tokenflexCatalog, insightsCatalog]) {
      for (const entry of [...catalog.fields.values(), ...catalog.metrics.values()]) {
        assert.ok(entry.type, `${catalog.api}.${entry.name} has no type`);
        assert.ok(entry.description.length > 5, `${catalog.api}.${entry.name} has no description`);
        assert.ok(entry.sql.duckdb && entry.sql.postgres, `${catalog.api}.${entry.name} lacks SQL`);
        assert.ok(entry.usageCategories.length > 0);
      }
    }
  });

  test('session-level Token Flex fields are the starred ones and are not filterable', () => {
    const sessionLevel = [...tokenflexCatalog.fields.values()].filter((f) => f.sessionLevel).map((f) => f.name);
    assert.deepEqual(sessionLevel.sort(), [...SESSION_LEVEL].sort());
    for (const name of SESSION_LEVEL) assert.equal(tokenflexCatalog.fields.get(name)?.filterable, false);
  });

  test('starred Insights fields can be selected but not filtered', () => {
    const notFilterable = [...insightsCatalog.fields.values()].filter((f) => !f.filterable).map((f) => f.name);
    assert.deepEqual(notFilterable.sort(), [...INSIGHTS_NOT_FILTERABLE].sort());
  });

  test('enum fields list complete value sets', () => {
    assert.deepEqual(tokenflexCatalog.fields.get('usageCategory')?.enumValues, USAGE_CATEGORIES);
    assert.deepEqual(tokenflexCatalog.fields.get('chargeCategory')?.enumValues, CHARGE_CATEGORIES);
    assert.deepEqual(tokenflexCatalog.fields.get('tokenPool')?.enumValues, ['CY', 'MY']);
    assert.deepEqual(tokenflexCatalog.fields.get('usageType')?.enumValues, ['Normal', 'Borrowed']);
    assert.deepEqual(insightsCatalog.fields.get('source')?.enumValues, ['sus', 'ppu', 'flex']);
    assert.deepEqual(insightsCatalog.fields.get('userStatus')?.enumValues, ['active', 'inactive']);
    for (const catalog of [tokenflexCatalog, insightsCatalog]) {
      for (const field of catalog.fields.values()) {
        assert.equal(field.type === 'enum', field.enumValues !== undefined, `${field.name}: enum type and values go together`);
      }
    }
  });

  test('legacy usage category names map to today\'s names', () => {
    assert.equal(normaliseUsageCategory('PRODUCT_CONSUMPTION'), 'DESKTOP_PRODUCT');
    assert.equal(normaliseUsageCategory('cloud_consumption'), 'CLOUD_SERVICE');
    assert.equal(normaliseUsageCategory('CLOUD_PRODUCT_CONSUMPTION'), 'CLOUD_PRODUCT');
    assert.equal(normaliseUsageCategory('DESKTOP_PRODUCT'), 'DESKTOP_PRODUCT');
    assert.equal(normaliseUsageCategory('SOMETHING'), undefined);
  });

  test('the public description exposes no SQL', () => {
    const text = JSON.stringify(describeCatalog(tokenflexCatalog));
    assert.doesNotMatch(text, /r\.usage_|strftime|sum\(/);
  });

  test('catalogue entries are frozen', () => {
    const field = tokenflexCatalog.fields.get('productName')!;
    assert.ok(Object.isFrozen(field));
    assert.throws(() => { (field as { name: string }).name = 'x'; });
  });
});
