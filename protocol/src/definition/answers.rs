//! The interpreter: what is wrong with a submission's answers under its definition, and the
//! answers in canonical form. One walk does both, in document order, so an answer hidden by an
//! earlier one (relevance) is neither checked nor kept, exactly as ODK clears it.
//!
//! Canonical answers: object keys sorted, unanswered fields (null, blank text, empty lists) and
//! answers the form did not show left out. Two submissions that mean the same give the same
//! bytes, so the exactly-once fingerprint does not depend on how a client wrote its JSON.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::check::{parse_bound, resolve_in};
use super::expr::{self, Env, Val};
use super::{FormDefinition, Item, Kind, Submission};
use crate::date::Date;
use crate::validation::{FieldCode, FieldError};

/// Text longer than this is refused unless the definition says otherwise.
pub const DEFAULT_MAX_TEXT: u32 = 1000;
pub const DEFAULT_MAX_LONG_TEXT: u32 = 10_000;
/// Photos per person unless the definition says otherwise.
pub const DEFAULT_MAX_PHOTOS_PER_PERSON: u32 = 12;

/// Every problem with `submission` under `def`, in form order; empty means it may be stored.
/// The caller has matched `def` to the submission's `form_id` and `form_version`.
pub fn validate(def: &FormDefinition, submission: &Submission, today: Date) -> Vec<FieldError> {
    let mut walk = Walk::new(def, today);
    walk.run(&submission.answers);
    unknown_keys(def, &submission.answers, &mut walk.errors);
    walk.photos(submission);
    walk.errors
}

/// What the form shows for these answers: the pages, and every item by its answer path
/// (`children.0.age`), as relevance decides. The app renders exactly these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub pages: Vec<String>,
    pub items: BTreeSet<String>,
}

pub fn shown(def: &FormDefinition, submission: &Submission) -> Shown {
    let mut walk = Walk::new(
        def,
        Date {
            year: 2000,
            month: 1,
            day: 1,
        },
    );
    walk.run(&submission.answers);
    walk.shown
}

/// `submission` with its answers in canonical form.
pub fn canonical(def: &FormDefinition, submission: &Submission) -> Submission {
    // Relevance never reads the clock (see `check`), so any date gives the same answers.
    let mut walk = Walk::new(
        def,
        Date {
            year: 2000,
            month: 1,
            day: 1,
        },
    );
    walk.run(&submission.answers);
    let answers = match walk.out {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Submission {
        form_id: submission.form_id.clone(),
        form_version: submission.form_version,
        answers,
        photos: submission.photos.clone(),
        appointment_preferences: submission.appointment_preferences.clone(),
    }
}

/// A step of an answer's position: a key or a repeat entry's index.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

struct Walk<'d> {
    def: &'d FormDefinition,
    today: Date,
    paths: Vec<String>,
    kinds: HashMap<String, Kind>,
    /// The canonical answers built so far; expressions read these, so a hidden answer is blank.
    out: Value,
    errors: Vec<FieldError>,
    patterns: HashMap<String, Option<regex_lite::Regex>>,
    shown: Shown,
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn to_val(v: &Value) -> Val {
    match v {
        Value::Null | Value::Object(_) => Val::Null,
        Value::String(s) => Val::Str(s.clone()),
        Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => Val::Bool(*b),
        Value::Array(a) => Val::List(a.iter().map(to_val).collect()),
    }
}

/// Sorts an object's keys at every level (in case serde_json keeps insertion order). Built by
/// inserting: collecting into a map would pull a stable sort into the app's wasm.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut ordered = BTreeMap::new();
            for (k, v) in map {
                ordered.insert(k, sorted(v));
            }
            let mut out = Map::new();
            for (k, v) in ordered {
                out.insert(k, v);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        v => v,
    }
}

/// Where the expression is evaluated: which entry of each repeat it sits in.
struct Scope<'w, 'd> {
    walk: &'w Walk<'d>,
    context: &'w str,
    entries: &'w [(String, usize)],
    dot: Val,
}

