-- The publication's own version, so an older file never silently undoes a revision:
-- 0 first publication, 1 revised, 2 final (NHS England's "-revised" / "Final" files).
ALTER TABLE metric_sources ADD COLUMN IF NOT EXISTS version INTEGER DEFAULT 0;
UPDATE metric_sources SET version = CASE
    WHEN contains(lower(file_name), 'final') THEN 2
    WHEN contains(lower(file_name), 'revised') THEN 1
    ELSE 0 END;
