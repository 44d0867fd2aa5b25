SELECT list, count(*), max(added_at) FROM list_members WHERE workspace = ? GROUP BY list ORDER BY list
