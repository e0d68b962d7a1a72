//! Everything that keeps a definition from being published, listed all at once: a person who
//! wrote a spreadsheet fixes every problem in one go, not one per upload.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::expr;
use super::{ChoiceList, FormDefinition, Item, Kind, Text, BUILTIN_LISTS};
use crate::date::Date;

/// One problem with a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Where: an item's path (`members.relationship`), `page family`, `choices.relationship`,
    /// `roles.name`, or `form`.
    pub at: String,
    pub code: ProblemCode,
    /// What is wrong, in English, for the person who wrote the definition.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    InvalidName,
    UnknownType,
    Duplicate,
    UnknownReference,
    AmbiguousReference,
    RefersToLater,
    Cycle,
    InvalidExpression,
    MissingTranslation,
    UnknownLanguage,
    UnknownChoiceList,
    NotAllowed,
    Missing,
    InvalidValue,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.detail)
    }
}

/// Names of fields, groups, pages and choice lists.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= 64
}

fn is_form_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && s.len() <= 64
}

fn is_choice_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

fn is_language_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 35
        && s.split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A date bound: `today` or a calendar date.
pub fn parse_bound(s: &str) -> Option<Option<Date>> {
    if s == "today" {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

/// Why a reference cannot be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefError {
    Unknown,
    Ambiguous,
}

/// The definition path a reference written in the item at `context` (a definition path) means:
/// a dotted reference is a whole path; a bare name is looked for in the item's own group, then
/// each group around it, then anywhere in the form, where it must then be unique.
pub fn resolve(def: &FormDefinition, context: &str, reference: &str) -> Result<String, RefError> {
    let paths: Vec<String> = def.walk().into_iter().map(|(p, _)| p).collect();
    resolve_in(&paths, context, reference)
}

pub(crate) fn resolve_in(
    paths: &[String],
    context: &str,
    reference: &str,
) -> Result<String, RefError> {
    let known = |p: &str| paths.iter().any(|x| x == p);
    if reference.contains('.') {
        return if known(reference) {
            Ok(reference.to_owned())
        } else {
            Err(RefError::Unknown)
        };
    }
    let mut container = context;
    loop {
        container = match container.rfind('.') {
            Some(i) => &container[..i],
            None if container.is_empty() => break,
            None => "",
        };
        let candidate = if container.is_empty() {
            reference.to_owned()
        } else {
            format!("{container}.{reference}")
        };
        if known(&candidate) {
            return Ok(candidate);
        }
        if container.is_empty() {
            break;
        }
    }
    let mut matches: BTreeSet<&String> = paths
        .iter()
        .filter(|p| p.rsplit('.').next() == Some(reference))
        .collect();
    match matches.len() {
        0 => Err(RefError::Unknown),
        1 => Ok(matches.pop_first().cloned().unwrap_or_default()),
        _ => Err(RefError::Ambiguous),
    }
}

struct Checker<'a> {
    def: &'a FormDefinition,
    problems: Vec<Problem>,
    /// Every path in document order (first appearance).
    order: Vec<String>,
}

