-- Whether a churn model has a table of scores to read.
SELECT count(*) FROM duckdb_tables() WHERE table_name = 'profile_scores'
