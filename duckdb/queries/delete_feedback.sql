DELETE FROM feedback WHERE workspace = $workspace AND id IN (SELECT unnest($ids))
