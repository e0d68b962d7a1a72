//! Trying a form before publishing it (admins): the definition drawn as a plain HTML form, in any
//! of its languages, judged by the same interpreter that judges delivered cases
//! (`protocol::definition::answers`). Nothing is stored: each "Check" posts the answers so far,
//! and the page comes back with what relevance now shows, every problem beside its field, and,
//! once there are none, the canonical answers a device would send. Works without JavaScript (the
//! staff pages' CSP allows none), so repeats grow and shrink by buttons that post the form.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::Form;
use maud::{html, Markup};
use protocol::definition::{answers, ChoiceList, FormDefinition, Item, Kind, Submission};
use protocol::{FieldError, MemberId};
use serde_json::{Map, Value};

use super::html::{csrf_field, page};
use super::text::Text;
use super::{Staff, StaffError};
use crate::http::AppState;

/// Field names in the posted form: `a.` + the answer's path; a repeat's entry count is `n.` + its
/// path. Buttons: `add` = a repeat's path, `remove` = an entry's path.
const ANSWER: &str = "a.";
const COUNT: &str = "n.";

/// The posted fields, each name with its values in order.
struct Posted(HashMap<String, Vec<String>>);

impl Posted {
    fn new(pairs: &[(String, String)]) -> Posted {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k.clone()).or_default().push(v.clone());
        }
        Posted(map)
    }

    fn one(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A typed value as the app would keep it: numbers as numbers where they parse, what was typed
/// otherwise (so the interpreter names it), blanks absent.
fn answer_of(item: &Item, posted: &Posted, path: &str) -> Option<Value> {
    let name = format!("{ANSWER}{path}");
    if item.kind() == Some(Kind::SelectMultiple) {
        let codes: Vec<Value> = posted
            .all(&name)
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| Value::String(c.clone()))
            .collect();
        return (!codes.is_empty()).then_some(Value::Array(codes));
    }
    let raw = posted.one(&name)?;
    let typed = raw.trim();
    if typed.is_empty() {
        return None;
    }
    Some(match item.kind() {
        Some(Kind::Integer) => typed
            .parse::<i64>()
            .map_or_else(|_| Value::String(raw.to_owned()), Value::from),
        Some(Kind::Decimal) => typed
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(raw.to_owned()), Value::Number),
        Some(Kind::YesNo) => Value::Bool(typed == "true"),
        _ => Value::String(raw.to_owned()),
    })
}

/// The answers the posted form holds, with the repeat entry added or removed that a button asked
/// for.
fn answers_from(items: &[Item], posted: &Posted, prefix: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for item in items {
        let path = join(prefix, &item.name);
        match item.kind() {
            Some(Kind::Group) => {
                let inner = answers_from(&item.items, posted, &path);
                // A group may go on over a later page: its answers join those already read.
                if let Some(Value::Object(before)) = out.get_mut(&item.name) {
                    before.extend(inner);
                } else if !inner.is_empty() {
                    out.insert(item.name.clone(), Value::Object(inner));
                }
            }
            Some(Kind::Repeat) => {
                let mut count: usize = posted
                    .one(&format!("{COUNT}{path}"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0)
                    .min(1000);
                if posted.one("add") == Some(path.as_str()) {
                    count += 1;
                }
                let key = item.item_id_key();
                let mut entries = Vec::new();
                for i in 0..count {
                    let at = format!("{path}.{i}");
                    if posted.one("remove") == Some(at.as_str()) {
                        continue;
                    }
                    let mut entry = answers_from(&item.items, posted, &at);
                    let id = posted
                        .one(&format!("{ANSWER}{at}.{key}"))
                        .and_then(|id| id.parse::<MemberId>().ok())
                        .unwrap_or_else(MemberId::new_random);
                    entry.insert(key.to_owned(), Value::String(id.to_string()));
                    entries.push(Value::Object(entry));
                }
                if !entries.is_empty() {
                    out.insert(item.name.clone(), Value::Array(entries));
                }
            }
            Some(Kind::Documents) | None => {}
            Some(_) => {
                if let Some(v) = answer_of(item, posted, &path) {
                    out.insert(item.name.clone(), v);
                }
            }
        }
    }
    out
}

/// Everything drawing a page needs.
struct Drawing<'a> {
    def: &'a FormDefinition,
    lang: &'a str,
    text: &'a Text,
    answers: &'a Value,
    shown: &'a answers::Shown,
    problems: &'a [FieldError],
}

