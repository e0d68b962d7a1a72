//! A language's messages in the compact form the app downloads (JSON), and the formatter.
//!
//! A message is a list of [`Part`]s: text, a variable, or a choice on a variable (by exact
//! value, then by CLDR plural category for numbers, else the default). Variables are wrapped in
//! Unicode isolates (FSI … PDI), as Fluent does, so a name or a code keeps its own direction
//! inside an Arabic sentence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// First strong isolate and pop directional isolate.
pub const FSI: char = '\u{2068}';
pub const PDI: char = '\u{2069}';

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// The language's BCP 47 code.
    pub lang: String,
    pub messages: BTreeMap<String, Vec<Part>>,
}

/// In JSON: text is a string, a variable `{"var": name}`, a choice
/// `{"select": name, "variants": [[key, parts], ...], "default": index}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Part {
    Text(String),
    Var {
        var: String,
    },
    Select {
        select: String,
        /// Keys: a plural category (`one`, `few`, ...) or an exact value (`0`, `masculine`).
        variants: Vec<(String, Vec<Part>)>,
        /// Index of the default variant.
        default: usize,
    },
}

// Read by hand rather than derived with `untagged`: serde's untagged enums buffer every value
// first (its `Content` machinery), which costs the app's download several kB for a shape that
// the first token already tells apart.
impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Part, D::Error> {
        deserializer.deserialize_any(PartVisitor)
    }
}

struct PartVisitor;

impl<'de> serde::de::Visitor<'de> for PartVisitor {
    type Value = Part;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("text, a variable or a choice")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Part, E> {
        Ok(Part::Text(text.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Part, E> {
        Ok(Part::Text(text))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Part, A::Error> {
        use serde::de::Error;
        let (mut var, mut select, mut variants, mut default) = (None, None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "var" => var = Some(map.next_value()?),
                "select" => select = Some(map.next_value()?),
                "variants" => variants = Some(map.next_value()?),
                "default" => default = Some(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, FIELDS)),
            }
        }
        match (var, select, variants, default) {
            (Some(var), None, None, None) => Ok(Part::Var { var }),
            (None, Some(select), Some(variants), Some(default)) => Ok(Part::Select {
                select,
                variants,
                default,
            }),
            _ => Err(A::Error::custom(
                "a part is {\"var\"} or {\"select\", \"variants\", \"default\"}",
            )),
        }
    }
}

const FIELDS: &[&str] = &["var", "select", "variants", "default"];

/// A value given to a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Str(&'a str),
    Num(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Num(n as f64)
            }
        }
    )*};
}

num_arg!(u8, u16, u32, u64, usize, i32, i64, f64);

/// A number as plain digits (`3`, `2.5`): how the server writes numbers into messages.
pub fn plain_number(n: f64) -> String {
    whole_number(n).unwrap_or_else(|| format!("{n}"))
}

/// The digits of a whole number, as a message's exact-value variants (`[0]`) name them.
fn whole_number(n: f64) -> Option<String> {
    (n.fract() == 0.0 && n.abs() < 1e15).then(|| format!("{}", n as i64))
}

impl Catalog {
    pub fn has(&self, id: &str) -> bool {
        self.messages.contains_key(id)
    }