impl Checker<'_> {
    fn push(&mut self, at: impl Into<String>, code: ProblemCode, detail: impl Into<String>) {
        self.problems.push(Problem {
            at: at.into(),
            code,
            detail: detail.into(),
        });
    }

    fn text(&mut self, at: &str, what: &str, text: &Text, required: bool) {
        if text.is_empty() && !required {
            return;
        }
        for lang in &self.def.languages {
            if text.get(lang).is_none_or(|t| t.trim().is_empty()) {
                self.push(
                    at,
                    ProblemCode::MissingTranslation,
                    format!("the {what} has no text in `{lang}`"),
                );
            }
        }
        for lang in text.keys() {
            if !self.def.languages.contains(lang) {
                self.push(
                    at,
                    ProblemCode::UnknownLanguage,
                    format!(
                        "the {what} is given in `{lang}`, which is not one of the form's languages"
                    ),
                );
            }
        }
    }

    fn index(&self, path: &str) -> usize {
        self.order
            .iter()
            .position(|p| p == path)
            .unwrap_or(usize::MAX)
    }

    /// `relevant` may look only at answers given before the item (and never inside it).
    fn relevance(&mut self, at: &str, context: &str, src: &str, own_index: Option<usize>) {
        let parsed = match expr::parse(src) {
            Ok(e) => e,
            Err(e) => {
                return self.push(
                    at,
                    ProblemCode::InvalidExpression,
                    format!("`relevant`: {e}"),
                );
            }
        };
        if parsed.uses_dot() {
            self.push(
                at,
                ProblemCode::InvalidExpression,
                "`relevant` cannot use `.`; name the field with `${…}`",
            );
        }
        if parsed.uses_today() {
            // What a case holds must not change with the day it is looked at.
            self.push(
                at,
                ProblemCode::InvalidExpression,
                "`relevant` cannot use `today()`; put date rules in `constraint`",
            );
        }
        for reference in parsed.refs() {
            match resolve_in(&self.order, context, reference) {
                Err(e) => self.reference_error(at, reference, e),
                Ok(target) => {
                    let Some(own) = own_index else { continue };
                    let inside = target == context || target.starts_with(&format!("{context}."));
                    if inside {
                        self.push(
                            at,
                            ProblemCode::Cycle,
                            format!("`relevant` refers to `${{{reference}}}`, which is this item or inside it"),
                        );
                    } else if self.index(&target) >= own {
                        self.push(
                            at,
                            ProblemCode::RefersToLater,
                            format!("`relevant` refers to `${{{reference}}}`, which comes later in the form"),
                        );
                    }
                }
            }
        }
    }

    fn reference_error(&mut self, at: &str, reference: &str, e: RefError) {
        match e {
            RefError::Unknown => self.push(
                at,
                ProblemCode::UnknownReference,
                format!("`${{{reference}}}` is not a field of this form"),
            ),
            RefError::Ambiguous => self.push(
                at,
                ProblemCode::AmbiguousReference,
                format!("`${{{reference}}}` names fields in several groups; write its whole path (`group.{reference}`)"),
            ),
        }
    }

    fn items(&mut self, prefix: &str, items: &[Item], in_repeat: bool) {
        for item in items {
            let path = if prefix.is_empty() {
                item.name.clone()
            } else {
                format!("{prefix}.{}", item.name)
            };
            self.item(&path, prefix, item, in_repeat);
        }
    }

    fn item(&mut self, path: &str, prefix: &str, item: &Item, in_repeat: bool) {
        if !is_name(&item.name) {
            self.push(
                path,
                ProblemCode::InvalidName,
                format!("`{}` is not a valid name: lowercase letters, digits and `_`, starting with a letter", item.name),
            );
        }
        self.text(path, "label", &item.label, true);
        self.text(path, "hint", &item.hint, false);
        self.text(path, "constraint message", &item.constraint_message, false);
        let Some(kind) = item.kind() else {
            let known: Vec<&str> = Kind::ALL.iter().map(|(n, _)| *n).collect();
            return self.push(
                path,
                ProblemCode::UnknownType,
                format!(
                    "unknown type `{}`; the types are {}",
                    item.kind,
                    known.join(", ")
                ),
            );
        };
        let own = self.index(path);
        if let Some(relevant) = &item.relevant {
            self.relevance(path, path, relevant, Some(own));
        }
        let not_allowed = |this: &mut Self, set: bool, attribute: &str| {
            if set {
                this.push(
                    path,
                    ProblemCode::NotAllowed,
                    format!("`{attribute}` does not apply to a `{}`", kind.name()),
                );
            }
        };
        let text = matches!(kind, Kind::Text | Kind::LongText);
        let number = matches!(kind, Kind::Integer | Kind::Decimal);
        let container = matches!(kind, Kind::Group | Kind::Repeat);
        not_allowed(self, !text && item.min_length.is_some(), "min_length");
        not_allowed(self, !text && item.max_length.is_some(), "max_length");
        not_allowed(self, !text && item.pattern.is_some(), "pattern");
        not_allowed(self, !number && item.min.is_some(), "min");
        not_allowed(self, !number && item.max.is_some(), "max");
        not_allowed(
            self,
            kind != Kind::Date && item.not_before.is_some(),
            "not_before",
        );
        not_allowed(
            self,
            kind != Kind::Date && item.not_after.is_some(),
            "not_after",
        );
        not_allowed(
            self,
            !kind.takes_choices() && item.choices.is_some(),
            "choices",
        );
        not_allowed(
            self,
            !kind.takes_choices() && !item.frequent.is_empty(),
            "frequent",
        );
        not_allowed(self, !container && !item.items.is_empty(), "items");
        not_allowed(
            self,
            kind != Kind::Repeat && item.min_items.is_some(),
            "min_items",
        );
        not_allowed(
            self,
            kind != Kind::Repeat && item.max_items.is_some(),
            "max_items",
        );
        not_allowed(
            self,
            kind != Kind::Repeat && item.item_id.is_some(),
            "item_id",
        );
        not_allowed(
            self,
            kind != Kind::Documents && item.max_per_person.is_some(),
            "max_per_person",
        );
        not_allowed(
            self,
            kind != Kind::Documents && item.people.is_some(),
            "people",
        );
        not_allowed(
            self,
            container && item.required,
            "required (give a repeat `min_items`)",
        );
        not_allowed(
            self,
            !kind.is_field() && item.constraint.is_some(),
            "constraint",
        );

        if let (Some(min), Some(max)) = (item.min_length, item.max_length) {
            if min > max {
                self.push(
                    path,
                    ProblemCode::InvalidValue,
                    "`min_length` is above `max_length`",
                );
            }
        }
        if let (Some(min), Some(max)) = (item.min, item.max) {
            if min > max || min.is_nan() || max.is_nan() {
                self.push(path, ProblemCode::InvalidValue, "`min` is above `max`");
            }
        }
        if let (Some(min), Some(max)) = (item.min_items, item.max_items) {
            if min > max {
                self.push(
                    path,
                    ProblemCode::InvalidValue,
                    "`min_items` is above `max_items`",
                );
            }
        }
        if let Some(pattern) = &item.pattern {
            if let Err(e) = regex_lite::Regex::new(pattern) {
                self.push(
                    path,
                    ProblemCode::InvalidValue,
                    format!("`pattern` is not a regular expression: {e}"),
                );
            }
        }
        for (attribute, bound) in [
            ("not_before", &item.not_before),
            ("not_after", &item.not_after),
        ] {
            if let Some(b) = bound {
                if parse_bound(b).is_none() {
                    self.push(
                        path,
                        ProblemCode::InvalidValue,
                        format!("`{attribute}` must be `today` or a date YYYY-MM-DD, not `{b}`"),
                    );
                }
            }
        }
        if let Some(constraint) = &item.constraint {
            match expr::parse(constraint) {
                Err(e) => self.push(
                    path,
                    ProblemCode::InvalidExpression,
                    format!("`constraint`: {e}"),
                ),
                Ok(parsed) => {
                    for reference in parsed.refs() {
                        if let Err(e) = resolve_in(&self.order, path, reference) {
                            self.reference_error(path, reference, e);
                        }
                    }
                }
            }
        }
        if kind.takes_choices() {
            match &item.choices {
                None => self.push(
                    path,
                    ProblemCode::Missing,
                    format!(
                        "a `{}` needs `choices`, the name of a choice list",
                        kind.name()
                    ),
                ),
                Some(list) => match self.def.choices.get(list) {
                    None => self.push(
                        path,
                        ProblemCode::UnknownChoiceList,
                        format!("there is no choice list `{list}`"),
                    ),
                    Some(choices) => {
                        for code in &item.frequent {
                            if !choices.contains(code) {
                                self.push(path, ProblemCode::InvalidValue, format!("`frequent` names `{code}`, which is not in the list `{list}`"));
                            }
                        }
                    }
                },
            }
        }
        match kind {
            Kind::Group | Kind::Repeat => {
                if item.items.is_empty() {
                    self.push(
                        path,
                        ProblemCode::Missing,
                        format!("a `{}` must hold at least one item", kind.name()),
                    );
                }
                if kind == Kind::Repeat {
                    let key = item.item_id_key();
                    if !is_name(key) {
                        self.push(
                            path,
                            ProblemCode::InvalidName,
                            format!("`item_id` `{key}` is not a valid name"),
                        );
                    }
                    if item.items.iter().any(|i| i.name == key) {
                        self.push(
                            path,
                            ProblemCode::Duplicate,
                            format!("`{key}` is the entries' ID; no field may have that name"),
                        );
                    }
                }
                self.items(path, &item.items, in_repeat || kind == Kind::Repeat);
            }
            Kind::Documents => {
                if !prefix.is_empty() || in_repeat {
                    self.push(
                        path,
                        ProblemCode::NotAllowed,
                        "`documents` must be at the top of a page, not in a group or repeat",
                    );
                }
                if let Some(people) = &item.people {
                    let is_repeat = self
                        .def
                        .item(people)
                        .is_some_and(|i| i.kind() == Some(Kind::Repeat))
                        && !people.contains('.');
                    if !is_repeat {
                        self.push(path, ProblemCode::UnknownReference, format!("`people` must name a repeat at the top of the form, not `{people}`"));
                    }
                }
            }
            _ => {}
        }
    }

    fn duplicates(&mut self) {
        let mut seen: BTreeMap<String, Kind> = BTreeMap::new();
        let mut documents = 0;
        for (path, item) in self.def.walk() {
            let Some(kind) = item.kind() else { continue };
            if kind == Kind::Documents {
                documents += 1;
            }
            match seen.get(&path) {
                // A group may continue on a later page.
                Some(Kind::Group) if kind == Kind::Group => {}
                Some(_) => self.push(
                    &path,
                    ProblemCode::Duplicate,
                    format!("`{path}` is defined more than once"),
                ),
                None => {
                    seen.insert(path, kind);
                }
            }
        }
        if documents > 1 {
            self.push(
                "form",
                ProblemCode::Duplicate,
                "a form may have one `documents` item",
            );
        }
        let mut pages = BTreeSet::new();
        for page in &self.def.pages {
            if !pages.insert(&page.name) {
                self.push(
                    format!("page {}", page.name),
                    ProblemCode::Duplicate,
                    "two pages have this name",
                );
            }
        }
    }

    fn choices(&mut self) {
        for (name, list) in &self.def.choices {
            let at = format!("choices.{name}");
            if !is_name(name) {
                self.push(
                    &at,
                    ProblemCode::InvalidName,
                    format!("`{name}` is not a valid list name"),
                );
            }
            match list {
                ChoiceList::Builtin { builtin } => {
                    if !BUILTIN_LISTS.contains(&builtin.as_str()) {
                        self.push(
                            &at,
                            ProblemCode::UnknownChoiceList,
                            format!(
                                "there is no built-in list `{builtin}`; there are {}",
                                BUILTIN_LISTS.join(", ")
                            ),
                        );
                    }
                }
                ChoiceList::Listed(choices) => {
                    if choices.is_empty() {
                        self.push(
                            &at,
                            ProblemCode::Missing,
                            "a choice list needs at least one choice",
                        );
                    }
                    let mut seen = BTreeSet::new();
                    for choice in choices {
                        let at = format!("{at}.{}", choice.name);
                        if !is_choice_code(&choice.name) {
                            self.push(
                                &at,
                                ProblemCode::InvalidName,
                                "a choice's name is letters, digits, `_`, `-` or `.`",
                            );
                        }
                        if !seen.insert(&choice.name) {
                            self.push(
                                &at,
                                ProblemCode::Duplicate,
                                "this choice is in the list twice",
                            );
                        }
                        self.text(&at, "choice", &choice.label, true);
                    }
                }
            }
        }
    }

    fn roles(&mut self) {
        let roles = &self.def.roles;
        let kind_at = |path: &str| self.def.item(path).and_then(Item::kind);
        let mut wrong = Vec::new();
        let top_level_field =
            |path: &str, want: Kind| kind_at(path) == Some(want) && !self.in_repeat(path);
        if !top_level_field(&roles.name, Kind::Text) {
            wrong.push((
                "roles.name",
                format!(
                    "must name a `text` field outside any repeat, not `{}`",
                    roles.name
                ),
            ));
        }
        if let Some(dob) = &roles.date_of_birth {
            if !top_level_field(dob, Kind::Date) {
                wrong.push((
                    "roles.date_of_birth",
                    format!("must name a `date` field outside any repeat, not `{dob}`"),
                ));
            }
        }
        match &roles.household {
            Some(household) => {
                if kind_at(household) != Some(Kind::Repeat) || household.contains('.') {
                    wrong.push((
                        "roles.household",
                        format!("must name a repeat at the top of the form, not `{household}`"),
                    ));
                } else {
                    for (role, field, want) in [
                        ("roles.member_name", &roles.member_name, Kind::Text),
                        (
                            "roles.member_date_of_birth",
                            &roles.member_date_of_birth,
                            Kind::Date,
                        ),
                        ("roles.relationship", &roles.relationship, Kind::SelectOne),
                    ] {
                        if let Some(field) = field {
                            if kind_at(&format!("{household}.{field}")) != Some(want) {
                                wrong.push((role, format!("must name a `{}` field of each `{household}` entry, not `{field}`", want.name())));
                            }
                        }
                    }
                }
            }
            None => {
                for (role, field) in [
                    ("roles.member_name", &roles.member_name),
                    ("roles.member_date_of_birth", &roles.member_date_of_birth),
                    ("roles.relationship", &roles.relationship),
                ] {
                    if field.is_some() {
                        wrong.push((role, "needs `roles.household`".to_owned()));
                    }
                }
            }
        }
        for (at, detail) in wrong {
            self.push(at, ProblemCode::UnknownReference, detail);
        }
    }

    fn in_repeat(&self, path: &str) -> bool {
        let mut prefix = String::new();
        for part in path.split('.') {
            if self
                .def
                .item(&prefix)
                .is_some_and(|i| i.kind() == Some(Kind::Repeat))
            {
                return true;
            }
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
        }
        false
    }
}

