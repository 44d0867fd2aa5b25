-- Responses by score for one kind of score, per group ($by) and time
-- bucket ($interval). Feedback is attributed to profiles the way
-- profile_feedback does it, and traits come from profile_traits, but only
-- when a filter or breakdown needs them ($need_profiles, $need_traits):
-- the joins cost more than the counting.
WITH f AS (
    SELECT f.*,
           CASE WHEN $need_profiles THEN
               coalesce(u.profile_id, a.profile_id,
                        CASE WHEN f.user_id IS NOT NULL THEN 'user_id:' || f.user_id ELSE 'anonymous_id:' || f.anonymous_id END)
           END AS profile_id
    FROM feedback f
    LEFT JOIN identity_map u ON $need_profiles AND u.workspace = f.workspace AND u.kind = 'user_id' AND u.value = f.user_id
    LEFT JOIN identity_map a ON $need_profiles AND a.workspace = f.workspace AND a.kind = 'anonymous_id' AND a.value = f.anonymous_id
    WHERE f.workspace = $workspace
      AND f.survey_type = $survey_type
      AND f.score IS NOT NULL
      AND ($from IS NULL OR f.created_at >= $from)
      AND ($to IS NULL OR f.created_at < $to)
      AND (len($survey_ids) = 0 OR list_contains($survey_ids, f.survey_id))
      AND (len($channels) = 0 OR list_contains($channels, f.channel))
      AND (len($languages) = 0 OR list_contains($languages, f.language))
      AND (len($touchpoints) = 0 OR list_contains($touchpoints, f.touchpoint))
      AND (len($sources) = 0 OR list_contains($sources, f.source))
      AND (len($exclude_flags) = 0 OR NOT list_has_any(coalesce(f.flags, []::VARCHAR[]), $exclude_flags))
      AND (NOT $complete_only OR f.complete)
)
SELECT CASE $by
           WHEN 'survey' THEN coalesce(f.survey_id, '')
           WHEN 'channel' THEN coalesce(f.channel, '')
           WHEN 'touchpoint' THEN coalesce(f.touchpoint, '')
           WHEN 'language' THEN coalesce(f.language, '')
           WHEN 'source' THEN f.source
           WHEN 'kind' THEN f.kind
           WHEN 'sentiment' THEN coalesce(f.sentiment, '')
           WHEN 'trait' THEN coalesce(t.trait_value, '')
           ELSE ''
       END AS grp,
       CASE WHEN NOT $series THEN NULL ELSE date_trunc($interval, make_timestamp(epoch_us(f.created_at))) END AS bucket,
       f.score,
       count(*) AS n
FROM f
-- The events table's appender stores JSON as a JSON string holding the
-- object; traits are read in either form.
LEFT JOIN (SELECT workspace, profile_id,
                  json_extract_string(traits, $trait_path) AS trait_value,
                  json_extract_string(traits, $trait_paths) AS trait_values
           FROM (SELECT workspace, profile_id,
                        CASE WHEN json_type(traits) = 'VARCHAR' THEN (traits ->> '$')::JSON ELSE traits END AS traits
                 FROM profile_traits
                 WHERE $need_traits AND workspace = $workspace)) t ON $need_traits AND t.workspace = f.workspace AND t.profile_id = f.profile_id
WHERE (NOT $restrict_profiles OR f.profile_id IN (SELECT unnest($profile_ids)))
  AND (len($trait_paths) = 0 OR t.trait_values = $trait_values)
GROUP BY ALL
ORDER BY grp, bucket, f.score
