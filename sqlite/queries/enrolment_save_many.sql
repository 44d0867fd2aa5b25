-- Saves many enrolments at once, one group a row:
-- (rowid, status, node_id, step, wake_at, wait_event, arm, updated_at, ended_at, end_reason).
UPDATE enrolments SET status = v.column2, node_id = v.column3, step = v.column4, wake_at = v.column5, wait_event = v.column6,
    arm = v.column7, updated_at = v.column8, ended_at = v.column9, end_reason = v.column10
FROM (VALUES {rows}) AS v WHERE enrolments.rowid = v.column1
