-- The custom fields Koers reads, per source, found by name or schema in the field catalogue
-- (never by a hard-coded id). normalize() also splices their ids into the parse in 02.
CREATE OR REPLACE TEMP TABLE _custom_fields AS
SELECT
    source,
    min(id) FILTER (WHERE lower(payload ->> 'name') = 'flagged') AS flagged_field,
    min(id) FILTER (
        WHERE payload -> 'schema' ->> 'custom' = 'com.pyxis.greenhopper.jira:gh-epic-link'
    ) AS epic_link_field,
    min(id) FILTER (
        WHERE payload -> 'schema' ->> 'custom' = 'com.pyxis.greenhopper.jira:jsw-story-points'
           OR lower(payload ->> 'name') IN ('story points', 'story point estimate')
    ) AS points_field
FROM raw_jira_fields
GROUP BY source;
