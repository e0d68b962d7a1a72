//! What appointments store: slots, the one booking each household gets, and what staff change.
//! Kept apart from [`super::Storage`] like the staff side; booking itself happens inside
//! [`super::Storage::put_case`], in the transaction that stores the case.

use async_trait::async_trait;
use protocol::appointment::CaseStatus;
use protocol::{CaseId, ReceiptCode, SlotId};

use super::StorageError;

/// A slot as staff publish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlot {
    pub place: String,
    /// RFC 3339 with the place's offset, as published.
    pub starts_at: String,
    pub starts_unix: i64,
    pub minutes: u32,
    pub capacity: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// Households may be booked into it.
    Open,
    /// No new bookings; those made stay.
    Closed,
    /// Called off: its households lost their appointment (staff give them another).
    Cancelled,
}

impl SlotState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotState::Open => "open",
            SlotState::Closed => "closed",
            SlotState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<SlotState> {
        match s {
            "open" => Some(SlotState::Open),
            "closed" => Some(SlotState::Closed),
            "cancelled" => Some(SlotState::Cancelled),
            _ => None,
        }
    }
}

/// A slot as stored, with how many people are booked into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSlot {
    pub slot_id: SlotId,
    pub place: String,
    pub starts_at: String,
    pub starts_unix: i64,
    pub minutes: u32,
    pub capacity: u32,
    pub booked: u32,
    pub state: SlotState,
}

impl StoredSlot {
    pub fn people_free(&self) -> u32 {
        self.capacity.saturating_sub(self.booked)
    }
}

/// A household booked into a slot, as the day's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub case_id: CaseId,
    pub receipt_code: ReceiptCode,
    pub people: u32,
}

/// When booking is open: slots that start after `now` and before `until` (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingWindow {
    pub now: i64,
    pub until: i64,
}

/// What moving a household came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    Moved,
    /// The slot has no room for every person of the household; nothing changed.
    NoRoom,
    /// The slot is closed or cancelled; nothing changed.
    NotOpen,
    NoSuchSlot,
    NoSuchCase,
}

/// The status of a case, and the device that sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCase {
    pub device_id: Option<uuid::Uuid>,
    pub status: CaseStatus,
}

#[async_trait]
pub trait AppointmentStorage: Send + Sync + 'static {
    async fn create_slot(&self, slot: NewSlot) -> Result<StoredSlot, StorageError>;

    async fn slot(&self, slot_id: SlotId) -> Result<Option<StoredSlot>, StorageError>;

    /// Every slot starting in `[from, to)` (unix seconds), earliest first, in any state.
    async fn slots(&self, from: i64, to: i64) -> Result<Vec<StoredSlot>, StorageError>;

    /// Open slots in the window that still have room, earliest first (what devices are shown).
    async fn open_slots(&self, window: BookingWindow) -> Result<Vec<StoredSlot>, StorageError>;

    /// Closes (no new bookings) or cancels a slot; cancelling takes the appointment away from
    /// every household in it, with `note`, audited as `by`. `false` if there is no such slot.
    /// The cases that lost their appointment are returned for cancelling.
    async fn set_slot_state(
        &self,
        slot_id: SlotId,
        state: SlotState,
        by: &str,
        note: &str,
    ) -> Result<Option<Vec<CaseId>>, StorageError>;

    /// The households booked into a slot, in the order they were booked.
    async fn bookings(&self, slot_id: SlotId) -> Result<Vec<Booking>, StorageError>;

    /// Moves the whole household to `to` (from wherever it is, or from none), or not at all;
    /// audited as `by` in the same transaction.
    async fn move_appointment(
        &self,
        case_id: CaseId,
        to: SlotId,
        by: &str,
        note: &str,
    ) -> Result<MoveOutcome, StorageError>;

    /// Takes the household's appointment away (staff will give another); audited as `by`.
    /// `false` if there is no such case or it had none.
    async fn cancel_appointment(
        &self,
        case_id: CaseId,
        by: &str,
        note: &str,
    ) -> Result<bool, StorageError>;

    async fn case_status(&self, case_id: CaseId) -> Result<Option<SentCase>, StorageError>;

    async fn status_by_receipt(
        &self,
        code: &ReceiptCode,
    ) -> Result<Option<CaseStatus>, StorageError>;
}

/// Why a slot's start could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a start time with its offset, like 2026-12-10T09:00-07:00")]
pub struct BadStart(pub String);

/// A start as staff type it (RFC 3339, seconds optional, the offset required: a time without
/// its place's zone would move with the server's clock) as stored: RFC 3339 with seconds and
/// the same offset, and the instant in unix seconds.
pub fn parse_starts_at(text: &str) -> Result<(String, i64), BadStart> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let text = text.trim();
    let parsed = time::OffsetDateTime::parse(text, &Rfc3339).or_else(|_| {
        time::OffsetDateTime::parse(
            text,
            format_description!(
                "[year]-[month]-[day]T[hour]:[minute][offset_hour sign:mandatory]:[offset_minute]"
            ),
        )
    });
    let at = parsed.map_err(|_| BadStart(text.to_owned()))?;
    let at = at
        .replace_nanosecond(0)
        .map_err(|_| BadStart(text.to_owned()))?;
    let shown = at
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
        ))
        .map_err(|_| BadStart(text.to_owned()))?;
    Ok((shown, at.unix_timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_keeps_its_offset_and_gains_seconds() {
        let (shown, unix) = parse_starts_at("2026-12-10T09:00-07:00").unwrap();
        assert_eq!(shown, "2026-12-10T09:00:00-07:00");
        assert_eq!(unix, 1_796_918_400);
        assert_eq!(
            parse_starts_at("2026-12-10T16:00:00Z").unwrap(),
            ("2026-12-10T16:00:00+00:00".into(), unix)
        );
    }

    #[test]
    fn a_start_without_an_offset_is_refused() {
        for bad in [
            "2026-12-10T09:00",
            "2026-12-10",
            "tomorrow",
            "2026-13-10T09:00-07:00",
        ] {
            assert!(parse_starts_at(bad).is_err(), "{bad}");
        }
    }
}
