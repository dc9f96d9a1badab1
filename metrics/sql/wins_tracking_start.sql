-- The day tracking began: the local day the team's first counted item was created. Weeks before
-- it are unknown, not weeks in which nothing was done.
SELECT min(timezone($tz, created_at))::DATE AS first_day
FROM item_facts
WHERE counted;
