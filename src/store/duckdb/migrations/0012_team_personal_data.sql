-- 0012_team_personal_data: the per-team personal-data switch (issue 18). When any team has it off,
-- every answer and export shows stable hashes instead of user names and e-mail addresses (for all
-- teams, as Autodesk does). Null counts as on: DuckDB cannot add a NOT NULL column to a table.
alter table teams add column personal_data boolean default true;
