SELECT count(*) FROM p_anchor
