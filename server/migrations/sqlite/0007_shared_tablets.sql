-- Shared tablets: an enrolment code may be for shared tablets, and a device registered with one
-- is a shared tablet for its whole life (copied, so later changes to the code do not move it).
ALTER TABLE enrolment_codes ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
