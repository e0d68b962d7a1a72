//! [`AppointmentStorage`] on the embedded SQL databases, and the booking that
//! [`SqlStorage::put_case`](super::SqlStorage) does in its own transaction.
//!
//! Every change to `slots.booked` is a conditional update (`booked + people <= capacity`), so a
//! slot is never overbooked however many households race for it, on SQLite's single writer as on
//! any database with row locks; the table's CHECK says the same a second time.

use async_trait::async_trait;
use protocol::appointment::{Appointment, CaseStatus};
use protocol::{CaseId, ReceiptCode, SlotId};
use sqlx::{ColumnIndex, Decode, Encode, Executor, Row, Transaction, Type};

use super::{Backend, RowsAffected, SqlStorage, RECEIPT_COLUMNS};
use crate::storage::appointments::{
    AppointmentStorage, Booking, BookingWindow, MoveOutcome, NewSlot, SentCase, SlotState,
    StoredSlot,
};
use crate::storage::{now_rfc3339, StorageError};

const SLOT_COLUMNS: &str =
    "slot_id, place, starts_at, starts_unix, minutes, capacity, booked, state";

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(what.to_owned())
}

impl<DB: Backend> SqlStorage<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    pub(super) fn slot_from_row(row: &DB::Row) -> Result<StoredSlot, StorageError> {
        let id: String = row.try_get("slot_id")?;
        let state: String = row.try_get("state")?;
        let count = |name: &str| -> Result<u32, StorageError> {
            u32::try_from(row.try_get::<i64, _>(name)?).map_err(|_| corrupt(name))
        };
        Ok(StoredSlot {
            slot_id: id.parse().map_err(|_| corrupt("slot_id"))?,
            place: row.try_get("place")?,
            starts_at: row.try_get("starts_at")?,
            starts_unix: row.try_get("starts_unix")?,
            minutes: count("minutes")?,
            capacity: count("capacity")?,
            booked: count("booked")?,
            state: SlotState::parse(&state).ok_or_else(|| corrupt("slot state"))?,
        })
    }

    /// The appointment columns of `case_view` (`slot_id`, `slot_starts_at`, ...), if the case has one.
    pub(super) fn appointment_from_row(row: &DB::Row) -> Result<Option<Appointment>, StorageError> {
        let Some(slot_id) = row.try_get::<Option<String>, _>("slot_id")? else {
            return Ok(None);
        };
        let minutes: i64 = row.try_get("slot_minutes")?;
        Ok(Some(Appointment {
            slot_id: slot_id.parse().map_err(|_| corrupt("slot_id"))?,
            starts_at: row.try_get("slot_starts_at")?,
            minutes: u32::try_from(minutes).map_err(|_| corrupt("slot minutes"))?,
            place: row.try_get("slot_place")?,
        }))
    }

    /// Books one slot for all `people` of a just-inserted case: the first preference that is open,
    /// in the window and has room for everyone, else the earliest such slot, else none.
    pub(super) async fn book(
        tx: &mut Transaction<'_, DB>,
        case_id: CaseId,
        people: u32,
        preferences: &[SlotId],
        window: BookingWindow,
    ) -> Result<Option<SlotId>, StorageError> {
        let mut candidates: Vec<String> = preferences.iter().map(ToString::to_string).collect();
        let earliest: Vec<String> = sqlx::query_scalar(
            "SELECT slot_id FROM slots WHERE state = 'open' AND starts_unix > $1 AND starts_unix <= $2
               AND booked + $3 <= capacity ORDER BY starts_unix, slot_id",
        )
        .bind(window.now)
        .bind(window.until)
        .bind(i64::from(people))
        .fetch_all(&mut **tx)
        .await?;
        candidates.extend(earliest);
        for slot in candidates {
            if Self::take_room(tx, &slot, people, Some(window)).await? {
                sqlx::query("UPDATE cases SET slot_id = $1 WHERE case_id = $2")
                    .bind(&slot)
                    .bind(case_id.to_string())
                    .execute(&mut **tx)
                    .await?;
                return Ok(Some(slot.parse().map_err(|_| corrupt("slot_id"))?));
            }
        }
        Ok(None)
    }

    /// Takes room for `people` in an open slot (in the window, when one is given); `false` when it
    /// has none, is not open, or does not exist.
    pub(super) async fn take_room(
        tx: &mut Transaction<'_, DB>,
        slot: &str,
        people: u32,
        window: Option<BookingWindow>,
    ) -> Result<bool, StorageError> {
        let (from, until) = window.map_or((i64::MIN, i64::MAX), |w| (w.now, w.until));
        let done = sqlx::query(
            "UPDATE slots SET booked = booked + $1 WHERE slot_id = $2 AND state = 'open'
               AND booked + $1 <= capacity AND starts_unix > $3 AND starts_unix <= $4",
        )
        .bind(i64::from(people))
        .bind(slot)
        .bind(from)
        .bind(until)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows() == 1)
    }

    pub(super) async fn give_back_room(
        tx: &mut Transaction<'_, DB>,
        slot: &str,
        people: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE slots SET booked = CASE WHEN booked > $1 THEN booked - $1 ELSE 0 END WHERE slot_id = $2")
            .bind(people)
            .bind(slot)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub(super) async fn audit_in(
        tx: &mut Transaction<'_, DB>,
        by: &str,
        action: &str,
        case_id: Option<CaseId>,
        detail: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_log (at, username, action, case_id, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now_rfc3339())
        .bind(by)
        .bind(action)
        .bind(case_id.map(|c| c.to_string()))
        .bind(detail)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(super) fn status_from_row(row: &DB::Row) -> Result<CaseStatus, StorageError> {
        Ok(CaseStatus {
            receipt: Self::receipt_from_row(row)?,
            review_state: row.try_get("review_state")?,
            appointment_note: row.try_get("appointment_note")?,
            appointment_changed_at: row.try_get("appointment_changed_at")?,
        })
    }
}

const STATUS_COLUMNS: &str = "review_state, appointment_note, appointment_changed_at, device_id";

#[async_trait]
impl<DB: Backend> AppointmentStorage for SqlStorage<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn create_slot(&self, slot: NewSlot) -> Result<StoredSlot, StorageError> {
        let slot_id = SlotId::new_random();
        sqlx::query(
            "INSERT INTO slots (slot_id, place, starts_at, starts_unix, minutes, capacity, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(slot_id.to_string())
        .bind(&slot.place)
        .bind(&slot.starts_at)
        .bind(slot.starts_unix)
        .bind(i64::from(slot.minutes))
        .bind(i64::from(slot.capacity))
        .bind(now_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(StoredSlot {
            slot_id,
            place: slot.place,
            starts_at: slot.starts_at,
            starts_unix: slot.starts_unix,
            minutes: slot.minutes,
            capacity: slot.capacity,
            booked: 0,
            state: SlotState::Open,
        })
    }

    async fn slot(&self, slot_id: SlotId) -> Result<Option<StoredSlot>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SLOT_COLUMNS} FROM slots WHERE slot_id = $1"
        )))
        .bind(slot_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(Self::slot_from_row).transpose()
    }

    async fn slots(&self, from: i64, to: i64) -> Result<Vec<StoredSlot>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SLOT_COLUMNS} FROM slots WHERE starts_unix >= $1 AND starts_unix < $2
             ORDER BY starts_unix, place, slot_id"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Self::slot_from_row).collect()
    }

    async fn open_slots(&self, window: BookingWindow) -> Result<Vec<StoredSlot>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SLOT_COLUMNS} FROM slots WHERE state = 'open' AND starts_unix > $1
               AND starts_unix <= $2 AND booked < capacity
             ORDER BY starts_unix, place, slot_id"
        )))
        .bind(window.now)
        .bind(window.until)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Self::slot_from_row).collect()
    }

    async fn set_slot_state(
        &self,
        slot_id: SlotId,
        state: SlotState,
        by: &str,
        note: &str,
    ) -> Result<Option<Vec<CaseId>>, StorageError> {
        let mut tx = self.pool().begin().await?;
        let id = slot_id.to_string();
        let done = sqlx::query("UPDATE slots SET state = $1 WHERE slot_id = $2")
            .bind(state.as_str())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        if done.rows() == 0 {
            return Ok(None);
        }
        let mut lost = Vec::new();
        if state == SlotState::Cancelled {
            let cases: Vec<String> =
                sqlx::query_scalar("SELECT case_id FROM cases WHERE slot_id = $1 ORDER BY rowid")
                    .bind(&id)
                    .fetch_all(&mut *tx)
                    .await?;
            sqlx::query(
                "UPDATE cases SET slot_id = NULL, appointment_note = $1, appointment_changed_at = $2
                 WHERE slot_id = $3",
            )
            .bind(note)
            .bind(now_rfc3339())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE slots SET booked = 0 WHERE slot_id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            for case in cases {
                let case_id: CaseId = case.parse().map_err(|_| corrupt("case_id"))?;
                Self::audit_in(&mut tx, by, "cancel_appointment", Some(case_id), note).await?;
                lost.push(case_id);
            }
        }
        let action = match state {
            SlotState::Open => "open_slot",
            SlotState::Closed => "close_slot",
            SlotState::Cancelled => "cancel_slot",
        };
        Self::audit_in(&mut tx, by, action, None, &format!("slot {id}: {note}")).await?;
        tx.commit().await?;
        Ok(Some(lost))
    }

    async fn bookings(&self, slot_id: SlotId) -> Result<Vec<Booking>, StorageError> {
        let rows = sqlx::query(
            "SELECT case_id, receipt_code, people FROM cases WHERE slot_id = $1 ORDER BY rowid",
        )
        .bind(slot_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let case_id: String = row.try_get("case_id")?;
                let code: String = row.try_get("receipt_code")?;
                Ok(Booking {
                    case_id: case_id.parse().map_err(|_| corrupt("case_id"))?,
                    receipt_code: code.parse().map_err(|_| corrupt("receipt_code"))?,
                    people: u32::try_from(row.try_get::<i64, _>("people")?)
                        .map_err(|_| corrupt("people"))?,
                })
            })
            .collect()
    }

    async fn move_appointment(
        &self,
        case_id: CaseId,
        to: SlotId,
        by: &str,
        note: &str,
    ) -> Result<MoveOutcome, StorageError> {
        let mut tx = self.pool().begin().await?;
        let case: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT slot_id, people FROM cases WHERE case_id = $1")
                .bind(case_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some((from, people)) = case else {
            return Ok(MoveOutcome::NoSuchCase);
        };
        let to_id = to.to_string();
        if from.as_deref() == Some(to_id.as_str()) {
            return Ok(MoveOutcome::Moved);
        }
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM slots WHERE slot_id = $1")
                .bind(&to_id)
                .fetch_optional(&mut *tx)
                .await?;
        match state.as_deref() {
            None => return Ok(MoveOutcome::NoSuchSlot),
            Some("open") => {}
            Some(_) => return Ok(MoveOutcome::NotOpen),
        }
        // Staff may book a slot outside the window the devices see (a slot further ahead).
        let people_u32 = u32::try_from(people).map_err(|_| corrupt("people"))?;
        if !Self::take_room(&mut tx, &to_id, people_u32, None).await? {
            return Ok(MoveOutcome::NoRoom);
        }
        if let Some(from) = &from {
            Self::give_back_room(&mut tx, from, people).await?;
        }
        sqlx::query(
            "UPDATE cases SET slot_id = $1, appointment_note = $2, appointment_changed_at = $3
             WHERE case_id = $4",
        )
        .bind(&to_id)
        .bind(note)
        .bind(now_rfc3339())
        .bind(case_id.to_string())
        .execute(&mut *tx)
        .await?;
        let detail = match &from {
            Some(from) => format!("from slot {from} to slot {to_id}: {note}"),
            None => format!("to slot {to_id}: {note}"),
        };
        Self::audit_in(&mut tx, by, "move_appointment", Some(case_id), &detail).await?;
        tx.commit().await?;
        Ok(MoveOutcome::Moved)
    }

    async fn cancel_appointment(
        &self,
        case_id: CaseId,
        by: &str,
        note: &str,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool().begin().await?;
        let case: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT slot_id, people FROM cases WHERE case_id = $1")
                .bind(case_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some((Some(from), people)) = case else {
            return Ok(false);
        };
        Self::give_back_room(&mut tx, &from, people).await?;
        sqlx::query(
            "UPDATE cases SET slot_id = NULL, appointment_note = $1, appointment_changed_at = $2
             WHERE case_id = $3",
        )
        .bind(note)
        .bind(now_rfc3339())
        .bind(case_id.to_string())
        .execute(&mut *tx)
        .await?;
        Self::audit_in(
            &mut tx,
            by,
            "cancel_appointment",
            Some(case_id),
            &format!("slot {from}: {note}"),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn case_status(&self, case_id: CaseId) -> Result<Option<SentCase>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECEIPT_COLUMNS}, {STATUS_COLUMNS} FROM case_view WHERE case_id = $1"
        )))
        .bind(case_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let device: Option<String> = row.try_get("device_id")?;
        Ok(Some(SentCase {
            device_id: device.and_then(|d| d.parse().ok()),
            status: Self::status_from_row(&row)?,
        }))
    }

    async fn status_by_receipt(
        &self,
        code: &ReceiptCode,
    ) -> Result<Option<CaseStatus>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECEIPT_COLUMNS}, {STATUS_COLUMNS} FROM case_view WHERE receipt_code = $1"
        )))
        .bind(code.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(Self::status_from_row).transpose()
    }
}
