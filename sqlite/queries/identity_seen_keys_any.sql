-- Which of many hashed event ids were applied: one (h1, h2) group a row.
SELECT h1, h2 FROM identity_seen_keys WHERE (h1, h2) IN (VALUES {rows})