impl Drawing<'_> {
    fn value(&self, path: &str) -> Option<&Value> {
        path.split('.')
            .try_fold(self.answers, |v, seg| match seg.parse::<usize>() {
                Ok(i) => v.get(i),
                Err(_) => v.get(seg),
            })
    }

    fn typed(&self, path: &str) -> String {
        match self.value(path) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    fn problem(&self, path: &str) -> Markup {
        html! {
            @for p in self.problems.iter().filter(|p| p.field == path) {
                p.field-error data-problem=(p.code.as_str()) {
                    (self.text.t("try-problem")) ": " code dir="ltr" { (p.code.as_str()) }
                }
            }
        }
    }

    fn choices(&self, item: &Item) -> Vec<(String, String)> {
        let list = item.choices.as_ref().and_then(|l| self.def.choices.get(l));
        match list {
            Some(ChoiceList::Listed(choices)) => choices
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        self.def.text(&c.label, self.lang).to_owned(),
                    )
                })
                .collect(),
            Some(ChoiceList::Builtin { builtin }) => {
                let codes = if builtin == "countries" {
                    protocol::form::COUNTRIES
                } else {
                    protocol::form::LANGUAGES
                };
                codes
                    .iter()
                    .map(|c| ((*c).to_owned(), (*c).to_owned()))
                    .collect()
            }
            None => Vec::new(),
        }
    }

    fn items(&self, items: &[Item], prefix: &str) -> Markup {
        html! {
            @for item in items {
                @let path = join(prefix, &item.name);
                @if self.shown.items.contains(&path) {
                    (self.item(item, &path))
                }
            }
        }
    }

    fn item(&self, item: &Item, path: &str) -> Markup {
        let label = self.def.text(&item.label, self.lang);
        let hint = self.def.text(&item.hint, self.lang);
        let id = format!("try-{}", path.replace('.', "-"));
        let name = format!("{ANSWER}{path}");
        let required = item.required.then(|| self.text.t("required-field"));
        html! {
            @match item.kind() {
                Some(Kind::Group) => {
                    fieldset.group data-field=(path) {
                        legend { bdi { (label) } }
                        (self.items(&item.items, path))
                    }
                }
                Some(Kind::Repeat) => {
                    @let count = self.value(path).and_then(Value::as_array).map_or(0, Vec::len);
                    section.repeat data-field=(path) {
                        h3 { bdi { (label) } }
                        input type="hidden" name={ (COUNT) (path) } value=(count);
                        @for i in 0..count {
                            @let at = format!("{path}.{i}");
                            @let key = item.item_id_key();
                            fieldset.entry data-entry=(at) {
                                legend { bdi { (label) } " " (i + 1) }
                                input type="hidden" name={ (ANSWER) (at) "." (key) }
                                    value=(self.typed(&format!("{at}.{key}")));
                                (self.items(&item.items, &at))
                                button type="submit" name="remove" value=(at) { (self.text.t("try-remove-entry")) }
                            }
                        }
                        button type="submit" name="add" value=(path) { (self.text.t("try-add-entry")) " " bdi { (label) } }
                        (self.problem(path))
                    }
                }
                Some(Kind::Documents) => {
                    section.documents data-field=(path) {
                        h3 { bdi { (label) } }
                        p { (self.text.t("try-photos-in-app")) }
                    }
                }
                Some(kind @ (Kind::SelectOne | Kind::SelectMultiple | Kind::YesNo)) => {
                    @let multiple = kind == Kind::SelectMultiple;
                    @let options = if kind == Kind::YesNo {
                        vec![("true".to_owned(), self.text.t("try-yes")), ("false".to_owned(), self.text.t("try-no"))]
                    } else {
                        self.choices(item)
                    };
                    @let chosen: Vec<String> = match self.value(path) {
                        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                        Some(Value::Bool(b)) => vec![b.to_string()],
                        Some(Value::String(s)) => vec![s.clone()],
                        _ => Vec::new(),
                    };
                    fieldset.choices data-field=(path) {
                        legend { bdi { (label) } @if let Some(r) = &required { " (" (r) ")" } }
                        @if !hint.is_empty() { p.hint { (hint) } }
                        @if options.len() > 30 {
                            select name=(name) multiple[multiple] aria-label=(label) {
                                @if !multiple { option value="" {} }
                                @for (code, words) in &options {
                                    option value=(code) selected[chosen.contains(code)] { (words) }
                                }
                            }
                        } @else {
                            @for (code, words) in &options {
                                label.choice {
                                    input type=(if multiple { "checkbox" } else { "radio" }) name=(name)
                                        value=(code) checked[chosen.contains(code)];
                                    " " (words)
                                }
                            }
                        }
                        (self.problem(path))
                    }
                }
                kind => {
                    div.field data-field=(path) {
                        label for=(id) { bdi { (label) } @if let Some(r) = &required { " (" (r) ")" } }
                        @if !hint.is_empty() { p.hint { (hint) } }
                        @if kind == Some(Kind::LongText) {
                            textarea id=(id) name=(name) rows="3" { (self.typed(path)) }
                        } @else {
                            input id=(id) name=(name) value=(self.typed(path))
                                type=(match kind { Some(Kind::Date) => "date", Some(Kind::Phone) => "tel", _ => "text" });
                        }
                        (self.problem(path))
                    }
                }
            }
        }
    }
}

