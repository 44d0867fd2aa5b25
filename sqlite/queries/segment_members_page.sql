SELECT profile_id, since FROM segment_members
WHERE workspace = :workspace AND segment_id = :segment AND profile_id > :after
ORDER BY profile_id LIMIT :limit
