//! Forms the organisation defines: a definition is a document (JSON or YAML), not code.
//!
//! - this module: the definition's shape, as it is published and sent to devices.
//! - [`expr`]: the small XLSForm-like expression language of `relevant` and `constraint`.
//! - [`check`]: every problem that keeps a definition from being published.
//! - [`answers`]: the interpreter: validates a [`Submission`] against the exact version it names
//!   and gives its answers in canonical form (the same rules in the app and on the server).
//! - [`household`]: the household form, shipped as the default definition.
//! - [`sample`]: random definitions and answers from a seed, for tests across builds.
//!
//! Answers are keyed by the fields' names: a group is a nested object, a repeat a list of
//! objects. Pages only arrange fields on screen; they add no level to the answers, so one group
//! may continue on a later page (the household's `applicant` spans two).

pub mod answers;
pub mod check;
pub mod expr;
pub mod household;
pub mod sample;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::case::PhotoRef;

/// Text in each of the organisation's languages, by language code.
pub type Text = BTreeMap<String, String>;

/// A whole form, one version of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Lowercase letters, digits, `-` and `_`; stays the same across versions.
    #[cfg_attr(feature = "openapi", schema(example = "household-intake"))]
    pub form_id: String,
    /// 1, 2, …; a published version never changes.
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub title: Text,
    /// The languages every label, hint and choice name is given in; the first is the fallback.
    #[cfg_attr(feature = "openapi", schema(example = json!(["en", "es"])))]
    pub languages: Vec<String>,
    pub pages: Vec<Page>,
    /// Choice lists by name, referred to by `select_one`, `select_multiple` and `documents`.
    #[serde(default)]
    pub choices: BTreeMap<String, ChoiceList>,
    pub roles: Roles,
}

/// One screen of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
    /// An expression: the page is shown (and its answers kept) only when it is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    pub items: Vec<Item>,
}

/// A field, a group of fields or a repeat group. One flat shape for every kind keeps a definition
/// easy to write by hand and to import from a spreadsheet row; [`check`] refuses attributes a
/// kind does not take.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The answer's key: lowercase letters, digits and `_`, starting with a letter.
    pub name: String,
    /// One of the [`Kind`] names (`text`, `select_one`, `repeat`, …); kept as text so an unknown
    /// type is listed with every other problem instead of failing the parse.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(example = "text"))]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub hint: Text,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// An expression: the item is shown, validated and kept only when it is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// An expression that must be true of a given answer (`.` is the answer itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Shown when `constraint` is false.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub constraint_message: Text,
    /// Text: bounds on the number of characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Text: a regular expression the whole answer must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Numbers: the range allowed, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Dates: `today` or `YYYY-MM-DD`, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Choices: the name of a list in [`FormDefinition::choices`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<String>,
    /// Choices: the codes shown first, under "Most chosen here".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frequent: Vec<String>,
    /// Groups and repeats: what they hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub items: Vec<Item>,
    /// Repeats: how many entries are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Repeats: the key under which each entry carries its UUID (photos point at it); `item_id`
    /// unless named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// Documents: at most this many photos per person (12 unless named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_person: Option<u32>,
    /// Documents: the repeat whose entries may have photos of their own, besides the person
    /// filling in the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What kind of item an [`Item`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// `YYYY-MM-DD`.
    Date,
    /// A JSON integer.
    Integer,
    /// A JSON number.
    Decimal,
    /// One code from a choice list.
    SelectOne,
    /// A list of distinct codes from a choice list.
    SelectMultiple,
    /// A phone number as people write it.
    Phone,
    /// `true` or `false`.
    YesNo,
    /// Document photos: they travel beside the answers (`photos`), not in them.
    Documents,
    /// A nested object of answers.
    Group,
    /// A list of nested objects, each with its own UUID.
    Repeat,
}

impl Kind {
    pub const ALL: [(&'static str, Kind); 12] = [
        ("text", Kind::Text),
        ("long_text", Kind::LongText),
        ("date", Kind::Date),
        ("integer", Kind::Integer),
        ("decimal", Kind::Decimal),
        ("select_one", Kind::SelectOne),
        ("select_multiple", Kind::SelectMultiple),
        ("phone", Kind::Phone),
        ("yes_no", Kind::YesNo),
        ("documents", Kind::Documents),
        ("group", Kind::Group),
        ("repeat", Kind::Repeat),
    ];

    pub fn parse(name: &str) -> Option<Kind> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
    }

    /// Holds an answer of its own in `answers` (not a container, not the photos).
    pub fn is_field(self) -> bool {
        !matches!(self, Kind::Group | Kind::Repeat | Kind::Documents)
    }

    pub fn takes_choices(self) -> bool {
        matches!(
            self,
            Kind::SelectOne | Kind::SelectMultiple | Kind::Documents
        )
    }
}

impl Item {
    /// `None` for a type this version does not know ([`check`] lists it).
    pub fn kind(&self) -> Option<Kind> {
        Kind::parse(&self.kind)
    }

