-- 0004_exports: export jobs keep the files they produced and the Token Flex read flag.
alter table jobs add column files varchar;                       -- JSON array of stored files
alter table jobs add column read_flag boolean default false;   -- DuckDB cannot add a column with a NOT NULL constraint
