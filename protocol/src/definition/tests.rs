use proptest::prelude::*;
use serde_json::json;

use super::answers::{canonical, validate};
use super::check::{check, ProblemCode};
use super::household::{self, from_legacy};
use super::{FormDefinition, Submission};
use crate::case::{Applicant, CaseSubmission, Member, MemberId, PhotoId, PhotoRef};
use crate::date::Date;
use crate::validation::{self, FieldCode};

const TODAY: Date = Date {
    year: 2026,
    month: 12,
    day: 2,
};

fn codes(errors: Vec<crate::FieldError>) -> Vec<(String, FieldCode)> {
    let mut v: Vec<_> = errors.into_iter().map(|e| (e.field, e.code)).collect();
    v.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    v
}

#[test]
fn the_household_definition_is_valid_and_matches_the_form_constants() {
    let def = household::definition();
    assert_eq!(check(def), vec![]);
    assert_eq!(def.form_id, crate::form::FORM_ID);
    assert_eq!(def.version, crate::form::FORM_VERSION);
    let codes_of = |list: &str| match &def.choices[list] {
        super::ChoiceList::Listed(c) => c.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        super::ChoiceList::Builtin { .. } => vec![],
    };
    assert_eq!(codes_of("needs"), crate::form::NEEDS);
    assert_eq!(codes_of("relationships"), crate::form::RELATIONSHIPS);
    assert_eq!(codes_of("photo_kinds"), crate::form::PHOTO_KINDS);
    let country = def.item("applicant.country_of_origin").unwrap();
    assert_eq!(country.frequent, crate::form::FREQUENT_COUNTRIES);
}

fn valid_case() -> CaseSubmission {
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

#[test]
fn a_household_case_keeps_its_shape_and_paths() {
    let mut case = valid_case();
    assert_eq!(
        validate(household::definition(), &from_legacy(&case), TODAY),
        vec![]
    );
    case.members[0].relationship = "boss".into();
    case.applicant.name = " ".into();
    let errors = codes(validate(
        household::definition(),
        &from_legacy(&case),
        TODAY,
    ));
    assert_eq!(
        errors,
        vec![
            ("applicant.name".into(), FieldCode::Required),
            ("members.0.relationship".into(), FieldCode::InvalidChoice)
        ]
    );
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        Just("Ana".to_owned()),
        Just("x".repeat(121)),
        Just("n".repeat(2001)),
        "[a-zA-Z áé]{0,8}",
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("1991-04-17".to_owned()),
        Just("1899-12-31".to_owned()),
        Just("1900-01-01".to_owned()),
        Just("2026-12-02".to_owned()),
        Just("2026-12-03".to_owned()),
        Just("2023-02-29".to_owned()),
        Just("17/04/1991".to_owned()),
    ]
}

fn code(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(list).prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => Just("zz-unknown".to_owned()),
    ]
}

fn codes_list(list: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(code(list), 0..4)
}

prop_compose! {
    fn member()(name in text(), dob in date(), rel in code(crate::form::RELATIONSHIPS), same in 0u8..8) -> Member {
        // Now and then two members share an ID.
        let member_id = if same == 0 { MemberId(uuid::Uuid::nil()) } else { MemberId::new_random() };
        Member { member_id, name, date_of_birth: dob, relationship: rel }
    }
}

