SELECT arm, status, count(*) FROM enrolments WHERE workspace = ? AND journey_id = ? AND version = ? GROUP BY arm, status
