-- A customer's breakdown value is that of their first step-1 event.
CREATE OR REPLACE TEMP TABLE f_group AS SELECT pnum, arg_min(bd, start_pos) AS bd FROM f_a GROUP BY pnum
