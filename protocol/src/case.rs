//! The household case as it travels from the device to the server and is stored there.
//!
//! Free-text and choice fields are plain strings on purpose: the device keeps half-filled drafts in
//! exactly this shape, and [`crate::validation`] says what is wrong with them in stable codes
//! rather than a deserializer failing on the first odd value.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::form::{FORM_ID, FORM_VERSION};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random (v4) ID; the device makes these before the first write.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// The idempotency key of a case, made on the device before its first save.
    CaseId
);
uuid_id!(
    /// A family member's stable identity within a case (photos point at it).
    MemberId
);
uuid_id!(
    /// An appointment slot the organisation published (made by the server).
    SlotId
);
uuid_id!(
    /// A document photo's identity, made on the device when it is taken; the tus upload and the
    /// case both name it.
    PhotoId
);

/// A document photo as the case refers to it; the bytes travel separately (tus upload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhotoRef {
    pub photo_id: PhotoId,
    /// Whose document it is: a member's ID, or absent for the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<MemberId>,
    /// A photo kind code from the form's list.
    #[cfg_attr(feature = "openapi", schema(example = "id_document"))]
    pub kind: String,
    /// Bytes of the processed photo as uploaded.
    pub size: u64,
    /// SHA-256 of those bytes, lowercase hex.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    )]
    pub sha256: String,
    #[cfg_attr(feature = "openapi", schema(example = "image/jpeg"))]
    pub content_type: String,
}

/// The person who fills in the form for their household.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    #[cfg_attr(feature = "openapi", schema(example = "María José Pérez"))]
    pub name: String,
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(example = "1991-04-17"))]
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-2, or `XX` for stateless/unknown.
    #[cfg_attr(feature = "openapi", schema(example = "HN"))]
    pub country_of_origin: String,
    /// Optional; digits with an optional leading `+`, spaces and dashes allowed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "+504 9999-1234"))]
    pub phone: String,
    /// Language codes from the form's list; at least one.
    #[cfg_attr(feature = "openapi", schema(example = json!(["es"])))]
    pub languages: Vec<String>,
    /// Need codes from the form's list; may be empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = json!(["medical"])))]
    pub needs: Vec<String>,
    /// Anything else the person wants the organisation to know.
    #[serde(default)]
    pub needs_note: String,
}

/// Someone travelling with the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub member_id: MemberId,
    #[cfg_attr(feature = "openapi", schema(example = "Luis Pérez"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "2016-09-02"))]
    pub date_of_birth: String,
    /// A relationship code from the form's list.
    #[cfg_attr(feature = "openapi", schema(example = "child"))]
    pub relationship: String,
}

impl Member {
    pub fn new_blank() -> Self {
        Member {
            member_id: MemberId::new_random(),
            name: String::new(),
            date_of_birth: String::new(),
            relationship: String::new(),
        }
    }
}

/// The body of `PUT /api/v1/cases/{case_id}`: one household, accepted whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseSubmission {
    #[cfg_attr(feature = "openapi", schema(example = "household-intake"))]
    pub form_id: String,
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub form_version: u32,
    pub applicant: Applicant,
    #[serde(default)]
    pub members: Vec<Member>,
    /// Document photos of the applicant and members; each must be uploaded before the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    /// Up to three appointment slots the household would like, in order; the server books one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appointment_preferences: Vec<SlotId>,
}

impl Default for CaseSubmission {
    fn default() -> Self {
        CaseSubmission {
            form_id: FORM_ID.to_owned(),
            form_version: FORM_VERSION,
            applicant: Applicant::default(),
            members: Vec::new(),
            photos: Vec::new(),
            appointment_preferences: Vec::new(),
        }
    }
}

impl CaseSubmission {
    /// The canonical bytes of this case: serde's field order is fixed, so the same answers
    /// always give the same bytes whatever order the JSON arrived in.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serializing plain strings, vectors and integers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// SHA-256 (hex) of [`Self::canonical_json`]: what tells a replay from a conflicting payload.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_json()))
    }

    /// How many people the case covers (the applicant plus members).
    pub fn people(&self) -> usize {
        1 + self.members.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_json_key_order_but_not_content() {
        let a: CaseSubmission = serde_json::from_str(
            r#"{"form_id":"household-intake","form_version":1,"members":[],
                "applicant":{"name":"A","date_of_birth":"1990-01-01","country_of_origin":"HN","languages":["es"]}}"#,
        )
        .unwrap();
        let b: CaseSubmission = serde_json::from_str(
            r#"{"applicant":{"languages":["es"],"country_of_origin":"HN","date_of_birth":"1990-01-01","name":"A","phone":""},
                "form_version":1,"form_id":"household-intake"}"#,
        )
        .unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let mut c = b.clone();
        c.applicant.name = "B".into();
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn unknown_fields_are_refused_rather_than_dropped() {
        let err = serde_json::from_str::<CaseSubmission>(
            r#"{"form_id":"household-intake","form_version":1,"applicant":{"name":"A","date_of_birth":"","country_of_origin":"","languages":[],"passport":"X"}}"#,
        );
        assert!(err.is_err());
    }
}