/// The form, empty.
pub async fn show(
    state: State<AppState>,
    staff: Staff,
    text: Text,
    path: Path<(String, String)>,
) -> Result<Markup, StaffError> {
    draw(state, staff, text, path, None).await
}

/// "Check", or a repeat's add/remove: the form with the answers posted and what the interpreter
/// makes of them.
pub async fn check(
    state: State<AppState>,
    staff: Staff,
    text: Text,
    path: Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Markup, StaffError> {
    draw(state, staff, text, path, Some(pairs)).await
}

async fn draw(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
    Path((form_id, version)): Path<(String, String)>,
    pairs: Option<Vec<(String, String)>>,
) -> Result<Markup, StaffError> {
    staff.require_admin()?;
    let version: u32 = version.parse().map_err(|_| StaffError::NotFound)?;
    let (def, _) = state
        .forms
        .any(&form_id, version)
        .await?
        .ok_or(StaffError::NotFound)?;
    let posted = Posted::new(pairs.as_deref().unwrap_or_default());
    if pairs.is_some() {
        staff.check_csrf(posted.one("csrf").unwrap_or(""))?;
    }
    let lang = posted
        .one("form_lang")
        .filter(|l| def.languages.iter().any(|x| x == l))
        .map(str::to_owned)
        .or_else(|| {
            let staff_lang = text.lang().code;
            def.languages.iter().find(|l| *l == staff_lang).cloned()
        })
        .or_else(|| def.languages.first().cloned())
        .unwrap_or_default();
    // Answers of pages relevance hides are dropped, as the device drops them.
    let all: Vec<Item> = def.pages.iter().flat_map(|p| p.items.clone()).collect();
    let submission = Submission {
        form_id: def.form_id.clone(),
        form_version: def.version,
        answers: answers_from(&all, &posted, ""),
        photos: Vec::new(),
        appointment_preferences: Vec::new(),
    };
    let shown = answers::shown(&def, &submission);
    let checked = posted.one("check").is_some();
    let problems = if checked {
        answers::validate(&def, &submission, super::super::cases::today())
    } else {
        Vec::new()
    };
    let answers_value = Value::Object(submission.answers.clone());
    let drawing = Drawing {
        def: &def,
        lang: &lang,
        text: &text,
        answers: &answers_value,
        shown: &shown,
        problems: &problems,
    };
    let rtl = matches!(lang.as_str(), "ar" | "fa" | "he" | "ur");
    let path = format!("/staff/forms/{form_id}/{version}/try");
    let would_send = (checked && problems.is_empty()).then(|| {
        serde_json::to_string_pretty(&answers::canonical(&def, &submission)).unwrap_or_default()
    });
    let body = html! {
        p { a href={ "/staff/forms/" (form_id) "/" (version) } { bdi { (def.text(&def.title, &lang)) } " · " (text.t("col-version")) " " (version) } }
        p { (text.t("try-note")) }
        form.try-form method="post" action=(path) {
            (csrf_field(&staff))
            label { (text.t("try-form-language")) " "
                select name="form_lang" {
                    @for l in &def.languages { option value=(l) selected[*l == lang] { (l) } }
                }
            }
            @if checked {
                @if problems.is_empty() {
                    section.card.notice data-testid="try-no-problems" role="status" {
                        p { (text.t("try-no-problems")) }
                        pre dir="ltr" { (would_send.unwrap_or_default()) }
                    }
                } @else {
                    section.card.problem data-testid="try-problems" role="alert" {
                        p { (text.t("try-problems")) }
                        ul { @for p in &problems { li { code dir="ltr" { (p.field) } ": " code dir="ltr" { (p.code.as_str()) } } } }
                    }
                }
            }
            div lang=(lang) dir=(if rtl { "rtl" } else { "ltr" }) {
                @for page in def.pages.iter().filter(|p| shown.pages.contains(&p.name)) {
                    section.card data-page=(page.name) {
                        h2 { bdi { (def.text(&page.label, &lang)) } }
                        (drawing.items(&page.items, ""))
                    }
                }
            }
            button type="submit" name="check" value="1" { (text.t("try-check")) }
        }
    };
    Ok(page(&text, &text.t("try-form"), Some(&staff), &path, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Posted::new(&pairs)
    }

    fn household_items() -> Vec<Item> {
        protocol::definition::household::definition()
            .pages
            .iter()
            .flat_map(|p| p.items.clone())
            .collect()
    }

    #[test]
    fn posted_fields_become_answers_as_the_app_keeps_them() {
        let id = MemberId::new_random().to_string();
        let p = posted(&[
            ("a.applicant.name", "Rosa"),
            ("a.applicant.phone", "  "),
            ("a.applicant.languages", "es"),
            ("a.applicant.languages", "ht"),
            ("n.members", "1"),
            ("a.members.0.member_id", &id),
            ("a.members.0.name", "Luis"),
        ]);
        let answers = Value::Object(answers_from(&household_items(), &p, ""));
        assert_eq!(answers["applicant"]["name"], "Rosa");
        assert!(
            answers["applicant"].get("phone").is_none(),
            "a blank is no answer"
        );
        assert_eq!(
            answers["applicant"]["languages"],
            serde_json::json!(["es", "ht"])
        );
        assert_eq!(answers["members"][0]["member_id"], id.as_str());
        assert_eq!(answers["members"][0]["name"], "Luis");
    }

    #[test]
    fn add_and_remove_buttons_change_the_entries() {
        let items = household_items();
        let added = answers_from(
            &items,
            &posted(&[("n.members", "1"), ("add", "members")]),
            "",
        );
        let entries = added["members"].as_array().map_or(0, Vec::len);
        assert_eq!(entries, 2);
        let removed = answers_from(
            &items,
            &posted(&[
                ("n.members", "2"),
                ("a.members.0.name", "Ana"),
                ("a.members.1.name", "Luz"),
                ("remove", "members.0"),
            ]),
            "",
        );
        assert_eq!(removed["members"].as_array().map_or(0, Vec::len), 1);
        assert_eq!(removed["members"][0]["name"], "Luz");
    }
}
