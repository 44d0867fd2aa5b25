UPDATE segments SET size = size + :delta WHERE workspace = :workspace AND id = :segment
