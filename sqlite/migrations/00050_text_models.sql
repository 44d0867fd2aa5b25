-- +goose Up
-- Sentiment models a workspace trained on its own labelled texts. The model
-- file is kept in the data directory (models/<id>.tpm); the row names it,
-- and its hash lets a damaged or replaced file be noticed. training is the
-- JSON description stored in the file (data, examples, held-out accuracy).
CREATE TABLE text_models (
    id         TEXT PRIMARY KEY,
    workspace  TEXT NOT NULL REFERENCES workspaces (id),
    name       TEXT NOT NULL,
    language   TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    training   TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX text_models_workspace ON text_models (workspace, created_at);

-- The model a workspace uses for a language; no row means the built-in
-- model.
CREATE TABLE text_model_choices (
    workspace  TEXT NOT NULL REFERENCES workspaces (id),
    language   TEXT NOT NULL,
    model_id   TEXT NOT NULL REFERENCES text_models (id),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace, language)
);
