SELECT count(*), coalesce(max(status = 'active'), 0), coalesce(max(entered_at), '') FROM enrolments WHERE workspace = ? AND journey_id = ? AND profile_id = ?
