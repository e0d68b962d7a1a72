//! Random definitions and answers from a seed, the same on every build and platform: the native
//! and the wasm builds must judge them alike (`protocol/tests/interpreter_verdicts.rs` and the
//! front end's wasm test read the same verdicts file), and the simulator fills them in.
//!
//! Mostly plausible, sometimes wrong on purpose: a tenth of the definitions have a problem
//! [`super::check`] must find, and answers are missing, mistyped or out of bounds at random.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::{
    answers, check, Choice, ChoiceList, FormDefinition, Item, Page, Roles, Submission, Text,
};
use crate::date::Date;

/// splitmix64: tiny, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A UUID's text made from the generator.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

const FIELD_KINDS: &[&str] = &[
    "text",
    "long_text",
    "date",
    "integer",
    "decimal",
    "select_one",
    "select_multiple",
    "phone",
    "yes_no",
];

fn text(langs: &[String], value: &str, rng: &mut Rng, complete: bool) -> Text {
    let mut t = Text::new();
    for (i, l) in langs.iter().enumerate() {
        if complete || i == 0 || rng.chance(50) {
            t.insert(l.clone(), format!("{value} ({l})"));
        }
    }
    t
}

struct Maker<'r> {
    rng: &'r mut Rng,
    langs: Vec<String>,
    /// Top-level fields so far: (path, kind), what relevance may look at.
    earlier: Vec<(String, String)>,
    counter: usize,
    broken: bool,
}

impl Maker<'_> {
    fn name(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!("{kind}_{}", self.counter)
    }

    fn label(&mut self, value: &str) -> Text {
        let complete = !(self.broken && self.rng.chance(10));
        text(&self.langs.clone(), value, self.rng, complete)
    }

    fn relevance(&mut self) -> Option<String> {
        if self.earlier.is_empty() || !self.rng.chance(30) {
            return None;
        }
        let (path, kind) = self.rng.pick(&self.earlier).clone();
        Some(match kind.as_str() {
            "yes_no" => format!("${{{path}}} = 'yes'"),
            "integer" | "decimal" => format!("${{{path}}} > 5"),
            "select_multiple" => format!("selected(${{{path}}}, 'b')"),
            "select_one" => format!("${{{path}}} != 'c'"),
            _ => format!("${{{path}}} != ''"),
        })
    }

    fn field(&mut self, kind: &str) -> Item {
        let name = self.name(kind);
        let mut item = Item {
            label: self.label(&name),
            name,
            kind: kind.to_owned(),
            required: self.rng.chance(40),
            ..Item::default()
        };
        match kind {
            "text" | "long_text" => {
                if self.rng.chance(40) {
                    item.max_length = Some(1 + self.rng.below(8) as u32);
                }
                if self.rng.chance(20) {
                    item.pattern = Some("[A-Z]{2}[0-9]+".into());
                }
                if self.rng.chance(20) {
                    item.constraint = Some("string-length(.) > 1".into());
                }
            }
            "integer" | "decimal" => {
                if self.rng.chance(50) {
                    item.min = Some(0.0);
                    item.max = Some(10.0 + self.rng.below(50) as f64);
                }
                if self.rng.chance(20) {
                    item.constraint = Some(". != 7".into());
                }
            }
            "date" => {
                if self.rng.chance(50) {
                    item.not_after = Some("today".into());
                }
                if self.rng.chance(50) {
                    item.not_before = Some("2000-01-01".into());
                }
            }
            "select_one" | "select_multiple" => {
                item.choices = Some(
                    if self.rng.chance(20) {
                        "countries"
                    } else {
                        "abc"
                    }
                    .into(),
                );
            }
            _ => {}
        }
        item
    }

    fn items(&mut self, depth: usize, top: bool) -> Vec<Item> {
        let n = 1 + self.rng.below(4);
        let mut out = Vec::new();
        for _ in 0..n {
            let roll = self.rng.below(10);
            let mut item = if depth == 0 && roll == 0 {
                let name = self.name("group");
                let mut group = Item {
                    label: self.label(&name),
                    name,
                    kind: "group".into(),
                    ..Item::default()
                };
                group.items = self.items(depth + 1, false);
                group
            } else if depth == 0 && roll == 1 {
                let name = self.name("repeat");
                let mut repeat = Item {
                    label: self.label(&name),
                    name,
                    kind: "repeat".into(),
                    ..Item::default()
                };
                if self.rng.chance(50) {
                    repeat.min_items = Some(self.rng.below(2) as u32);
                    repeat.max_items = Some(1 + self.rng.below(3) as u32);
                }
                repeat.items = self.items(depth + 1, false);
                repeat
            } else {
                let kind = *self.rng.pick(FIELD_KINDS);
                self.field(kind)
            };
            item.relevant = self.relevance();
            if top && item.kind().is_some_and(super::Kind::is_field) {
                self.earlier.push((item.name.clone(), item.kind.clone()));
            }
            out.push(item);
        }
        out
    }
}

