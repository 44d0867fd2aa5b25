SELECT channel FROM events WHERE workspace = $workspace AND channel IS NOT NULL AND channel <> '' GROUP BY channel ORDER BY count(*) DESC LIMIT 30
