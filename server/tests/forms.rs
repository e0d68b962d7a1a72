//! Forms the organisation defines: publishing versions, the forms API, cases for any published
//! version, old drafts after a new version, XLSForm and YAML import, and the command line.

mod common;

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, household, new_id, SqlArg};
use protocol::definition::check::ProblemCode;
use protocol::definition::household as household_form;
use protocol::FormDefinition;
use serde_json::{json, Value};
use server::forms::{import, FormError, Saved};

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = format!(
        "{}/../tests/fixtures/forms/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    (name.to_owned(), std::fs::read(&path).unwrap())
}

fn read_fixture(name: &str) -> FormDefinition {
    let (name, bytes) = fixture(name);
    import::read(&name, &bytes).unwrap()
}

async fn get(app: &common::TestApp, uri: &str) -> common::Answer {
    app.send(Request::get(uri).body(Body::empty()).unwrap())
        .await
}

fn child_case(version: u32, children: Value) -> Value {
    json!({
        "form_id": "child-protection",
        "form_version": version,
        "answers": {"carer_name": "Rosa", "travelling_with_children": true, "children": children},
    })
}

fn field_codes(answer: &common::Answer) -> Vec<(String, String)> {
    answer.json["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_owned(),
                        f["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn devices_fetch_the_published_forms_and_their_definitions() {
    let app = app().await;
    let list = get(&app, "/api/v1/forms").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.json["forms"],
        json!([{"form_id": "household-intake", "version": 1, "title": household_form::definition().title}])
    );
    let def = get(&app, "/api/v1/forms/household-intake/1").await;
    assert_eq!(def.status, StatusCode::OK);
    let def: FormDefinition = serde_json::from_value(def.json).unwrap();
    assert_eq!(&def, household_form::definition());
    for missing in [
        "/api/v1/forms/household-intake/2",
        "/api/v1/forms/nope/1",
        "/api/v1/forms/household-intake/one",
    ] {
        let answer = get(&app, missing).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(answer.json["error"]["code"], "not_found");
    }
    let anonymous = app
        .send_anonymous(Request::get("/api/v1/forms").body(Body::empty()).unwrap())
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_draft_is_invisible_until_published_and_a_published_version_never_changes() {
    let app = app().await;
    let forms = &app.state.forms;
    let v1 = read_fixture("child-protection-v1.json");
    assert_eq!(forms.save_draft(&v1).await.unwrap(), Saved::Draft);
    assert_eq!(forms.save_draft(&v1).await.unwrap(), Saved::Replaced);
    assert_eq!(
        get(&app, "/api/v1/forms/child-protection/1").await.status,
        StatusCode::NOT_FOUND
    );
    let case = child_case(
        1,
        json!([{"child_id": new_id(), "child_name": "Ana", "age": 7}]),
    );
    let refused = app.put_case(&new_id(), &case).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&refused),
        [("form_id".to_owned(), "unsupported_form".to_owned())]
    );

    forms.publish("child-protection", 1).await.unwrap();
    assert_eq!(
        get(&app, "/api/v1/forms/child-protection/1").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.put_case(&new_id(), &case).await.status,
        StatusCode::CREATED
    );

    // The same content again is fine; other content under a published version is not.
    assert_eq!(
        forms.save_draft(&v1).await.unwrap(),
        Saved::AlreadyPublished
    );
    let mut changed = v1.clone();
    changed.title.insert("en".into(), "Something else".into());
    assert!(matches!(
        forms.save_draft(&changed).await,
        Err(FormError::Changed { .. })
    ));
    // The built-in household form is published too.
    let mut household_changed = household_form::definition().clone();
    household_changed
        .title
        .insert("en".into(), "Changed".into());
    assert!(matches!(
        forms.save_draft(&household_changed).await,
        Err(FormError::Changed { .. })
    ));
    // An invalid definition is refused with its problems.
    let mut broken = v1.clone();
    broken.version = 5;
    broken.pages[0].items[0].kind = "txet".into();
    match forms.save_draft(&broken).await {
        Err(FormError::Invalid(problems)) => {
            assert!(problems
                .iter()
                .any(|p| p.code == ProblemCode::UnknownType && p.at == "carer_name"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        forms.publish("child-protection", 9).await,
        Err(FormError::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_case_begun_on_v1_is_accepted_after_v2_is_published() {
    let app = app().await;
    let forms = &app.state.forms;
    forms
        .publish_definition(&read_fixture("child-protection-v1.json"))
        .await
        .unwrap();
    let v2 = read_fixture("child-protection-v2.yaml");
    assert_eq!(forms.publish_definition(&v2).await.unwrap(), Saved::Draft);
    // Versions only go up.
    let mut older = v2.clone();
    older.version = 1;
    older.title.insert("en".into(), "Other".into());
    assert!(matches!(
        forms.save_draft(&older).await,
        Err(FormError::Changed { .. })
    ));

    let listed = get(&app, "/api/v1/forms").await.json;
    let versions: Vec<(String, u64)> = listed["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["form_id"].as_str().unwrap().to_owned(),
                f["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("child-protection".into(), 1),
            ("child-protection".into(), 2),
            ("household-intake".into(), 1)
        ]
    );

    let old_draft = child_case(
        1,
        json!([{"child_id": new_id(), "child_name": "Ana", "age": 7}]),
    );
    let answer = app.put_case(&new_id(), &old_draft).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    // `staying` is a v2 question: in a v1 case it is unknown.
    let mut mixed = old_draft.clone();
    mixed["answers"]["staying"] = json!("shelter");
    let answer = app.put_case(&new_id(), &mixed).await;
    assert_eq!(
        field_codes(&answer),
        [("staying".to_owned(), "unknown_field".to_owned())]
    );
    let mut new = old_draft.clone();
    new["form_version"] = json!(2);
    new["answers"]["staying"] = json!("shelter");
    assert_eq!(
        app.put_case(&new_id(), &new).await.status,
        StatusCode::CREATED
    );
    // A household case still goes in unchanged.
    assert_eq!(
        app.put_case(&new_id(), &household()).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn bad_answers_are_named_by_their_path_and_hidden_ones_are_not_kept() {
    let app = app().await;
    app.state
        .forms
        .publish_definition(&read_fixture("child-protection-v1.json"))
        .await
        .unwrap();
    let id = new_id();
    let bad = child_case(
        1,
        json!([{"child_id": id, "child_name": " ", "age": 30}, {"age": "seven"}]),
    );
    let answer = app.put_case(&new_id(), &bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&answer),
        [
            ("children.0.child_name".to_owned(), "required".to_owned()),
            ("children.0.age".to_owned(), "out_of_range".to_owned()),
            ("children.1.child_id".to_owned(), "required".to_owned()),
            ("children.1.child_name".to_owned(), "required".to_owned()),
            ("children.1.age".to_owned(), "invalid_number".to_owned()),
        ]
    );

    // A four-year-old is not asked about school: that answer is not kept, and the same case
    // written differently is a replay, not a conflict.
    let case_id = new_id();
    let case = child_case(
        1,
        json!([{"child_id": id, "child_name": "Ana", "age": 4, "in_school": true}]),
    );
    let first = app.put_case(&case_id, &case).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json["people"], 2);
    let body: Value = serde_json::from_slice(
        &server::storage::Storage::case_body(&*app.storage, case_id.parse().unwrap())
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body["answers"]["children"][0],
        json!({"child_id": id, "child_name": "Ana", "age": 4})
    );
    let same = child_case(
        1,
        json!([{"age": 4, "child_name": "Ana", "child_id": id.to_uppercase()}]),
    );
    let again = app.put_case(&case_id, &same).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json["receipt_code"], first.json["receipt_code"]);
}

#[tokio::test]
async fn cases_stored_before_definitions_are_upgraded_and_their_replays_still_get_their_receipt() {
    let mut app = app().await;
    if app.on_postgres() {
        return; // Only SQLite installations are old enough to hold such cases.
    }
    let legacy = household();
    let case_id = new_id();
    let code = (1u64..)
        .find_map(protocol::ReceiptCode::from_random)
        .unwrap();
    // As the previous server stored it: the household case's own canonical JSON.
    let old: protocol::CaseSubmission = serde_json::from_value(legacy.clone()).unwrap();
    app.execute(
        "INSERT INTO cases (case_id, receipt_code, fingerprint, body, form_id, form_version, people, received_at)
         VALUES ($1, $2, $3, $4, 'household-intake', 1, 2, '2026-11-30T10:00:00Z')",
        &[
            SqlArg::Text(case_id.clone()),
            SqlArg::Text(code.to_string()),
            SqlArg::Text(old.fingerprint()),
            SqlArg::Text(String::from_utf8(old.canonical_json()).unwrap()),
        ],
    )
    .await;
    app.restart().await;
    let body: Value = serde_json::from_slice(
        &server::storage::Storage::case_body(&*app.storage, case_id.parse().unwrap())
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body["answers"]["applicant"]["name"],
        legacy["applicant"]["name"]
    );
    assert_eq!(
        body["answers"]["members"][0]["member_id"],
        legacy["members"][0]["member_id"]
    );
    let replay = app.put_case(&case_id, &legacy).await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.json);
    assert_eq!(replay.json["receipt_code"], code.to_string());
    // Upgrading twice changes nothing.
    app.restart().await;
    assert_eq!(app.put_case(&case_id, &legacy).await.status, StatusCode::OK);
    assert_eq!(app.count_cases().await, 1);
}

#[test]
fn yaml_and_json_read_the_same_and_bad_files_say_where() {
    let v1 = read_fixture("child-protection-v1.json");
    let v2 = read_fixture("child-protection-v2.yaml");
    assert_eq!(
        v1.pages[1].items[0].items.len(),
        v2.pages[1].items[0].items.len()
    );
    assert!(protocol::definition::check::check(&v2).is_empty());
    let err =
        import::read("form.json", b"{\"form_id\": \"x\",\n \"version\": \"one\"}").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = import::read("form.yaml", b"form_id: [unclosed").unwrap_err();
    assert!(matches!(err, import::ImportError::Yaml(_)), "{err}");
    let err = import::read("form.docx", b"").unwrap_err();
    assert!(err.to_string().contains(".xlsx"), "{err}");
}

/// An XLSForm as a person makes one in a spreadsheet program.
fn xlsform(survey: &[&[&str]], choices: &[&[&str]], settings: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [
        ("survey", survey),
        ("choices", choices),
        ("settings", settings),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const SURVEY_HEADER: &[&str] = &[
    "type",
    "name",
    "label::English (en)",
    "label::Español (es)",
    "required",
    "relevant",
    "constraint",
    "appearance",
];

#[test]
fn an_xlsform_of_the_supported_subset_imports() {
    let bytes = xlsform(
        &[
            SURVEY_HEADER,
            &[
                "begin group",
                "carer",
                "About you",
                "Sobre usted",
                "",
                "",
                "",
                "field-list",
            ],
            &[
                "text",
                "carer_name",
                "Your name",
                "Su nombre",
                "yes",
                "",
                "",
                "",
            ],
            &[
                "select_one yes_no",
                "with_children",
                "Children with you?",
                "¿Niños con usted?",
                "yes",
                "",
                "",
                "",
            ],
            &["text", "notes", "Notes", "Notas", "", "", "", "multiline"],
            &["end group", "", "", "", "", "", "", ""],
            &[
                "begin repeat",
                "children",
                "Child",
                "Niño",
                "",
                "${with_children} = 'yes'",
                "",
                "",
            ],
            &["text", "child_name", "Name", "Nombre", "true", "", "", ""],
            &[
                "integer",
                "age",
                "Age",
                "Edad",
                "yes",
                "",
                ". >= 0 and . < 18",
                "",
            ],
            &["end repeat", "", "", "", "", "", "", ""],
            &[
                "select_multiple countries",
                "crossed",
                "Countries crossed",
                "Países cruzados",
                "",
                "",
                "",
                "minimal",
            ],
        ],
        &[
            &[
                "list_name",
                "name",
                "label::English (en)",
                "label::Español (es)",
            ],
            &["yes_no", "yes", "Yes", "Sí"],
            &["yes_no", "no", "No", "No"],
        ],
        &[
            &[
                "form_id",
                "version",
                "form_title::English (en)",
                "form_title::Español (es)",
                "default_language",
                "role_name",
                "role_household",
                "role_member_name",
            ],
            &[
                "children-xls",
                "3",
                "Children",
                "Niños",
                "English (en)",
                "carer_name",
                "children",
                "child_name",
            ],
        ],
    );
    let def = import::read("children.xlsx", &bytes).unwrap();
    assert_eq!(protocol::definition::check::check(&def), vec![]);
    assert_eq!((def.form_id.as_str(), def.version), ("children-xls", 3));
    assert_eq!(def.languages, ["en", "es"]);
    assert_eq!(
        def.pages.len(),
        3,
        "the field-list group, the repeat's page and the last question's"
    );
    assert_eq!(def.pages[0].name, "carer");
    assert_eq!(def.pages[0].items[2].kind, "long_text");
    let children = &def.pages[1].items[0];
    assert_eq!(
        (children.kind.as_str(), children.items.len()),
        ("repeat", 2)
    );
    assert_eq!(
        children.relevant.as_deref(),
        Some("${with_children} = 'yes'")
    );
    assert_eq!(
        children.items[1].constraint.as_deref(),
        Some(". >= 0 and . < 18")
    );
    assert_eq!(
        def.item("crossed").unwrap().choices.as_deref(),
        Some("countries")
    );
    assert_eq!(
        def.text(&def.item("carer_name").unwrap().label, "es"),
        "Su nombre"
    );
}

#[test]
fn an_xlsform_beyond_the_subset_is_refused_naming_row_and_column() {
    let bytes = xlsform(
        &[
            &["type", "name", "label", "calculation", "colour"],
            &["text", "a", "A", "", ""],
            &["geopoint", "where", "Where", "", ""],
            &["calculate", "b", "B", "1 + 1", ""],
            &["text", "c", "C", "", "red"],
            &["end group", "", "", "", ""],
            &["begin repeat", "r", "R", "", ""],
        ],
        &[],
        &[&["form_id", "version"], &["x", "v1"]],
    );
    let problems = match import::read("bad.xlsx", &bytes) {
        Err(import::ImportError::XlsForm(p)) => p,
        other => panic!("{other:?}"),
    };
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for expected in [
        "sheet `survey`, row 4, column `calculation`: `calculation` is not supported by this app",
        "sheet `survey`, row 5, column `colour`: unknown column `colour`",
        "sheet `survey`, row 3, column `type`: type `geopoint` is not supported by this app",
        "sheet `survey`, row 4, column `type`: type `calculate` is not supported by this app",
        "sheet `survey`, row 6, column `type`: `end group` without its `begin`",
        "sheet `survey`, row 7, column `type`: this group is never closed with `end group` (or `end repeat`)",
        "sheet `settings`, row 2, column `version`: the version must be a whole number (1, 2, …), not `v1`",
        "sheet `settings`, row 2, column `role_name`: name the field that holds the person's name (`role_name`)",
    ] {
        assert!(found.iter().any(|f| f == expected), "{expected}\nnot in {found:#?}");
    }
}

fn server(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

#[test]
fn the_command_line_publishes_lists_and_refuses_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = format!("{}/../tests/fixtures/forms", env!("CARGO_MANIFEST_DIR"));
    let v1 = format!("{fixtures}/child-protection-v1.json");
    let out = server(&["forms", "publish", &v1], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "child-protection\tversion 1\tpublished\n"
    );
    let again = server(&["forms", "publish", &v1], dir.path());
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already published"));

    let bad = dir.path().join("bad.json");
    let mut def: Value = serde_json::from_slice(&std::fs::read(&v1).unwrap()).unwrap();
    def["version"] = json!(2);
    def["pages"][0]["items"][0]["type"] = json!("txet");
    def["pages"][0]["items"][1]["label"] = json!({"en": "Only English"});
    std::fs::write(&bad, def.to_string()).unwrap();
    let refused = server(&["forms", "publish", bad.to_str().unwrap()], dir.path());
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    // The role then names a field of no known type: a third problem.
    assert!(stderr.contains("3 problem(s)"), "{stderr}");
    assert!(
        stderr.contains("carer_name: unknown type `txet`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("travelling_with_children: the label has no text in `es`"),
        "{stderr}"
    );

    let list = server(&["forms", "list"], dir.path());
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("household-intake\tversion 1\tpublished (built in)"),
        "{list}"
    );
    assert!(
        list.contains("child-protection\tversion 1\tpublished\tChildren travelling with you"),
        "{list}"
    );
    assert!(!list.contains("version 2"), "{list}");

    let schema = server(&["forms", "schema"], dir.path());
    let schema: Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$defs"]["Item"].is_object());
    assert!(!schema.to_string().contains("#/components/"));
}

#[test]
fn the_command_line_publishes_an_xlsform_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = xlsform(
        &[
            SURVEY_HEADER,
            &[
                "text",
                "carer_name",
                "Your name",
                "Su nombre",
                "yes",
                "",
                "",
                "",
            ],
            &["begin repeat", "children", "Child", "Niño", "", "", "", ""],
            &["text", "child_name", "Name", "Nombre", "yes", "", "", ""],
            &["end repeat", "", "", "", "", "", "", ""],
        ],
        &[],
        &[
            &[
                "form_id",
                "version",
                "form_title::English (en)",
                "form_title::Español (es)",
                "role_name",
                "role_household",
                "role_member_name",
            ],
            &[
                "children-sheet",
                "1",
                "Children",
                "Niños",
                "carer_name",
                "children",
                "child_name",
            ],
        ],
    );
    let file = dir.path().join("children.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let data = dir.path().join("data");
    let out = server(&["forms", "publish", file.to_str().unwrap()], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "children-sheet\tversion 1\tpublished\n"
    );
    let list = server(&["forms", "list"], &data);
    assert!(String::from_utf8_lossy(&list.stdout)
        .contains("children-sheet\tversion 1\tpublished\tChildren"));
    // A spreadsheet beyond the subset fails the command with its sheet, row and column.
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(
        &bad,
        xlsform(
            &[&["type", "name", "label"], &["geopoint", "where", "Where"]],
            &[],
            &[&["form_id", "version", "role_name"], &["x", "1", "where"]],
        ),
    )
    .unwrap();
    let refused = server(&["forms", "publish", bad.to_str().unwrap()], &data);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(
            "sheet `survey`, row 2, column `type`: type `geopoint` is not supported by this app"
        ),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
