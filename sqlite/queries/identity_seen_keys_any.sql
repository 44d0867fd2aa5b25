-- Which of many hashed event ids were applied; the caller appends "(VALUES (?, ?), …)".
SELECT h1, h2 FROM identity_seen_keys WHERE (h1, h2) IN