impl Env for Scope<'_, '_> {
    fn lookup(&self, reference: &str) -> Val {
        let Ok(target) = resolve_in(&self.walk.paths, self.context, reference) else {
            return Val::Null;
        };
        let mut values: Vec<&Value> = vec![&self.walk.out];
        let mut many = false;
        let mut prefix = String::new();
        for part in target.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            let mut next = Vec::new();
            for v in values {
                let Some(child) = v.get(part) else { continue };
                if self.walk.kinds.get(&prefix) == Some(&Kind::Repeat) && prefix != target {
                    let entries = child.as_array().map(Vec::as_slice).unwrap_or_default();
                    match self.entries.iter().find(|(p, _)| *p == prefix) {
                        Some((_, i)) => next.extend(entries.get(*i)),
                        None => {
                            many = true;
                            next.extend(entries.iter());
                        }
                    }
                } else {
                    next.push(child);
                }
            }
            values = next;
        }
        match (many, values.as_slice()) {
            (false, [one]) => to_val(one),
            (false, []) => Val::Null,
            _ => Val::List(values.into_iter().map(to_val).collect()),
        }
    }

    fn dot(&self) -> Val {
        self.dot.clone()
    }

    fn today(&self) -> String {
        self.walk.today.to_string()
    }
}

impl<'d> Walk<'d> {
    fn new(def: &'d FormDefinition, today: Date) -> Self {
        let mut paths = Vec::new();
        let mut kinds = HashMap::new();
        for (path, item) in def.walk() {
            if let Some(kind) = item.kind() {
                kinds.entry(path.clone()).or_insert(kind);
            }
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        Walk {
            def,
            today,
            paths,
            kinds,
            out: Value::Object(Map::new()),
            errors: Vec::new(),
            patterns: HashMap::new(),
            shown: Shown::default(),
        }
    }

    fn push(&mut self, field: String, code: FieldCode) {
        self.errors.push(FieldError { field, code });
    }

    fn holds(&self, src: &str, context: &str, entries: &[(String, usize)], dot: Val) -> bool {
        // A definition is checked before it is published; an expression that does not parse
        // counts as true so nothing is hidden or refused because of it.
        expr::parse(src).map_or(true, |e| {
            e.holds(&Scope {
                walk: self,
                context,
                entries,
                dot,
            })
        })
    }

    fn run(&mut self, answers: &Map<String, Value>) {
        let def = self.def;
        for page in &def.pages {
            if let Some(relevant) = &page.relevant {
                if !self.holds(relevant, "", &[], Val::Null) {
                    continue;
                }
            }
            self.shown.pages.push(page.name.clone());
            self.items(&page.items, Some(answers), &[], "", &[]);
        }
        self.out = sorted(std::mem::take(&mut self.out));
    }

    /// The canonical value at `at`, created as an empty object if missing.
    fn slot(&mut self, at: &[Step]) -> Option<&mut Map<String, Value>> {
        let mut v = &mut self.out;
        for step in at {
            v = match step {
                Step::Key(k) => v
                    .as_object_mut()?
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new())),
                Step::Index(i) => v.as_array_mut()?.get_mut(*i)?,
            };
        }
        v.as_object_mut()
    }

    fn items(
        &mut self,
        items: &'d [Item],
        src: Option<&Map<String, Value>>,
        at: &[Step],
        def_prefix: &str,
        entries: &[(String, usize)],
    ) {
        for item in items {
            let def_path = if def_prefix.is_empty() {
                item.name.clone()
            } else {
                format!("{def_prefix}.{}", item.name)
            };
            let answer_path = answer_path(at, &item.name);
            if let Some(relevant) = &item.relevant {
                if !self.holds(relevant, &def_path, entries, Val::Null) {
                    continue;
                }
            }
            self.shown.items.insert(answer_path.clone());
            let value = src.and_then(|s| s.get(&item.name));
            let Some(kind) = item.kind() else { continue };
            match kind {
                Kind::Documents => {}
                Kind::Group => {
                    let inner = match value {
                        None | Some(Value::Null) => None,
                        Some(Value::Object(o)) => Some(o),
                        Some(_) => {
                            self.push(answer_path, FieldCode::InvalidValue);
                            continue;
                        }
                    };
                    let mut here = at.to_vec();
                    here.push(Step::Key(item.name.clone()));
                    self.slot(&here);
                    self.items(&item.items, inner, &here, &def_path, entries);
                    self.prune(at, &item.name);
                }
                Kind::Repeat => self.repeat(item, value, at, &def_path, &answer_path, entries),
                _ => {
                    if let Some(v) = self.field(item, kind, value, &def_path, &answer_path, entries)
                    {
                        if let Some(slot) = self.slot(at) {
                            slot.insert(item.name.clone(), v);
                        }
                    }
                }
            }
        }
    }

    /// Leaves an empty group out of the canonical answers.
    fn prune(&mut self, at: &[Step], name: &str) {
        if let Some(slot) = self.slot(at) {
            if slot.get(name).is_some_and(is_blank) {
                slot.remove(name);
            }
        }
    }

    fn repeat(
        &mut self,
        item: &'d Item,
        value: Option<&Value>,
        at: &[Step],
        def_path: &str,
        answer_path: &str,
        entries: &[(String, usize)],
    ) {
        let list = match value {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => return self.push(answer_path.to_owned(), FieldCode::InvalidValue),
        };
        if item.max_items.is_some_and(|max| list.len() > max as usize) {
            self.push(answer_path.to_owned(), FieldCode::TooMany);
        }
        if item.min_items.is_some_and(|min| list.len() < min as usize) {
            self.push(answer_path.to_owned(), FieldCode::TooFew);
        }
        if list.is_empty() {
            return;
        }
        if let Some(slot) = self.slot(at) {
            slot.insert(item.name.clone(), Value::Array(Vec::new()));
        }
        let key = item.item_id_key();
        let mut seen = BTreeSet::new();
        for (i, entry) in list.iter().enumerate() {
            let entry_path = format!("{answer_path}.{i}");
            let Some(entry) = entry.as_object() else {
                self.push(entry_path, FieldCode::InvalidValue);
                continue;
            };
            let mut canonical_entry = Map::new();
            match entry.get(key) {
                Some(Value::String(id)) if uuid::Uuid::parse_str(id).is_ok() => {
                    if !seen.insert(id.to_ascii_lowercase()) {
                        self.push(format!("{entry_path}.{key}"), FieldCode::Duplicate);
                    }
                    canonical_entry.insert(key.to_owned(), Value::String(id.to_ascii_lowercase()));
                }
                None | Some(Value::Null) => {
                    self.push(format!("{entry_path}.{key}"), FieldCode::Required)
                }
                Some(_) => self.push(format!("{entry_path}.{key}"), FieldCode::InvalidValue),
            }
            let index = {
                let mut here = at.to_vec();
                here.push(Step::Key(item.name.clone()));
                let Some(Value::Array(list)) = self.slot(at).and_then(|s| s.get_mut(&item.name))
                else {
                    continue;
                };
                list.push(Value::Object(canonical_entry));
                here.push(Step::Index(list.len() - 1));
                here
            };
            let mut inner = entries.to_vec();
            inner.push((def_path.to_owned(), index_of(&index)));
            self.items(&item.items, Some(entry), &index, def_path, &inner);
        }
    }

    /// Checks one answer; its canonical value if it is kept.
    fn field(
        &mut self,
        item: &Item,
        kind: Kind,
        value: Option<&Value>,
        def_path: &str,
        path: &str,
        entries: &[(String, usize)],
    ) -> Option<Value> {
        let value = match value {
            Some(v) if !is_blank(v) => v,
            _ => {
                if item.required {
                    self.push(path.to_owned(), FieldCode::Required);
                }
                return None;
            }
        };
        let before = self.errors.len();
        let canonical = match kind {
            Kind::Text | Kind::LongText => {
                let Some(s) = value.as_str() else {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                };
                let default_max = if kind == Kind::Text {
                    DEFAULT_MAX_TEXT
                } else {
                    DEFAULT_MAX_LONG_TEXT
                };
                let chars = s.chars().count();
                if chars > item.max_length.unwrap_or(default_max) as usize {
                    self.push(path.to_owned(), FieldCode::TooLong);
                } else if item.min_length.is_some_and(|min| chars < min as usize) {
                    self.push(path.to_owned(), FieldCode::TooShort);
                } else if let Some(pattern) = &item.pattern {
                    let re = self.patterns.entry(pattern.clone()).or_insert_with(|| {
                        regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok()
                    });
                    if re.as_ref().is_some_and(|re| !re.is_match(s)) {
                        self.push(path.to_owned(), FieldCode::InvalidFormat);
                    }
                }
                value.clone()
            }
            Kind::Phone => {
                let Some(s) = value.as_str() else {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                };
                if !crate::validation::is_phone(s) {
                    self.push(path.to_owned(), FieldCode::InvalidPhone);
                }
                value.clone()
            }
            Kind::Date => {
                let Some(s) = value.as_str() else {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                };
                match s.parse::<Date>() {
                    Err(_) => self.push(path.to_owned(), FieldCode::InvalidDate),
                    Ok(d) => {
                        let bound = |b: &Option<String>| {
                            b.as_deref()
                                .and_then(parse_bound)
                                .map(|b| b.unwrap_or(self.today))
                        };
                        if bound(&item.not_after).is_some_and(|max| d > max) {
                            let code = if item.not_after.as_deref() == Some("today") {
                                FieldCode::DateInFuture
                            } else {
                                FieldCode::DateTooLate
                            };
                            self.push(path.to_owned(), code);
                        } else if bound(&item.not_before).is_some_and(|min| d < min) {
                            self.push(path.to_owned(), FieldCode::DateTooOld);
                        }
                    }
                }
                value.clone()
            }
            Kind::Integer | Kind::Decimal => {
                let n = match value {
                    Value::Number(n) if kind == Kind::Decimal || n.is_i64() || n.is_u64() => {
                        n.as_f64()
                    }
                    _ => None,
                };
                let Some(n) = n.filter(|n| n.is_finite()) else {
                    self.push(path.to_owned(), FieldCode::InvalidNumber);
                    return None;
                };
                if item.min.is_some_and(|min| n < min) || item.max.is_some_and(|max| n > max) {
                    self.push(path.to_owned(), FieldCode::OutOfRange);
                }
                value.clone()
            }
            Kind::SelectOne => {
                let Some(s) = value.as_str() else {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                };
                if !self.in_list(item, s) {
                    self.push(path.to_owned(), FieldCode::InvalidChoice);
                }
                value.clone()
            }
            Kind::SelectMultiple => {
                let Some(list) = value.as_array() else {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                };
                let codes: Option<Vec<&str>> = list.iter().map(Value::as_str).collect();
                let Some(codes) = codes else {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                };
                if codes.iter().any(|c| !self.in_list(item, c)) {
                    self.push(path.to_owned(), FieldCode::InvalidChoice);
                }
                let mut distinct = BTreeSet::new();
                if !codes.iter().all(|c| distinct.insert(*c)) {
                    self.push(path.to_owned(), FieldCode::Duplicate);
                }
                value.clone()
            }
            Kind::YesNo => {
                if !value.is_boolean() {
                    self.push(path.to_owned(), FieldCode::InvalidValue);
                    return None;
                }
                value.clone()
            }
            Kind::Documents | Kind::Group | Kind::Repeat => return None,
        };
        if self.errors.len() == before {
            if let Some(constraint) = &item.constraint {
                if !self.holds(constraint, def_path, entries, to_val(value)) {
                    self.push(path.to_owned(), FieldCode::Constraint);
                }
            }
        }
        Some(canonical)
    }

    fn in_list(&self, item: &Item, code: &str) -> bool {
        item.choices
            .as_ref()
            .and_then(|name| self.def.choices.get(name))
            .is_some_and(|list| list.contains(code))
    }

    /// The photos beside the answers, under the form's `documents` item.
    fn photos(&mut self, submission: &Submission) {
        if submission.photos.is_empty() {
            return;
        }
        let Some(documents) = self.def.documents() else {
            return self.push("photos".into(), FieldCode::UnknownField);
        };
        let mut people = BTreeSet::new();
        if let Some(repeat) = &documents.people {
            if let (Some(item), Some(Value::Array(entries))) =
                (self.def.item(repeat), self.out.get(repeat))
            {
                let key = item.item_id_key();
                for id in entries.iter().filter_map(|e| e.get(key)?.as_str()) {
                    people.insert(id.to_owned());
                }
            }
        }
        let max = documents
            .max_per_person
            .unwrap_or(DEFAULT_MAX_PHOTOS_PER_PERSON) as usize;
        let mut seen = BTreeSet::new();
        let mut per_person: BTreeMap<Option<String>, usize> = BTreeMap::new();
        for (i, photo) in submission.photos.iter().enumerate() {
            if !seen.insert(photo.photo_id) {
                self.push(format!("photos.{i}.photo_id"), FieldCode::Duplicate);
            }
            let owner = photo.member_id.map(|m| m.to_string());
            if let Some(owner) = &owner {
                if !people.contains(owner) {
                    self.push(format!("photos.{i}.member_id"), FieldCode::InvalidChoice);
                }
            }
            *per_person.entry(owner).or_default() += 1;
            if !self.in_list(documents, &photo.kind) {
                self.push(format!("photos.{i}.kind"), FieldCode::InvalidChoice);
            }
            if !crate::form::is_sha256_hex(&photo.sha256) {
                self.push(format!("photos.{i}.sha256"), FieldCode::InvalidChoice);
            }
            if !crate::form::is_photo_content_type(&photo.content_type) {
                self.push(format!("photos.{i}.content_type"), FieldCode::InvalidChoice);
            }
            if photo.size == 0 {
                self.push(format!("photos.{i}.size"), FieldCode::Required);
            }
        }
        if per_person.values().any(|&n| n > max) {
            self.push("photos".into(), FieldCode::TooMany);
        }
    }
}

