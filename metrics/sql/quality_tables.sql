-- Data page: the warehouse's raw tables (raw_*) and the domain tables in $domain that exist,
-- raw first. Names come from the catalogue, never from input.
SELECT
    table_name,
    CASE WHEN starts_with(table_name, 'raw_') THEN 'raw' ELSE 'domain' END AS layer
FROM information_schema.tables
WHERE table_catalog = current_database()
    AND table_schema = current_schema()
    AND table_type = 'BASE TABLE'
    AND (starts_with(table_name, 'raw_') OR list_contains($domain::VARCHAR[], table_name))
ORDER BY layer DESC, coalesce(list_position($domain::VARCHAR[], table_name), 0), table_name;