/// Every problem with `def`; empty means it may be published.
pub fn check(def: &FormDefinition) -> Vec<Problem> {
    let mut order = Vec::new();
    for (path, _) in def.walk() {
        if !order.contains(&path) {
            order.push(path);
        }
    }
    let mut c = Checker {
        def,
        problems: Vec::new(),
        order,
    };
    if !is_form_id(&def.form_id) {
        c.push(
            "form",
            ProblemCode::InvalidName,
            format!(
                "`{}` is not a valid form ID: lowercase letters, digits, `-` and `_`",
                def.form_id
            ),
        );
    }
    if def.version == 0 {
        c.push("form", ProblemCode::InvalidValue, "versions count from 1");
    }
    if def.languages.is_empty() {
        c.push(
            "form",
            ProblemCode::Missing,
            "a form needs at least one language",
        );
    }
    let mut seen = BTreeSet::new();
    for lang in &def.languages {
        if !is_language_tag(lang) {
            c.push(
                "form",
                ProblemCode::InvalidValue,
                format!("`{lang}` is not a language code"),
            );
        }
        if !seen.insert(lang) {
            c.push(
                "form",
                ProblemCode::Duplicate,
                format!("`{lang}` is listed twice in `languages`"),
            );
        }
    }
    c.text("form", "title", &def.title, true);
    if def.pages.is_empty() {
        c.push(
            "form",
            ProblemCode::Missing,
            "a form needs at least one page",
        );
    }
    c.duplicates();
    for page in &def.pages {
        let at = format!("page {}", page.name);
        if !is_name(&page.name) {
            c.push(
                &at,
                ProblemCode::InvalidName,
                format!("`{}` is not a valid page name", page.name),
            );
        }
        c.text(&at, "label", &page.label, true);
        if page.items.is_empty() {
            c.push(
                &at,
                ProblemCode::Missing,
                "a page must hold at least one item",
            );
        }
        if let Some(relevant) = &page.relevant {
            // A page may look at anything on the pages before it.
            let first = page.items.first().map_or(usize::MAX, |i| c.index(&i.name));
            c.relevance(&at, "", relevant, Some(first));
        }
        c.items("", &page.items, false);
    }
    c.choices();
    c.roles();
    c.problems
}
