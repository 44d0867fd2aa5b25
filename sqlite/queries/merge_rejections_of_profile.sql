-- Rejected merges naming a profile or any row merged into it, newest first.
WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT DISTINCT r.id, r.workspace, r.event_id, r.profiles, r.identifiers, r.reason, r.created_at
FROM merge_rejection_profiles rp JOIN grp ON rp.profile_id = grp.id
JOIN merge_rejections r ON r.id = rp.rejection_id
WHERE r.workspace = :workspace
ORDER BY r.created_at DESC, r.id DESC
LIMIT :limit
