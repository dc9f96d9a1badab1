-- Items left out of the flow aggregates, each under the first reason that applies (epic,
-- sub-task, incomplete changelog, discarded), and the items that are counted. Every reason is
-- listed, with 0 where no item has it.
WITH reasons(reason, ord) AS (
    VALUES ('epic', 1), ('subtask', 2), ('incomplete_changelog', 3), ('discarded', 4),
        ('counted', 5)
),
per_item AS (
    SELECT
        CASE
            WHEN w.is_epic THEN 'epic'
            WHEN w.is_subtask THEN 'subtask'
            WHEN NOT f.changelog_complete THEN 'incomplete_changelog'
            WHEN f.discarded THEN 'discarded'
            ELSE 'counted'
        END AS reason
    FROM item_facts AS f
    JOIN work_items AS w ON w.source = $source AND w.team = $team AND w.item_id = f.item_id
)
SELECT r.reason, count(p.reason) AS items
FROM reasons AS r
LEFT JOIN per_item AS p USING (reason)
GROUP BY r.reason, r.ord
ORDER BY r.ord;
