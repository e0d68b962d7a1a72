//! Appointments: the slots the organisation publishes, the one booking a household gets (for
//! every person in it, never split) and what a device asks about a case it sent.
//!
//! Times travel as RFC 3339 with the slot's own offset (`2026-12-10T09:00:00-07:00`), so a date
//! and time mean the same on the device as at the place, whatever the phone's clock zone.

use serde::{Deserialize, Serialize};

use crate::api::CaseReceipt;
use crate::{FieldCode, FieldError, SlotId};

/// How many slots a household may name, in order of preference.
pub const MAX_PREFERENCES: usize = 3;

/// An open slot as `GET /api/v1/slots` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub slot_id: SlotId,
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-10T09:00:00-07:00"))]
    pub starts_at: String,
    #[cfg_attr(feature = "openapi", schema(example = 30))]
    pub minutes: u32,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Casa del Migrante, Calle 5 #120")
    )]
    pub place: String,
    /// How many more people it can take now.
    pub people_free: u32,
}

/// `GET /api/v1/slots`: the open slots within the booking window, earliest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotList {
    /// When the server answered (RFC 3339, UTC): how old a cached list is.
    pub as_of: String,
    /// How many days ahead booking opens.
    pub window_days: u32,
    pub slots: Vec<Slot>,
}

/// The household's appointment: one slot for everyone in the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appointment {
    pub slot_id: SlotId,
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-10T09:00:00-07:00"))]
    pub starts_at: String,
    pub minutes: u32,
    pub place: String,
}

/// `GET /api/v1/cases/{case_id}/status`: what a device that sent a case may know of it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseStatus {
    /// The receipt, with the appointment as it stands now (`null`: staff will give one).
    pub receipt: CaseReceipt,
    /// `new` or `reviewed`.
    pub review_state: String,
    /// What staff said when they last moved or cancelled the appointment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_note: Option<String>,
    /// When staff last changed the appointment (RFC 3339, UTC); `null` if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_changed_at: Option<String>,
}

/// What is wrong with a household's preferences: at most [`MAX_PREFERENCES`], none twice.
pub fn check_preferences(preferences: &[SlotId]) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if preferences.len() > MAX_PREFERENCES {
        problems.push(FieldError {
            field: "appointment_preferences".into(),
            code: FieldCode::TooMany,
        });
    }
    for (i, slot) in preferences.iter().enumerate() {
        if preferences[..i].contains(slot) {
            problems.push(FieldError {
                field: format!("appointment_preferences.{i}"),
                code: FieldCode::Duplicate,
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(n: u128) -> SlotId {
        SlotId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn up_to_three_different_slots_are_fine() {
        assert!(check_preferences(&[]).is_empty());
        assert!(check_preferences(&[slot(1), slot(2), slot(3)]).is_empty());
    }

    #[test]
    fn too_many_or_repeated_preferences_are_named() {
        let codes = |p: &[SlotId]| {
            check_preferences(p)
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(&[slot(1), slot(2), slot(3), slot(4)]),
            vec![("appointment_preferences".into(), FieldCode::TooMany)]
        );
        assert_eq!(
            codes(&[slot(1), slot(1)]),
            vec![("appointment_preferences.1".into(), FieldCode::Duplicate)]
        );
    }

    #[test]
    fn a_case_without_preferences_keeps_its_fingerprint() {
        // Cases sent before appointments existed replay to the same receipt.
        let case = crate::CaseSubmission::default();
        let json = String::from_utf8(case.canonical_json()).unwrap();
        assert!(!json.contains("appointment_preferences"), "{json}");
    }
}
