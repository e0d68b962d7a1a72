//! The export's tables, derived from the definitions, as ODK Central makes them: one for the form
//! and one per repeat group, with columns named after the fields (a group's fields as
//! `group.field`). All versions of a form share its tables: a column a later version added is
//! empty for cases of earlier ones.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use protocol::definition::{FormDefinition, Item, Kind};

/// One CSV of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file's name without `.csv`: `household-intake`, `household-intake-members`.
    pub name: String,
    /// The repeat's definition path (`members`); `None` for the form's own table.
    pub repeat: Option<String>,
    /// The key of the entries' UUID (`member_id`).
    pub id_key: Option<String>,
    /// The enclosing repeat, for a repeat inside a repeat.
    pub parent: Option<String>,
    /// Field paths from the table's root, in form order.
    pub columns: Vec<String>,
}

/// The tables of one form, over every version given (oldest first).
pub fn tables(form_id: &str, versions: &[&FormDefinition]) -> Vec<Table> {
    let mut out = vec![Table {
        name: form_id.to_owned(),
        repeat: None,
        id_key: None,
        parent: None,
        columns: Vec::new(),
    }];
    for def in versions {
        for page in &def.pages {
            collect(&mut out, form_id, 0, None, "", "", &page.items);
        }
    }
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn collect(
    out: &mut Vec<Table>,
    form_id: &str,
    table: usize,
    parent: Option<&str>,
    def_prefix: &str,
    relative: &str,
    items: &[Item],
) {
    for item in items {
        let def_path = join(def_prefix, &item.name);
        let column = join(relative, &item.name);
        match item.kind() {
            Some(Kind::Group) => {
                collect(out, form_id, table, parent, &def_path, &column, &item.items);
            }
            Some(Kind::Repeat) => {
                let index = match out
                    .iter()
                    .position(|t| t.repeat.as_deref() == Some(&def_path))
                {
                    Some(i) => i,
                    None => {
                        out.push(Table {
                            name: format!("{form_id}-{}", def_path.replace('.', "-")),
                            repeat: Some(def_path.clone()),
                            id_key: Some(item.item_id_key().to_owned()),
                            parent: parent.map(str::to_owned),
                            columns: Vec::new(),
                        });
                        out.len() - 1
                    }
                };
                collect(
                    out,
                    form_id,
                    index,
                    Some(&def_path),
                    &def_path,
                    "",
                    &item.items,
                );
            }
            Some(kind) if kind.is_field() && !out[table].columns.contains(&column) => {
                out[table].columns.push(column);
            }
            _ => {}
        }
    }
}

/// An answer as a CSV cell: text as typed, numbers as written, yes/no, several choices
/// separated by spaces (as ODK exports them).
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) | Some(Value::Object(_)) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(true)) => "yes".into(),
        Some(Value::Bool(false)) => "no".into(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| cell(Some(v)))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The value at a dotted path of groups.
pub fn at<'a>(object: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = object.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    Some(value)
}

/// What each definition path is, over every version: its kind, and for a repeat the key of its
/// entries' UUID.
pub struct Shape(BTreeMap<String, (Kind, Option<String>)>);

impl Shape {
    pub fn of(versions: &[&FormDefinition]) -> Shape {
        let mut map = BTreeMap::new();
        for def in versions {
            for (path, item) in def.walk() {
                if let Some(kind) = item.kind() {
                    let id = (kind == Kind::Repeat).then(|| item.item_id_key().to_owned());
                    map.insert(path, (kind, id));
                }
            }
        }
        Shape(map)
    }

    fn kind(&self, path: &str) -> Option<Kind> {
        self.0.get(path).map(|(k, _)| *k)
    }

    fn id_key(&self, path: &str) -> Option<&str> {
        self.0.get(path).and_then(|(_, id)| id.as_deref())
    }
}

/// A repeat's entries in a case: (the enclosing repeat entry's ID, the entry).
pub fn entries<'a>(
    answers: &'a Map<String, Value>,
    repeat: &str,
    shape: &Shape,
) -> Vec<(Option<&'a str>, &'a Map<String, Value>)> {
    let mut found = Vec::new();
    walk_to(answers, repeat, "", None, shape, &mut found);
    found
}

fn walk_to<'a>(
    object: &'a Map<String, Value>,
    target: &str,
    prefix: &str,
    parent: Option<&'a str>,
    shape: &Shape,
    found: &mut Vec<(Option<&'a str>, &'a Map<String, Value>)>,
) {
    let rest = target
        .strip_prefix(prefix)
        .unwrap_or(target)
        .trim_start_matches('.');
    let Some(first) = rest.split('.').next() else {
        return;
    };
    let path = join(prefix, first);
    let Some(value) = object.get(first) else {
        return;
    };
    match shape.kind(&path) {
        Some(Kind::Repeat) => {
            let Some(list) = value.as_array() else { return };
            let key = shape.id_key(&path).unwrap_or("item_id");
            for entry in list.iter().filter_map(Value::as_object) {
                if path == target {
                    found.push((parent, entry));
                } else {
                    let id = entry.get(key).and_then(Value::as_str);
                    walk_to(entry, target, &path, id, shape, found);
                }
            }
        }
        Some(Kind::Group) => {
            if let Some(inner) = value.as_object() {
                walk_to(inner, target, &path, parent, shape, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::definition::household;

    #[test]
    fn the_household_form_has_a_table_for_the_household_and_one_for_its_members() {
        let t = tables("household-intake", &[household::definition()]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name, "household-intake");
        assert_eq!(
            t[0].columns,
            [
                "applicant.name",
                "applicant.date_of_birth",
                "applicant.country_of_origin",
                "applicant.phone",
                "applicant.languages",
                "applicant.needs",
                "applicant.needs_note"
            ]
        );
        assert_eq!(t[1].name, "household-intake-members");
        assert_eq!(t[1].id_key.as_deref(), Some("member_id"));
        assert_eq!(t[1].columns, ["name", "date_of_birth", "relationship"]);
    }

    #[test]
    fn cells_read_as_odk_writes_them() {
        use serde_json::json;
        assert_eq!(cell(Some(&json!(["es", "en"]))), "es en");
        assert_eq!(cell(Some(&json!(true))), "yes");
        assert_eq!(cell(Some(&json!(4.5))), "4.5");
        assert_eq!(cell(None), "");
    }
}
