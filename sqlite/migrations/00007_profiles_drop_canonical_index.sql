-- +goose Up
-- Identity resolution follows merges in memory now; the covering index on
-- (id, merged_into) only cost every new profile a second index insert.
DROP INDEX profiles_canonical;
