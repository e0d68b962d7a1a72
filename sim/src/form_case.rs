//! What the person types into a case on a form the organisation published (the simulator's
//! server publishes `child-protection`, the fixture the end-to-end tests use too): the same
//! carelessness as on the household form, through the same actions.

use serde_json::{json, Map, Value};

use crate::world::World;

/// The second form every simulated server publishes.
pub const CHILD_PROTECTION: &str =
    include_str!("../../tests/fixtures/forms/child-protection-v1.json");

const CHILD_NAMES: &[&str] = &["Ana", "Luz", "Jean", "محمد", "Zoë"];

fn child(w: &World) -> Value {
    let mut entry = Map::new();
    entry.insert("child_id".into(), json!(w.uuid().to_string()));
    if w.rng.chance(0.85) {
        entry.insert(
            "child_name".into(),
            json!(w.rng.pick(CHILD_NAMES).copied().unwrap_or("Ana")),
        );
    }
    let age = match w.rng.below(10) {
        0 => json!(30),
        1 => json!("seven"),
        n => json!(n as i64 + 2),
    };
    entry.insert("age".into(), age);
    if w.rng.chance(0.5) {
        entry.insert("in_school".into(), json!(w.rng.chance(0.5)));
    }
    Value::Object(entry)
}

fn children(answers: &mut Map<String, Value>) -> &mut Vec<Value> {
    let list = answers
        .entry("children")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    match list {
        Value::Array(a) => a,
        _ => unreachable!("made an array above"),
    }
}

/// One field typed (or a box ticked) at random.
pub fn type_into(w: &World, answers: &mut Map<String, Value>) {
    match w.rng.below(4) {
        0 => {
            let name = if w.rng.chance(0.15) {
                "  "
            } else {
                "Rosa Martínez"
            };
            answers.insert("carer_name".into(), json!(name));
        }
        1 => {
            answers.insert("travelling_with_children".into(), json!(w.rng.chance(0.8)));
        }
        _ => {
            let list = children(answers);
            if list.is_empty() {
                list.push(child(w));
            } else {
                let i = w.rng.below(list.len() as u64) as usize;
                list[i] = child(w);
            }
        }
    }
}

pub fn add_child(w: &World, answers: &mut Map<String, Value>) {
    let fresh = child(w);
    let list = children(answers);
    if list.len() < 12 {
        list.push(fresh);
    }
}

pub fn remove_child(w: &World, answers: &mut Map<String, Value>) {
    let list = children(answers);
    if !list.is_empty() {
        let i = w.rng.below(list.len() as u64) as usize;
        list.remove(i);
    }
}

/// Gives every field the interpreter names a good value, as a person following the messages.
pub fn correct(w: &World, answers: &mut Map<String, Value>, errors: &[protocol::FieldError]) {
    for error in errors {
        let parts: Vec<&str> = error.field.split('.').collect();
        match parts.as_slice() {
            ["carer_name"] => {
                answers.insert("carer_name".into(), json!("Rosa Martínez"));
            }
            ["travelling_with_children"] => {
                answers.insert("travelling_with_children".into(), json!(true));
            }
            ["children"] => {
                let list = children(answers);
                list.truncate(10);
                if list.is_empty() {
                    list.push(
                        json!({"child_id": w.uuid().to_string(), "child_name": "Ana", "age": 7}),
                    );
                }
            }
            ["children", i, field] => {
                let id = w.uuid().to_string();
                let list = children(answers);
                if let Some(Value::Object(entry)) =
                    i.parse::<usize>().ok().and_then(|i| list.get_mut(i))
                {
                    let value = match *field {
                        "child_name" => json!("Ana"),
                        "age" => json!(7),
                        "child_id" => json!(id),
                        _ => Value::Null,
                    };
                    if value.is_null() {
                        entry.remove(*field);
                    } else {
                        entry.insert((*field).to_owned(), value);
                    }
                }
            }
            [field] => {
                answers.remove(*field);
            }
            _ => w.log(format!("person: cannot correct {}", error.field)),
        }
    }
}
