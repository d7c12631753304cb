-- 0007_usage_processed_at: when the service last processed a usage record (UTC): the time the batch
-- that inserted it was applied, or that re-rated it and changed its charge. Token Flex's
-- lastProcessDate (GET /usage/:c/last) is its latest; records from before this column, and the
-- demo data, have none and fall back to their usage time.
alter table usage_records add column processed_at timestamp;
