package duckdb_test

import (
	"database/sql"
	"testing"
	"time"
)

func TestZZScratch(t *testing.T) {
	w, _ := setup(t)
	for _, q := range []string{
		`SELECT json_extract('{"a b":{"c":1},"x/y":2,"q\"":3}'::JSON, '/a b')::VARCHAR`,
		`SELECT json_extract('{"a b":{"c":1},"x/y":2,"q\"":3}'::JSON, '/x~1y')::VARCHAR`,
		`SELECT json_extract('{"a b":{"c":1},"x/y":2,"q\"":3}'::JSON, '/q"')::VARCHAR`,
		`SELECT coalesce(json_type(json_extract('{"a":null}'::JSON, '/a')), 'SQLNULL')`,
		`SELECT coalesce(json_type(json_extract('{"a":null}'::JSON, '/b')), 'SQLNULL')`,
		`SELECT max({'t': 1, 'v': x})::VARCHAR FROM (VALUES ('b'),('a'),(NULL)) t(x)`,
		`SELECT TRY_CAST(' 42 ' AS DOUBLE)::VARCHAR`,
		`SELECT TRY_CAST('inf' AS DOUBLE)::VARCHAR`,
		`SELECT to_json('abc')::VARCHAR`,
		`SELECT to_json(7.5::DOUBLE)::VARCHAR`,
		`SELECT json_type(to_json(7.5::DOUBLE))`,
		`SELECT json_type('{"a":5}'::JSON, '/a')`,
		`SELECT json_type('{"a":5.5}'::JSON, '/a')`,
		`SELECT json_type('{"a":-5}'::JSON, '/a')`,
	} {
		var s sql.NullString
		if err := w.DB().QueryRow(q).Scan(&s); err != nil {
			t.Log(q, "ERR", err)
			continue
		}
		t.Log(q, "=>", s.String, s.Valid)
	}
	var ts time.Time
	var m any
	err := w.DB().QueryRow(`SELECT m.t, m FROM (SELECT max({'t': now(), 'v': 'x'}) AS m)`).Scan(&ts, &m)
	t.Log(ts, m, err)
}