    /// Formats message `id` with `args`; `plural` names the CLDR plural category of a number in
    /// this catalog's language. A missing message shows its ID (the build checks there is none).
    pub fn format(
        &self,
        id: &str,
        args: &[(&str, Arg<'_>)],
        plural: &dyn Fn(f64) -> &'static str,
    ) -> String {
        self.format_with(id, args, plural, &plain_number)
    }

    /// [`Catalog::format`], with numbers written by `number` (the browser writes them the way
    /// the language does: `3,5`, `٣٫٥`).
    pub fn format_with(
        &self,
        id: &str,
        args: &[(&str, Arg<'_>)],
        plural: &dyn Fn(f64) -> &'static str,
        number: &dyn Fn(f64) -> String,
    ) -> String {
        let mut out = String::new();
        match self.messages.get(id) {
            Some(parts) => write_parts(&mut out, parts, args, &Numbers { plural, number }),
            None => out.push_str(id),
        }
        out
    }
}

fn arg<'a>(args: &'a [(&str, Arg<'a>)], name: &str) -> Option<&'a Arg<'a>> {
    args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
}

struct Numbers<'a> {
    plural: &'a dyn Fn(f64) -> &'static str,
    number: &'a dyn Fn(f64) -> String,
}

fn write_parts(out: &mut String, parts: &[Part], args: &[(&str, Arg<'_>)], numbers: &Numbers<'_>) {
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Var { var } => {
                out.push(FSI);
                match arg(args, var) {
                    Some(Arg::Str(s)) => out.push_str(s),
                    Some(Arg::Num(n)) => out.push_str(&(numbers.number)(*n)),
                    None => {
                        out.push('{');
                        out.push_str(var);
                        out.push('}');
                    }
                }
                out.push(PDI);
            }
            Part::Select {
                select,
                variants,
                default,
            } => {
                let chosen = match arg(args, select) {
                    Some(Arg::Num(n)) => whole_number(*n)
                        .and_then(|exact| variants.iter().position(|(k, _)| *k == exact))
                        .or_else(|| {
                            let category = (numbers.plural)(*n);
                            variants.iter().position(|(k, _)| k == category)
                        }),
                    Some(Arg::Str(s)) => variants.iter().position(|(k, _)| k == s),
                    None => None,
                }
                .unwrap_or(*default);
                if let Some((_, parts)) = variants.get(chosen) {
                    write_parts(out, parts, args, numbers);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let json = r#"{"lang":"ar","messages":{
            "hello":["Hello, ",{"var":"name"},"!"],
            "people":[{"select":"n","variants":[["0",["nobody"]],["one",["one person"]],["other",[{"var":"n"}," people"]]],"default":2}]
        }}"#;
        serde_json::from_str(json).unwrap()
    }

    fn english(n: f64) -> &'static str {
        if n == 1.0 {
            "one"
        } else {
            "other"
        }
    }

    #[test]
    fn variables_are_isolated_and_selectors_pick_exact_then_category_then_default() {
        let c = catalog();
        assert_eq!(
            c.format("hello", &[("name", "7K3MQ-9XA0Z".into())], &english),
            "Hello, \u{2068}7K3MQ-9XA0Z\u{2069}!"
        );
        assert_eq!(
            c.format("people", &[("n", 0u32.into())], &english),
            "nobody"
        );
        assert_eq!(
            c.format("people", &[("n", 1u32.into())], &english),
            "one person"
        );
        assert_eq!(
            c.format("people", &[("n", 5u32.into())], &english),
            "\u{2068}5\u{2069} people"
        );
        assert_eq!(
            c.format("people", &[], &english),
            "{n} people".replace("{n}", "\u{2068}{n}\u{2069}")
        );
        assert_eq!(c.format("missing", &[], &english), "missing");
    }

    #[test]
    fn numbers_are_written_by_the_language_but_chosen_by_value() {
        let c = catalog();
        let french = |n: f64| plain_number(n).replace('.', ",");
        assert_eq!(
            c.format_with("people", &[("n", 2.5f64.into())], &english, &french),
            "\u{2068}2,5\u{2069} people"
        );
        // The exact variant `[0]` matches the value, however the language writes it.
        let arabic = |n: f64| plain_number(n).replace('0', "٠");
        assert_eq!(
            c.format_with("people", &[("n", 0u32.into())], &english, &arabic),
            "nobody"
        );
        assert_eq!(plain_number(3.0), "3");
        assert_eq!(plain_number(2.5), "2.5");
    }

    #[test]
    fn parts_read_back_as_written_and_a_wrong_shape_is_named() {
        let c = catalog();
        let again: Catalog = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(again, c);
        for bad in [
            r#"[{"var":"n","select":"n"}]"#,
            r#"[{"select":"n","variants":[]}]"#,
            r#"[{"colour":"n"}]"#,
            r#"[3]"#,
        ] {
            assert!(
                serde_json::from_str::<Vec<Part>>(bad).is_err(),
                "{bad} is refused"
            );
        }
    }
}
