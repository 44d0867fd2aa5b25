DELETE FROM feedback WHERE workspace = $workspace AND list_contains($ids, id)
