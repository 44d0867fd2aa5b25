DELETE FROM personas WHERE workspace = :workspace
