-- 0007_contract_charges_from: where a contract's charges come from (issue 20). 'rating': our own
-- rating computes every record's charge on arrival (and re-rates what a batch changes);
-- 'autodesk': the records come from Autodesk's Token Flex export files, rated by Autodesk, and
-- are stored with their charges as given, never re-rated. A batch that would mix the two on one
-- contract is refused.
alter table contracts add column charges_from text collate "C" not null default 'rating'
  check (charges_from in ('rating', 'autodesk'));
