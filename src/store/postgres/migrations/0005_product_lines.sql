-- 0005_product_lines: settings of a product line (all its versions), for now the price of a
-- subscription seat in tokens a year: the seat-or-Flex advice (issue 17) compares it with the
-- line's daily token rate. A line without a row, or with null, has no seat price.
create table product_lines (
  product_line_code     text collate "C" primary key,
  seat_tokens_per_year  double precision
);
