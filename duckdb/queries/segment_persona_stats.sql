-- For segments shown as personas (the list of ids is put in by the caller):
-- members, members whose latest NPS answer is known, promoters,
-- detractors, and members not seen since $cutoff.
WITH m AS (
    SELECT segment_id, profile_id FROM segment_members WHERE workspace = $workspace AND segment_id IN ($ids)
),
nps AS (
    SELECT profile_id, arg_max(score, created_at) AS nps FROM profile_feedback
    WHERE workspace = $workspace AND survey_type = 'nps' AND score IS NOT NULL AND profile_id IN (SELECT profile_id FROM m)
    GROUP BY profile_id
),
seen AS (
    SELECT profile_id, max(timestamp) AS last FROM profile_events
    WHERE workspace = $workspace AND profile_id IN (SELECT profile_id FROM m) GROUP BY profile_id
)
SELECT m.segment_id, count(*), count(nps.nps), count(*) FILTER (WHERE nps.nps >= 9), count(*) FILTER (WHERE nps.nps <= 6),
       count(*) FILTER (WHERE seen.last IS NULL OR seen.last < $cutoff)
FROM m LEFT JOIN nps USING (profile_id) LEFT JOIN seen USING (profile_id)
GROUP BY m.segment_id
