-- Data page: every source with its flavour and last sync (store.sync_state writes these rows).
SELECT source, type, flavour, last_sync_at, watermark, demo
FROM source_state
ORDER BY source;
