-- What the journeys would have to reflect now, and what they reflect: a
-- refresh is needed when either differs. The warehouse's checkpoint is the
-- sequence of the last events appended (it is saved with them).
SELECT (SELECT coalesce(max(seq), 0) FROM consumer_checkpoints WHERE consumer = 'warehouse') AS seq,
       (SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(workspace, kind, value, profile_id)), 0)::VARCHAR
          FROM identity_map WHERE kind IN ('user_id', 'anonymous_id')) AS fp,
       coalesce((SELECT seq FROM journey_state WHERE id = 1), 0) AS done_seq,
       coalesce((SELECT identity_fp FROM journey_state WHERE id = 1), '') AS done_fp
