-- Items done (not discarded) and discarded in [$start, $end), up to $as_of.
SELECT
    count(*) FILTER (WHERE NOT discarded) AS items_done,
    count(*) FILTER (WHERE discarded) AS items_discarded
FROM item_facts
WHERE in_flow AND changelog_complete
    AND done_at >= $start AND done_at < $end AND done_at <= $as_of;
