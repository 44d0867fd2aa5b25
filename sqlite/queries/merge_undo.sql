UPDATE merges SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL
