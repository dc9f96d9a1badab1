-- Items whose changelog is incomplete (the embedded one was cut off and the paged endpoint did
-- not fill it in): their facts cannot be trusted, so every aggregate leaves them out.
SELECT key, type, status, stage
FROM item_facts
WHERE NOT changelog_complete
ORDER BY regexp_extract(key, '^(.*)-', 1), TRY_CAST(regexp_extract(key, '-([0-9]+)$', 1) AS BIGINT), key;
