INSERT OR REPLACE INTO score_models (workspace, model, trained_at, samples, metric, details)
VALUES ($workspace, $model, $trained_at, $samples, $metric, $details)
