-- Invitations sent (survey.sent events) and how many were answered and
-- completed (feedback rows of their responses), per group and bucket of
-- the time they were sent.
--
-- The events table's appender stores properties as a JSON string holding
-- the object; props reads either form.
WITH sent_events AS (
    SELECT e.workspace, e.profile_id, e.timestamp AS sent_at, e.channel,
           CASE WHEN json_type(e.properties) = 'VARCHAR' THEN (e.properties ->> '$')::JSON ELSE e.properties END AS props
    FROM profile_events e
    WHERE e.workspace = $workspace AND e.event = 'survey.sent' AND e.source_id = 'touchpoint'
), sent AS (
    SELECT workspace, profile_id, sent_at, channel,
           props ->> '$.invitation_id' AS invitation_id,
           props ->> '$.survey_id' AS survey_id,
           props ->> '$.language' AS language,
           nullif(props ->> '$.touchpoint', '') AS touchpoint
    FROM sent_events
), answered AS (
    SELECT invitation_id, bool_or(complete) AS complete
    FROM feedback
    WHERE workspace = $workspace AND invitation_id IS NOT NULL
    GROUP BY invitation_id
)
SELECT CASE $by
           WHEN 'survey' THEN coalesce(s.survey_id, '')
           WHEN 'channel' THEN coalesce(s.channel, '')
           WHEN 'touchpoint' THEN coalesce(s.touchpoint, '')
           WHEN 'language' THEN coalesce(s.language, '')
           WHEN 'trait' THEN coalesce(t.trait_value, '')
           ELSE ''
       END AS grp,
       CASE WHEN NOT $series THEN NULL ELSE date_trunc($interval, make_timestamp(epoch_us(s.sent_at))) END AS bucket,
       count(*) AS sent,
       count(a.invitation_id) AS responded,
       count(*) FILTER (WHERE a.complete) AS completed
FROM sent s
LEFT JOIN answered a ON a.invitation_id = s.invitation_id
LEFT JOIN (SELECT workspace, profile_id,
                  json_extract_string(traits, $trait_path) AS trait_value,
                  json_extract_string(traits, $trait_paths) AS trait_values
           FROM (SELECT workspace, profile_id,
                        CASE WHEN json_type(traits) = 'VARCHAR' THEN (traits ->> '$')::JSON ELSE traits END AS traits
                 FROM profile_traits
                 WHERE $need_traits AND workspace = $workspace)) t ON $need_traits AND t.workspace = s.workspace AND t.profile_id = s.profile_id
WHERE ($from IS NULL OR s.sent_at >= $from)
  AND ($to IS NULL OR s.sent_at < $to)
  AND (len($survey_ids) = 0 OR list_contains($survey_ids, s.survey_id))
  AND (len($channels) = 0 OR list_contains($channels, s.channel))
  AND (len($languages) = 0 OR list_contains($languages, s.language))
  AND (len($touchpoints) = 0 OR list_contains($touchpoints, s.touchpoint))
  AND (NOT $restrict_profiles OR s.profile_id IN (SELECT unnest($profile_ids)))
  AND (len($trait_paths) = 0 OR t.trait_values = $trait_values)
GROUP BY ALL
ORDER BY grp, bucket
