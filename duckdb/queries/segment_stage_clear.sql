DELETE FROM segment_stage
