//! The household form as a definition: the default every server ships and publishes, and the
//! bridge from the typed household case that devices saved before forms were definitions.

use std::sync::OnceLock;

use super::{FormDefinition, Submission};
use crate::case::CaseSubmission;

/// The definition's source, as an organisation would write it.
pub const SOURCE: &str = include_str!("../../forms/household-intake.json");

/// The household form, version [`crate::form::FORM_VERSION`].
pub fn definition() -> &'static FormDefinition {
    static DEFINITION: OnceLock<FormDefinition> = OnceLock::new();
    DEFINITION.get_or_init(|| {
        // Shipped with the code and checked by this module's tests.
        serde_json::from_str(SOURCE).expect("the household definition parses (tested)")
    })
}

/// A household case in the shape devices saved before definitions (`applicant`, `members`)
/// as a submission: the answers are the same objects under the same names.
pub fn from_legacy(case: &CaseSubmission) -> Submission {
    let mut answers = serde_json::Map::new();
    // Plain strings and lists always serialize.
    if let Ok(applicant) = serde_json::to_value(&case.applicant) {
        answers.insert("applicant".into(), applicant);
    }
    if let Ok(members) = serde_json::to_value(&case.members) {
        answers.insert("members".into(), members);
    }
    Submission {
        form_id: case.form_id.clone(),
        form_version: case.form_version,
        answers,
        photos: case.photos.clone(),
        appointment_preferences: case.appointment_preferences.clone(),
    }
}
