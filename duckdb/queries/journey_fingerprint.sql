-- What the journeys would have to reflect now, and what they reflect: a
-- refresh is needed when either differs. Both checkpoints are saved in the
-- same transaction as the rows they cover: the warehouse's with the events
-- appended, the identity feed's with every change to identity_map.
SELECT (SELECT coalesce(max(seq), 0) FROM consumer_checkpoints WHERE consumer = 'warehouse') AS seq,
       (SELECT coalesce(max(seq), 0) FROM consumer_checkpoints WHERE consumer = 'identity_map') AS identity_seq,
       (SELECT count(*) FROM journey_state WHERE id = 1) > 0 AS built,
       coalesce((SELECT seq FROM journey_state WHERE id = 1), 0) AS done_seq,
       coalesce((SELECT identity_seq FROM journey_state WHERE id = 1), 0) AS done_identity_seq
