-- Owners of a workspace other than the given user: a change that would
-- leave none is refused.
SELECT count(*) FROM memberships WHERE workspace = ? AND role = 'owner' AND user_id != ?
