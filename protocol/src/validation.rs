//! The form's rules, shared by the inline messages on the device and the server's 422 answer.
//! Each problem is a field path (`applicant.name`, `members.2.relationship`) and a stable code
//! that the UI translates.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::case::{Applicant, CaseSubmission, Member};
use crate::date::Date;
use crate::form::{
    self, FORM_ID, FORM_VERSION, MAX_MEMBERS, MAX_NAME_CHARS, MAX_NOTE_CHARS, MIN_BIRTH_YEAR,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    Required,
    TooLong,
    InvalidDate,
    DateInFuture,
    DateTooOld,
    InvalidPhone,
    InvalidChoice,
    Duplicate,
    TooMany,
    UnsupportedForm,
    TooShort,
    TooFew,
    InvalidFormat,
    InvalidNumber,
    OutOfRange,
    DateTooLate,
    InvalidValue,
    UnknownField,
    Constraint,
}

impl FieldCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldCode::Required => "required",
            FieldCode::TooLong => "too_long",
            FieldCode::InvalidDate => "invalid_date",
            FieldCode::DateInFuture => "date_in_future",
            FieldCode::DateTooOld => "date_too_old",
            FieldCode::InvalidPhone => "invalid_phone",
            FieldCode::InvalidChoice => "invalid_choice",
            FieldCode::Duplicate => "duplicate",
            FieldCode::TooMany => "too_many",
            FieldCode::UnsupportedForm => "unsupported_form",
            FieldCode::TooShort => "too_short",
            FieldCode::TooFew => "too_few",
            FieldCode::InvalidFormat => "invalid_format",
            FieldCode::InvalidNumber => "invalid_number",
            FieldCode::OutOfRange => "out_of_range",
            FieldCode::DateTooLate => "date_too_late",
            FieldCode::InvalidValue => "invalid_value",
            FieldCode::UnknownField => "unknown_field",
            FieldCode::Constraint => "constraint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Dotted path of the field, e.g. `members.0.date_of_birth`.
    #[cfg_attr(feature = "openapi", schema(example = "applicant.name"))]
    pub field: String,
    pub code: FieldCode,
}

/// Every problem with `case`, in form order; empty means it may be sent.
pub fn validate(case: &CaseSubmission, today: Date) -> Vec<FieldError> {
    let mut errors = Errors::default();
    if case.form_id != FORM_ID || case.form_version != FORM_VERSION {
        errors.push("form_id", FieldCode::UnsupportedForm);
    }
    validate_applicant(&case.applicant, today, &mut errors);
    if case.members.len() > MAX_MEMBERS {
        errors.push("members", FieldCode::TooMany);
    }
    let mut seen = HashSet::new();
    for (i, member) in case.members.iter().enumerate() {
        if !seen.insert(member.member_id) {
            errors.push(format!("members.{i}.member_id"), FieldCode::Duplicate);
        }
        validate_member(i, member, today, &mut errors);
    }
    validate_photos(case, &mut errors);
    errors.0
}

fn validate_photos(case: &CaseSubmission, errors: &mut Errors) {
    let mut seen = HashSet::new();
    let mut per_person = std::collections::HashMap::new();
    for (i, photo) in case.photos.iter().enumerate() {
        if !seen.insert(photo.photo_id) {
            errors.push(format!("photos.{i}.photo_id"), FieldCode::Duplicate);
        }
        if let Some(member) = photo.member_id {
            if !case.members.iter().any(|m| m.member_id == member) {
                errors.push(format!("photos.{i}.member_id"), FieldCode::InvalidChoice);
            }
        }
        *per_person.entry(photo.member_id).or_insert(0usize) += 1;
        if !form::is_photo_kind(&photo.kind) {
            errors.push(format!("photos.{i}.kind"), FieldCode::InvalidChoice);
        }
        if !form::is_sha256_hex(&photo.sha256) {
            errors.push(format!("photos.{i}.sha256"), FieldCode::InvalidChoice);
        }
        if !form::is_photo_content_type(&photo.content_type) {
            errors.push(format!("photos.{i}.content_type"), FieldCode::InvalidChoice);
        }
        if photo.size == 0 {
            errors.push(format!("photos.{i}.size"), FieldCode::Required);
        }
    }
    if per_person
        .values()
        .any(|&n| n > form::MAX_PHOTOS_PER_PERSON)
    {
        errors.push("photos", FieldCode::TooMany);
    }
}

