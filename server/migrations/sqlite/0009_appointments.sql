-- Appointments. A slot is a place, a start (RFC 3339 with the place's offset, as published, and
-- the same instant in unix seconds for ordering and the booking window), a length and a capacity
-- in people. `booked` counts the people booked into it and is changed only in the transaction that
-- books, moves or cancels a household; the CHECK makes overbooking impossible whatever the
-- concurrency. A case holds at most one slot, for everyone in it.
CREATE TABLE slots (
    slot_id     TEXT PRIMARY KEY NOT NULL,
    place       TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    starts_unix INTEGER NOT NULL,
    minutes     INTEGER NOT NULL CHECK (minutes > 0),
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    booked      INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'cancelled')),
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX slots_starts ON slots (starts_unix);

-- The device that sent the case (only it may ask for its status), and its appointment.
ALTER TABLE cases ADD COLUMN device_id TEXT;
ALTER TABLE cases ADD COLUMN slot_id TEXT REFERENCES slots (slot_id);
ALTER TABLE cases ADD COLUMN appointment_note TEXT;
ALTER TABLE cases ADD COLUMN appointment_changed_at TEXT;

CREATE INDEX cases_slot ON cases (slot_id) WHERE slot_id IS NOT NULL;

-- A case with its appointment, as receipts show it.
CREATE VIEW case_view AS
SELECT cases.*, cases.rowid AS seq,
       slots.starts_at AS slot_starts_at, slots.minutes AS slot_minutes, slots.place AS slot_place
FROM cases LEFT JOIN slots ON slots.slot_id = cases.slot_id;
