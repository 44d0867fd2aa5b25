-- The day's row carries the size after the pass and adds its entries and exits.
INSERT INTO segment_sizes (workspace, segment_id, day, size, entered, exited)
SELECT workspace, id, :day, size, :entered, :exited FROM segments WHERE workspace = :workspace AND id = :segment
ON CONFLICT (workspace, segment_id, day) DO UPDATE SET size = excluded.size,
    entered = segment_sizes.entered + excluded.entered, exited = segment_sizes.exited + excluded.exited
