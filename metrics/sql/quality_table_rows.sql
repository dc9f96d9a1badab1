-- Data page: the number of rows of one table; $table is a name from quality_tables, quoted here
-- as an identifier (query_table reads its argument as a possibly qualified name).
SELECT count(*) AS rows FROM query_table('"' || replace($table, '"', '""') || '"');
