SELECT body FROM feedback WHERE workspace = :workspace AND id = :id
