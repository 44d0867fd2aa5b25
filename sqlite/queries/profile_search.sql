-- Profile rows with an identifier starting with :prefix (of the common
-- kinds, each a range scan of the primary key) or a trait containing :q.
SELECT profile_id FROM identities
WHERE workspace = :workspace AND kind IN ('user_id', 'email', 'phone', 'anonymous_id')
  AND value >= :prefix AND value < :prefix || char(1114111)
UNION
SELECT id FROM profiles
WHERE workspace = :workspace AND traits LIKE '%' || :q || '%' ESCAPE '\'
LIMIT :limit
