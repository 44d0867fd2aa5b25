-- +goose Up
-- Which profiles each rejected merge named, so a profile's rejected merges
-- can be listed without reading every rejection.
CREATE TABLE merge_rejection_profiles (
    rejection_id INTEGER NOT NULL REFERENCES merge_rejections (id),
    profile_id   TEXT NOT NULL
);
CREATE INDEX merge_rejection_profiles_profile ON merge_rejection_profiles (profile_id);
INSERT INTO merge_rejection_profiles (rejection_id, profile_id)
SELECT r.id, j.value FROM merge_rejections r, json_each(r.profiles) j;