prop_compose! {
    fn household_case()(
        name in text(), dob in date(), country in code(crate::form::COUNTRIES),
        phone in prop_oneof![Just(String::new()), Just("+504 9999-1234".to_owned()), Just("call me".to_owned()), Just("123".to_owned())],
        languages in codes_list(crate::form::LANGUAGES), needs in codes_list(crate::form::NEEDS),
        note in text(),
        members in proptest::collection::vec(member(), 0..4),
        photo_owners in proptest::collection::vec(0usize..6, 0..4),
        kinds in proptest::collection::vec(code(crate::form::PHOTO_KINDS), 4),
    ) -> CaseSubmission {
        let photos = photo_owners.iter().zip(kinds).map(|(&owner, kind)| PhotoRef {
            photo_id: PhotoId::new_random(),
            member_id: match owner { 0 => None, 5 => Some(MemberId::new_random()), i => members.get(i - 1).map(|m| m.member_id) },
            kind,
            size: owner as u64,
            sha256: if owner == 4 { "nothex".into() } else { "a".repeat(64) },
            content_type: "image/jpeg".into(),
        }).collect();
        CaseSubmission {
            applicant: Applicant { name, date_of_birth: dob, country_of_origin: country, phone, languages, needs, needs_note: note },
            members,
            photos,
            ..CaseSubmission::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The default definition judges every household case exactly as the household validator
    /// that came before it.
    #[test]
    fn the_household_definition_judges_like_the_household_validator(case in household_case()) {
        let old = codes(validation::validate(&case, TODAY));
        let new = codes(validate(household::definition(), &from_legacy(&case), TODAY));
        prop_assert_eq!(old, new);
    }

    /// Canonical answers do not depend on how the JSON was written, and are their own canonical
    /// form.
    #[test]
    fn canonical_answers_are_stable(case in household_case()) {
        let def = household::definition();
        let sub = from_legacy(&case);
        let once = canonical(def, &sub);
        prop_assert_eq!(&canonical(def, &once), &once);
        // The same answers with keys in another order and blanks spelt differently.
        let text = serde_json::to_string(&sub).unwrap();
        let mut shuffled: serde_json::Value = serde_json::from_str(&text).unwrap();
        if let Some(applicant) = shuffled.pointer_mut("/answers/applicant").and_then(|a| a.as_object_mut()) {
            if applicant.get("phone").and_then(|p| p.as_str()) == Some("") {
                applicant.remove("phone");
            }
            if applicant.get("needs").and_then(|p| p.as_array()).is_some_and(|a| a.is_empty()) {
                applicant.insert("needs".into(), serde_json::Value::Null);
            }
        }
        let shuffled: Submission = serde_json::from_value(shuffled).unwrap();
        prop_assert_eq!(canonical(def, &shuffled).fingerprint(), once.fingerprint());
    }
}

/// A form of another organisation: relevance, a repeat with bounds, numbers, a pattern, yes/no.
fn children_form() -> FormDefinition {
    serde_json::from_value(json!({
        "form_id": "child-protection",
        "version": 1,
        "title": {"en": "Children", "es": "Niños"},
        "languages": ["en", "es"],
        "pages": [
            {"name": "carer", "label": {"en": "You", "es": "Usted"}, "items": [
                {"name": "carer_name", "type": "text", "label": {"en": "Name", "es": "Nombre"}, "required": true},
                {"name": "travelling_with_children", "type": "yes_no", "label": {"en": "Children?", "es": "¿Niños?"}, "required": true},
                {"name": "case_number", "type": "text", "label": {"en": "Case number", "es": "Número"}, "pattern": "[A-Z]{2}-[0-9]{4}"},
            ]},
            {"name": "children", "label": {"en": "Children", "es": "Niños"},
             "relevant": "${travelling_with_children} = 'yes'", "items": [
                {"name": "children", "type": "repeat", "label": {"en": "Child", "es": "Niño"}, "min_items": 1, "max_items": 3, "items": [
                    {"name": "child_name", "type": "text", "label": {"en": "Name", "es": "Nombre"}, "required": true},
                    {"name": "age", "type": "integer", "label": {"en": "Age", "es": "Edad"}, "required": true, "min": 0, "max": 17},
                    {"name": "in_school", "type": "yes_no", "label": {"en": "In school?", "es": "¿Escuela?"}, "relevant": "${age} >= 5"},
                    {"name": "school", "type": "text", "label": {"en": "School", "es": "Escuela"}, "relevant": "${in_school} = 'yes'", "required": true},
                ]},
                {"name": "weight", "type": "decimal", "label": {"en": "Weight", "es": "Peso"}, "constraint": ". > 0 and . < 200"},
            ]},
        ],
        "roles": {"name": "carer_name", "household": "children", "member_name": "child_name"}
    }))
    .unwrap()
}

fn submission(answers: serde_json::Value) -> Submission {
    Submission {
        form_id: "child-protection".into(),
        form_version: 1,
        answers: answers.as_object().cloned().unwrap_or_default(),
        photos: vec![],
        appointment_preferences: vec![],
    }
}

#[test]
fn relevance_repeats_and_constraints_are_interpreted() {
    let def = children_form();
    assert_eq!(check(&def), vec![]);
    let id = |n: u8| format!("00000000-0000-4000-8000-00000000000{n}");
    // Children hidden: their page is neither checked nor kept.
    let alone = submission(
        json!({"carer_name": "Rosa", "travelling_with_children": false,
        "children": [{"child_name": ""}]}),
    );
    assert_eq!(validate(&def, &alone, TODAY), vec![]);
    assert!(canonical(&def, &alone).answers.get("children").is_none());

    let with = submission(
        json!({"carer_name": "Rosa", "travelling_with_children": true,
        "case_number": "ab-12",
        "children": [
            {"item_id": id(1), "child_name": "Ana", "age": 4, "in_school": true, "school": ""},
            {"item_id": id(2), "child_name": "Luz", "age": 9, "in_school": true, "school": ""},
            {"item_id": id(2), "child_name": "", "age": 18.5},
            {"child_name": "Eva", "age": "7", "nickname": "E"},
        ],
        "weight": 0}),
    );
    assert_eq!(
        codes(validate(&def, &with, TODAY)),
        vec![
            ("case_number".into(), FieldCode::InvalidFormat),
            ("children".into(), FieldCode::TooMany),
            ("children.1.school".into(), FieldCode::Required),
            ("children.2.age".into(), FieldCode::InvalidNumber),
            ("children.2.child_name".into(), FieldCode::Required),
            ("children.2.item_id".into(), FieldCode::Duplicate),
            ("children.3.age".into(), FieldCode::InvalidNumber),
            ("children.3.item_id".into(), FieldCode::Required),
            ("children.3.nickname".into(), FieldCode::UnknownField),
            ("weight".into(), FieldCode::Constraint),
        ]
    );
    // Ana is four: "in school" was not asked, so her answer to it is not kept.
    let kept = canonical(&def, &with);
    assert_eq!(
        kept.answers["children"][0],
        json!({"item_id": id(1), "child_name": "Ana", "age": 4})
    );

    // What the app shows: the school question only for the child old enough.
    let on_screen = super::answers::shown(&def, &with);
    assert_eq!(on_screen.pages, ["carer", "children"]);
    assert!(on_screen.items.contains("children.1.in_school"));
    assert!(!on_screen.items.contains("children.0.in_school"));
    assert!(on_screen.items.contains("children.1.school"));
    assert_eq!(super::answers::shown(&def, &alone).pages, ["carer"]);

    let none = submission(json!({"carer_name": "Rosa", "travelling_with_children": true}));
    assert_eq!(
        codes(validate(&def, &none, TODAY)),
        vec![("children".into(), FieldCode::TooFew)]
    );
    let out_of_range = submission(
        json!({"carer_name": "Rosa", "travelling_with_children": true,
        "children": [{"item_id": id(1), "child_name": "Ana", "age": 30}]}),
    );
    assert_eq!(
        codes(validate(&def, &out_of_range, TODAY)),
        vec![("children.0.age".into(), FieldCode::OutOfRange)]
    );
}

#[test]
fn an_invalid_definition_lists_every_problem() {
    let def: FormDefinition = serde_json::from_value(json!({
        "form_id": "Bad Form",
        "version": 1,
        "title": {"en": "Bad"},
        "languages": ["en", "es"],
        "pages": [
            {"name": "one", "label": {"en": "One", "es": "Uno"}, "items": [
                {"name": "a", "type": "txt", "label": {"en": "A", "es": "A"}},
                {"name": "b", "type": "text", "label": {"en": "B", "es": "B"}, "relevant": "${c} = 'x'"},
                {"name": "c", "type": "text", "label": {"en": "C"}, "relevant": "${c} != ''"},
                {"name": "c", "type": "integer", "label": {"en": "C", "es": "C"}, "max_length": 3},
                {"name": "d", "type": "select_one", "label": {"en": "D", "es": "D"}, "choices": "nope", "relevant": "${ghost} = 1 and"},
                {"name": "g", "type": "group", "label": {"en": "G", "es": "G"}, "relevant": "${g.inner} = 1", "items": [
                    {"name": "inner", "type": "integer", "label": {"en": "I", "es": "I"}},
                    {"name": "when", "type": "date", "label": {"en": "W", "es": "W"}, "not_after": "tomorrow"}
                ]},
            ]},
        ],
        "choices": {"empty": []},
        "roles": {"name": "missing"}
    }))
    .unwrap();
    let problems = check(&def);
    let has = |at: &str, code: ProblemCode| problems.iter().any(|p| p.at == at && p.code == code);
    for (at, code) in [
        ("form", ProblemCode::InvalidName),
        ("form", ProblemCode::MissingTranslation),
        ("a", ProblemCode::UnknownType),
        ("b", ProblemCode::RefersToLater),
        ("c", ProblemCode::Cycle),
        ("c", ProblemCode::MissingTranslation),
        ("c", ProblemCode::Duplicate),
        ("c", ProblemCode::NotAllowed),
        ("d", ProblemCode::UnknownChoiceList),
        ("d", ProblemCode::InvalidExpression),
        ("g", ProblemCode::Cycle),
        ("g.when", ProblemCode::InvalidValue),
        ("choices.empty", ProblemCode::Missing),
        ("roles.name", ProblemCode::UnknownReference),
    ] {
        assert!(has(at, code), "{at} {code:?} not in {problems:#?}");
    }
    // Every problem says what is wrong in words.
    assert!(problems.iter().all(|p| !p.detail.is_empty()));
}

#[test]
fn references_resolve_nearest_first_and_refuse_ambiguity() {
    let def = household::definition();
    use super::check::{resolve, RefError};
    assert_eq!(
        resolve(def, "members.relationship", "name"),
        Ok("members.name".into())
    );
    assert_eq!(
        resolve(def, "applicant.phone", "name"),
        Ok("applicant.name".into())
    );
    assert_eq!(
        resolve(def, "documents", "needs"),
        Ok("applicant.needs".into())
    );
    assert_eq!(resolve(def, "documents", "name"), Err(RefError::Ambiguous));
    assert_eq!(resolve(def, "documents", "nobody"), Err(RefError::Unknown));
}

#[test]
fn the_definition_round_trips_through_json() {
    let def = household::definition();
    let text = serde_json::to_string(def).unwrap();
    let back: FormDefinition = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, def);
}