/// Only the problems of one field (what the form shows beside it).
pub fn errors_for<'a>(
    errors: &'a [FieldError],
    field: &'a str,
) -> impl Iterator<Item = FieldCode> + 'a {
    errors
        .iter()
        .filter(move |e| e.field == field)
        .map(|e| e.code)
}

fn validate_applicant(a: &Applicant, today: Date, errors: &mut Errors) {
    check_name("applicant.name", &a.name, errors);
    check_birth_date("applicant.date_of_birth", &a.date_of_birth, today, errors);
    if a.country_of_origin.is_empty() {
        errors.push("applicant.country_of_origin", FieldCode::Required);
    } else if !form::is_country(&a.country_of_origin) {
        errors.push("applicant.country_of_origin", FieldCode::InvalidChoice);
    }
    if !a.phone.trim().is_empty() && !is_phone(&a.phone) {
        errors.push("applicant.phone", FieldCode::InvalidPhone);
    }
    check_choices(
        "applicant.languages",
        &a.languages,
        form::is_language,
        true,
        errors,
    );
    check_choices("applicant.needs", &a.needs, form::is_need, false, errors);
    if a.needs_note.chars().count() > MAX_NOTE_CHARS {
        errors.push("applicant.needs_note", FieldCode::TooLong);
    }
}

fn validate_member(i: usize, m: &Member, today: Date, errors: &mut Errors) {
    check_name(&format!("members.{i}.name"), &m.name, errors);
    check_birth_date(
        &format!("members.{i}.date_of_birth"),
        &m.date_of_birth,
        today,
        errors,
    );
    let field = format!("members.{i}.relationship");
    if m.relationship.is_empty() {
        errors.push(field, FieldCode::Required);
    } else if !form::is_relationship(&m.relationship) {
        errors.push(field, FieldCode::InvalidChoice);
    }
}

fn check_name(field: &str, name: &str, errors: &mut Errors) {
    if name.trim().is_empty() {
        errors.push(field, FieldCode::Required);
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(field, FieldCode::TooLong);
    }
}

fn check_birth_date(field: &str, value: &str, today: Date, errors: &mut Errors) {
    if value.is_empty() {
        return errors.push(field, FieldCode::Required);
    }
    match value.parse::<Date>() {
        Err(_) => errors.push(field, FieldCode::InvalidDate),
        Ok(d) if d > today => errors.push(field, FieldCode::DateInFuture),
        Ok(d) if d.year < MIN_BIRTH_YEAR => errors.push(field, FieldCode::DateTooOld),
        Ok(_) => {}
    }
}

fn check_choices(
    field: &str,
    values: &[String],
    allowed: fn(&str) -> bool,
    required: bool,
    errors: &mut Errors,
) {
    if required && values.is_empty() {
        errors.push(field, FieldCode::Required);
    }
    if values.iter().any(|v| !allowed(v)) {
        errors.push(field, FieldCode::InvalidChoice);
    }
    let unique: HashSet<&String> = values.iter().collect();
    if unique.len() != values.len() {
        errors.push(field, FieldCode::Duplicate);
    }
}

