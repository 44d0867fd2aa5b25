-- Responses by score for one kind of score, per group ($by) and time
-- bucket ($interval). Traits come from profile_traits by the attributed
-- profile; $trait_paths/$trait_values are equality filters.
SELECT CASE $by
           WHEN 'survey' THEN coalesce(f.survey_id, '')
           WHEN 'channel' THEN coalesce(f.channel, '')
           WHEN 'touchpoint' THEN coalesce(f.touchpoint, '')
           WHEN 'language' THEN coalesce(f.language, '')
           WHEN 'source' THEN f.source
           WHEN 'kind' THEN f.kind
           WHEN 'sentiment' THEN coalesce(f.sentiment, '')
           WHEN 'trait' THEN coalesce(json_extract_string(t.traits, $trait_path), '')
           ELSE ''
       END AS grp,
       CASE WHEN NOT $series THEN NULL ELSE date_trunc($interval, timezone('UTC', f.created_at)) END AS bucket,
       f.score,
       count(*) AS n
FROM profile_feedback f
LEFT JOIN (SELECT workspace, profile_id,
                  CASE WHEN json_type(traits) = 'VARCHAR' THEN (traits ->> '$')::JSON ELSE traits END AS traits
           FROM profile_traits) t ON t.workspace = f.workspace AND t.profile_id = f.profile_id
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
  AND (NOT $restrict_profiles OR list_contains($profile_ids, f.profile_id))
  AND (len($trait_paths) = 0 OR json_extract_string(t.traits, $trait_paths) = $trait_values)
  AND (len($exclude_flags) = 0 OR NOT list_has_any(coalesce(f.flags, []::VARCHAR[]), $exclude_flags))
  AND (NOT $complete_only OR f.complete)
GROUP BY ALL
ORDER BY grp, bucket, f.score