/// A random definition (a tenth of them with a problem for [`check`] to find).
pub fn definition(seed: u64) -> FormDefinition {
    let mut rng = Rng::new(seed);
    let langs: Vec<String> = if rng.chance(50) {
        vec!["en".into()]
    } else {
        vec!["en".into(), "es".into()]
    };
    let broken = rng.chance(10);
    let mut maker = Maker {
        rng: &mut rng,
        langs: langs.clone(),
        earlier: Vec::new(),
        counter: 0,
        broken,
    };
    let person = Item {
        name: "person_name".into(),
        kind: "text".into(),
        label: maker.label("person_name"),
        required: true,
        ..Item::default()
    };
    let pages_n = 1 + maker.rng.below(3);
    let mut pages = Vec::new();
    for p in 0..pages_n {
        let mut items = maker.items(0, true);
        if p == 0 {
            items.insert(0, person.clone());
        }
        let relevant = if p > 0 { maker.relevance() } else { None };
        pages.push(Page {
            name: format!("page_{p}"),
            label: maker.label(&format!("page {p}")),
            relevant,
            items,
        });
    }
    if broken {
        match maker.rng.below(3) {
            0 => pages[0].items[0].kind = "txet".into(),
            1 => {
                let copy = pages[0].items[0].clone();
                pages[0].items.push(copy);
            }
            _ => pages[0].items[0].relevant = Some("${nowhere} = 1".into()),
        }
    }
    let mut choices = BTreeMap::new();
    choices.insert(
        "abc".to_owned(),
        ChoiceList::Listed(
            ["a", "b", "c"]
                .iter()
                .map(|c| Choice {
                    name: (*c).to_owned(),
                    label: text(&langs, c, &mut Rng::new(0), true),
                })
                .collect(),
        ),
    );
    choices.insert(
        "countries".to_owned(),
        ChoiceList::Builtin {
            builtin: "countries".into(),
        },
    );
    let mut title = Text::new();
    for l in &langs {
        title.insert(l.clone(), format!("Form {seed}"));
    }
    FormDefinition {
        form_id: format!("sample-{}", seed % 7),
        version: 1 + (seed % 3) as u32,
        title,
        languages: langs,
        pages,
        choices,
        roles: Roles {
            name: "person_name".into(),
            date_of_birth: None,
            household: None,
            member_name: None,
            member_date_of_birth: None,
            relationship: None,
        },
    }
}

fn value_for(item: &Item, rng: &mut Rng) -> Option<Value> {
    if rng.chance(15) {
        return None;
    }
    let wrong = rng.chance(15);
    Some(match (item.kind.as_str(), wrong) {
        ("text" | "long_text", false) => json!(*rng.pick(&["Ana", "AB12", "x", "Zoë Núñez", "  "])),
        ("phone", false) => json!(*rng.pick(&["+504 9999-1234", "5512345678", "call me"])),
        ("date", false) => json!(*rng.pick(&[
            "1991-04-17",
            "1999-12-31",
            "2026-12-01",
            "2030-01-01",
            "2023-02-29"
        ])),
        ("integer", false) => json!(rng.below(60) as i64 - 5),
        ("decimal", false) => json!(rng.below(600) as f64 / 10.0),
        ("select_one", false) => json!(*rng.pick(&["a", "b", "c", "HN", "zz"])),
        ("select_multiple", false) => {
            let n = rng.below(4);
            Value::Array(
                (0..n)
                    .map(|_| json!(*rng.pick(&["a", "b", "c", "HN"])))
                    .collect(),
            )
        }
        ("yes_no", false) => json!(rng.chance(50)),
        _ => rng
            .pick(&[
                json!(12),
                json!("twelve"),
                json!([1]),
                json!({"x": 1}),
                json!(true),
                json!(null),
            ])
            .clone(),
    })
}

fn fill(items: &[Item], rng: &mut Rng, into: &mut Map<String, Value>) {
    for item in items {
        match item.kind.as_str() {
            "group" => {
                if rng.chance(85) {
                    let mut inner = Map::new();
                    fill(&item.items, rng, &mut inner);
                    into.insert(item.name.clone(), Value::Object(inner));
                }
            }
            "repeat" => {
                let n = rng.below(4);
                let mut list = Vec::new();
                let mut last_id = String::new();
                for _ in 0..n {
                    let mut entry = Map::new();
                    if !rng.chance(10) {
                        let id = if rng.chance(10) && !last_id.is_empty() {
                            last_id.clone()
                        } else {
                            rng.uuid()
                        };
                        last_id = id.clone();
                        entry.insert(item.item_id_key().to_owned(), json!(id));
                    }
                    fill(&item.items, rng, &mut entry);
                    list.push(Value::Object(entry));
                }
                into.insert(item.name.clone(), Value::Array(list));
            }
            _ => {
                if let Some(v) = value_for(item, rng) {
                    into.insert(item.name.clone(), v);
                }
            }
        }
    }
}

/// Random answers for `def`, as a device or a careless client might send them.
pub fn submission(def: &FormDefinition, seed: u64) -> Submission {
    let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(7));
    let mut answers = Map::new();
    for page in &def.pages {
        fill(&page.items, &mut rng, &mut answers);
    }
    if rng.chance(5) {
        answers.insert("not_in_the_form".into(), json!("x"));
    }
    Submission {
        form_id: def.form_id.clone(),
        form_version: def.version,
        answers,
        photos: Vec::new(),
        appointment_preferences: Vec::new(),
    }
}

/// One line saying everything the interpreter made of seed `seed`: the definition's problems,
/// the answers' problems and the canonical fingerprint.
pub fn verdict(seed: u64) -> String {
    const TODAY: Date = Date {
        year: 2026,
        month: 12,
        day: 2,
    };
    let def = definition(seed);
    let problems: Vec<String> = check::check(&def)
        .into_iter()
        .map(|p| format!("{}:{:?}", p.at, p.code))
        .collect();
    let sub = submission(&def, seed);
    let errors: Vec<String> = answers::validate(&def, &sub, TODAY)
        .into_iter()
        .map(|e| format!("{}:{}", e.field, e.code.as_str()))
        .collect();
    let fingerprint = answers::canonical(&def, &sub).fingerprint();
    format!(
        "{seed} {} | {} | {fingerprint}",
        problems.join(","),
        errors.join(",")
    )
}