/// 6–15 digits (E.164 allows 15), optionally a leading `+`, with spaces, dashes, dots and
/// parentheses as people write them.
pub(crate) fn is_phone(s: &str) -> bool {
    let s = s.trim();
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || " -.()".contains(c))
        && (6..=15).contains(&digits)
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, code: FieldCode) {
        self.0.push(FieldError {
            field: field.into(),
            code,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::MemberId;

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 29,
    };

    fn valid() -> CaseSubmission {
        CaseSubmission {
            applicant: Applicant {
                name: "María José Pérez".into(),
                date_of_birth: "1991-04-17".into(),
                country_of_origin: "HN".into(),
                phone: "+504 9999-1234".into(),
                languages: vec!["es".into(), "en".into()],
                needs: vec!["medical".into()],
                needs_note: String::new(),
            },
            members: vec![Member {
                member_id: MemberId::new_random(),
                name: "Luis".into(),
                date_of_birth: "2016-09-02".into(),
                relationship: "child".into(),
            }],
            ..CaseSubmission::default()
        }
    }

    fn codes(case: &CaseSubmission) -> Vec<(String, FieldCode)> {
        validate(case, TODAY)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_complete_household_is_valid() {
        assert_eq!(codes(&valid()), vec![]);
    }

    #[test]
    fn an_empty_draft_names_every_required_field() {
        let mut case = CaseSubmission::default();
        case.members.push(Member::new_blank());
        let found = codes(&case);
        for field in [
            "applicant.name",
            "applicant.date_of_birth",
            "applicant.country_of_origin",
            "applicant.languages",
            "members.0.name",
            "members.0.date_of_birth",
            "members.0.relationship",
        ] {
            assert!(
                found.contains(&(field.to_string(), FieldCode::Required)),
                "{field}: {found:?}"
            );
        }
        assert_eq!(
            found.len(),
            7,
            "phone, needs and note are optional: {found:?}"
        );
    }

    #[test]
    fn bad_values_get_their_own_codes() {
        let mut case = valid();
        case.applicant.name = "x".repeat(MAX_NAME_CHARS + 1);
        case.applicant.date_of_birth = "2027-01-01".into();
        case.applicant.country_of_origin = "ZZ".into();
        case.applicant.phone = "call me".into();
        case.applicant.languages = vec!["es".into(), "es".into()];
        case.applicant.needs = vec!["lunch".into()];
        case.members[0].date_of_birth = "1850-01-01".into();
        case.members[0].relationship = "boss".into();
        case.members.push(case.members[0].clone());
        case.members[1].date_of_birth = "2016-02-30".into();
        let found = codes(&case);
        let expect = [
            ("applicant.name", FieldCode::TooLong),
            ("applicant.date_of_birth", FieldCode::DateInFuture),
            ("applicant.country_of_origin", FieldCode::InvalidChoice),
            ("applicant.phone", FieldCode::InvalidPhone),
            ("applicant.languages", FieldCode::Duplicate),
            ("applicant.needs", FieldCode::InvalidChoice),
            ("members.0.date_of_birth", FieldCode::DateTooOld),
            ("members.0.relationship", FieldCode::InvalidChoice),
            ("members.1.member_id", FieldCode::Duplicate),
            ("members.1.date_of_birth", FieldCode::InvalidDate),
        ];
        for (field, code) in expect {
            assert!(
                found.contains(&(field.to_string(), code)),
                "{field} {code:?}: {found:?}"
            );
        }
    }

    #[test]
    fn phone_numbers_as_people_write_them() {
        for ok in ["+1 (555) 010-2030", "5512345678", "+52.55.1234.5678"] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "12345",
            "+1 555 010 2030 4444 55",
            "555-CALL-NOW",
            "++1234567",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn an_unknown_form_version_is_refused() {
        let mut case = valid();
        case.form_version = 99;
        assert_eq!(
            codes(&case),
            vec![("form_id".to_string(), FieldCode::UnsupportedForm)]
        );
    }

    #[test]
    fn photos_must_point_at_people_in_the_case() {
        use crate::case::{PhotoId, PhotoRef};
        let mut case = valid();
        let good = PhotoRef {
            photo_id: PhotoId::new_random(),
            member_id: Some(case.members[0].member_id),
            kind: "id_document".into(),
            size: 1000,
            sha256: "a".repeat(64),
            content_type: "image/jpeg".into(),
        };
        case.photos.push(good.clone());
        case.photos.push(PhotoRef {
            photo_id: PhotoId::new_random(),
            member_id: None,
            ..good.clone()
        });
        assert_eq!(codes(&case), vec![]);
        case.photos.push(PhotoRef {
            member_id: Some(MemberId::new_random()),
            kind: "selfie".into(),
            sha256: "XYZ".into(),
            content_type: "application/pdf".into(),
            size: 0,
            ..good.clone()
        });
        let found = codes(&case);
        for (field, code) in [
            ("photos.2.photo_id", FieldCode::Duplicate),
            ("photos.2.member_id", FieldCode::InvalidChoice),
            ("photos.2.kind", FieldCode::InvalidChoice),
            ("photos.2.sha256", FieldCode::InvalidChoice),
            ("photos.2.content_type", FieldCode::InvalidChoice),
            ("photos.2.size", FieldCode::Required),
        ] {
            assert!(
                found.contains(&(field.to_string(), code)),
                "{field}: {found:?}"
            );
        }
    }

    #[test]
    fn too_many_members() {
        let mut case = valid();
        case.members = (0..=MAX_MEMBERS)
            .map(|_| Member {
                member_id: MemberId::new_random(),
                ..case.members[0].clone()
            })
            .collect();
        assert!(codes(&case).contains(&("members".to_string(), FieldCode::TooMany)));
    }
}
