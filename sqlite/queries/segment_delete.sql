DELETE FROM segments WHERE workspace = :workspace AND id = :id
