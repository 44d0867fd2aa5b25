SELECT count(*), coalesce(max(status = 'active' AND node_id <> '_goal'), 0), coalesce(max(entered_at), '') FROM enrolments WHERE workspace = ? AND journey_id = ? AND profile_id = ?
