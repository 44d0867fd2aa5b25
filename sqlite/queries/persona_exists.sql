SELECT count(*) FROM personas WHERE workspace = :workspace AND id = :persona
