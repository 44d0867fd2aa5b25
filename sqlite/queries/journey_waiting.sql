SELECT node_id, count(*) FROM enrolments WHERE status = 'active' AND workspace = ? AND journey_id = ? AND version = ? GROUP BY node_id
