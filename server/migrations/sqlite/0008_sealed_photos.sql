-- Photos sealed for the organisation (shared tablets): the upload carries the sealed bytes, whose
-- length and SHA-256 are `length` and `sha256` as for any upload; the key it was sealed to and the
-- encapsulated key came in its metadata. Once the server opens it, the stored photo is the
-- opened bytes, whose length and SHA-256 are what a case names.
ALTER TABLE uploads ADD COLUMN sealed_key_id TEXT;
ALTER TABLE uploads ADD COLUMN sealed_enc TEXT;
ALTER TABLE uploads ADD COLUMN photo_length INTEGER;
ALTER TABLE uploads ADD COLUMN photo_sha256 TEXT;
