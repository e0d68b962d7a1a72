-- Uploads remember the device that made them (its cap counts its unfinished bytes) and whether a
-- stored case names them: finished uploads that no case claims are removed after the expiry,
-- like unfinished ones that stopped moving. `expires_at` now counts from the last activity.
ALTER TABLE uploads ADD COLUMN device_id TEXT;
ALTER TABLE uploads ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;

UPDATE uploads SET claimed = 1 WHERE photo_id IN (
    SELECT json_extract(p.value, '$.photo_id') FROM cases, json_each(cases.body, '$.photos') AS p
);

DROP INDEX uploads_expires_at;
CREATE INDEX uploads_expires_at ON uploads (expires_at) WHERE claimed = 0;
CREATE INDEX uploads_device_unfinished ON uploads (device_id) WHERE completed_at IS NULL;
