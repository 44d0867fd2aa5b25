-- Who is in each segment and discovered persona now, kept in step with the
-- state store by the segments engine, so that analytics queries can filter
-- by segment or persona with a join:
--
--   JOIN segment_members s ON s.workspace = e.workspace
--        AND s.profile_id = e.profile_id AND s.segment_id = $segment
--
-- segment_id is a segment's id (seg_…) or a discovered persona's (prs_…);
-- profile_id is the profile as profile_events attributes events.
CREATE TABLE segment_members (
    workspace  VARCHAR NOT NULL,
    segment_id VARCHAR NOT NULL,
    profile_id VARCHAR NOT NULL,
    PRIMARY KEY (workspace, segment_id, profile_id)
);