    /// The key of a repeat entry's UUID.
    pub fn item_id_key(&self) -> &str {
        self.item_id.as_deref().unwrap_or("item_id")
    }
}

/// A choice list: codes with their names, or one of the lists every form may use, which the app
/// names in the reader's language itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ChoiceList {
    Builtin {
        /// `countries` (ISO 3166-1 alpha-2 and `XX`) or `languages` (the app's spoken
        /// languages, ISO 639).
        builtin: String,
    },
    Listed(Vec<Choice>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    #[cfg_attr(feature = "openapi", schema(example = "child"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
}

/// Read by hand: a list of choices or `{"builtin": …}`, told apart by their first token, so no
/// input is buffered and tried twice (what `untagged` would cost the app in code).
impl<'de> Deserialize<'de> for ChoiceList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ChoiceList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of choices or {\"builtin\": \"countries\"}")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ChoiceList, A::Error> {
                let mut choices = Vec::new();
                while let Some(choice) = seq.next_element::<Choice>()? {
                    choices.push(choice);
                }
                Ok(ChoiceList::Listed(choices))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ChoiceList, A::Error> {
                let mut builtin = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "builtin" {
                        return Err(serde::de::Error::unknown_field(&key, &["builtin"]));
                    }
                    builtin = Some(map.next_value::<String>()?);
                }
                builtin
                    .map(|builtin| ChoiceList::Builtin { builtin })
                    .ok_or_else(|| serde::de::Error::missing_field("builtin"))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The built-in lists a [`ChoiceList::Builtin`] may name.
pub const BUILTIN_LISTS: &[&str] = &["countries", "languages"];

impl ChoiceList {
    /// Whether `code` is one of the list's choices.
    pub fn contains(&self, code: &str) -> bool {
        match self {
            ChoiceList::Builtin { builtin } => match builtin.as_str() {
                "countries" => crate::form::is_country(code),
                "languages" => crate::form::is_language(code),
                _ => false,
            },
            ChoiceList::Listed(choices) => choices.iter().any(|c| c.name == code),
        }
    }
}

/// Which fields the rest of the system relies on, whatever the form: the household summary,
/// receipts, the staff list, the export and appointments read these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// The path of the name of the person filling in the form (`applicant.name`).
    #[cfg_attr(feature = "openapi", schema(example = "applicant.name"))]
    pub name: String,
    /// The path of their date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// The repeat that lists the people travelling with them (`members`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<String>,
    /// Within each `household` entry: the names of its name, date of birth and relationship
    /// fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
}

/// A case on the wire and in storage: the form it was filled on and its answers, keyed by the
/// fields' names; photos travel beside the answers as before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Submission {
    #[cfg_attr(feature = "openapi", schema(example = "household-intake"))]
    pub form_id: String,
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub form_version: u32,
    /// An object keyed by field name; a group is a nested object, a repeat a list of objects.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    /// Up to three appointment slots the household would like, in order; the server books one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appointment_preferences: Vec<crate::SlotId>,
}

impl Submission {
    /// The bytes that identify this submission. Call on a canonical submission
    /// ([`answers::canonical`]): keys sorted, empty answers gone.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Maps of JSON values with string keys always serialize.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// SHA-256 (hex) of [`Self::canonical_json`]: what tells a replay from a conflicting payload.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.canonical_json()))
    }
}

impl FormDefinition {
    /// The text for `lang`, else in the form's first language, else any.
    pub fn text<'a>(&self, text: &'a Text, lang: &str) -> &'a str {
        text.get(lang)
            .or_else(|| self.languages.first().and_then(|l| text.get(l)))
            .or_else(|| text.values().next())
            .map_or("", String::as_str)
    }

    /// Every item in document order with its answer path (`applicant.name`, `members.name` for
    /// a field of a repeat's entries), groups and repeats before what they hold.
    pub fn walk(&self) -> Vec<(String, &Item)> {
        fn visit<'a>(prefix: &str, items: &'a [Item], out: &mut Vec<(String, &'a Item)>) {
            for item in items {
                let path = if prefix.is_empty() {
                    item.name.clone()
                } else {
                    format!("{prefix}.{}", item.name)
                };
                out.push((path.clone(), item));
                visit(&path, &item.items, out);
            }
        }
        let mut out = Vec::new();
        for page in &self.pages {
            visit("", &page.items, &mut out);
        }
        out
    }

    /// The item at a definition path (no indices).
    pub fn item(&self, path: &str) -> Option<&Item> {
        self.walk()
            .into_iter()
            .find(|(p, _)| p == path)
            .map(|(_, item)| item)
    }

    /// The documents item, if the form takes photos.
    pub fn documents(&self) -> Option<&Item> {
        self.walk()
            .into_iter()
            .map(|(_, item)| item)
            .find(|item| item.kind() == Some(Kind::Documents))
    }
}

#[cfg(test)]
mod tests;
