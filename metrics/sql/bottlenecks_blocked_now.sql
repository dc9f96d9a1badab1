-- Items in progress that are flagged at $as_of, flagged longest first.
SELECT
    f.key,
    f.summary,
    f.type,
    f.status,
    fl.start_at AS flagged_since,
    (epoch_us($as_of) - epoch_us(fl.start_at)) / 86400e6 AS flagged_days
FROM flag_intervals AS fl
JOIN item_facts AS f USING (item_id)
WHERE fl.source = $source AND f.in_flow AND f.changelog_complete AND f.stage = 'in_progress'
    AND fl.start_at <= $as_of AND (fl.end_at IS NULL OR fl.end_at > $as_of)
ORDER BY flagged_days DESC, f.key;