fn index_of(at: &[Step]) -> usize {
    match at.last() {
        Some(Step::Index(i)) => *i,
        _ => 0,
    }
}

fn answer_path(at: &[Step], name: &str) -> String {
    let mut parts: Vec<String> = at
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => i.to_string(),
        })
        .collect();
    parts.push(name.to_owned());
    parts.join(".")
}

/// Keys the form does not define: refused, so a misspelt field name is never silently dropped.
fn unknown_keys(def: &FormDefinition, answers: &Map<String, Value>, errors: &mut Vec<FieldError>) {
    // The first place a path is defined wins (a group continued on a later page is one group).
    let mut defined: BTreeMap<String, &Item> = BTreeMap::new();
    for (path, item) in def.walk().into_iter().rev() {
        if item.kind() != Some(Kind::Documents) {
            defined.insert(path, item);
        }
    }
    fn visit(
        defined: &BTreeMap<String, &Item>,
        def_prefix: &str,
        answer_prefix: &str,
        object: &Map<String, Value>,
        id_key: Option<&str>,
        errors: &mut Vec<FieldError>,
    ) {
        for (key, value) in object {
            if Some(key.as_str()) == id_key {
                continue;
            }
            let def_path = join(def_prefix, key);
            let answer_path = join(answer_prefix, key);
            let Some(item) = defined.get(&def_path) else {
                errors.push(FieldError {
                    field: answer_path,
                    code: FieldCode::UnknownField,
                });
                continue;
            };
            match (item.kind(), value) {
                (Some(Kind::Group), Value::Object(inner)) => {
                    visit(defined, &def_path, &answer_path, inner, None, errors)
                }
                (Some(Kind::Repeat), Value::Array(list)) => {
                    for (i, entry) in list.iter().enumerate() {
                        if let Value::Object(inner) = entry {
                            let key = item.item_id_key();
                            visit(
                                defined,
                                &def_path,
                                &format!("{answer_path}.{i}"),
                                inner,
                                Some(key),
                                errors,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
    fn join(prefix: &str, key: &str) -> String {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    }
    visit(&defined, "", "", answers, None, errors);
}
