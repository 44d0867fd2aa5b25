SELECT path, count(*) AS n FROM p_paths GROUP BY path ORDER BY n DESC, path LIMIT $top
