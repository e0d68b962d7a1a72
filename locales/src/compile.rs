//! From `.ftl` text to [`Catalog`]s, with every check a translator's mistake could fail.
//!
//! The parser is the Fluent project's own (`fluent-syntax`). What Resguardo's messages use is
//! supported: text, variables, selectors on a variable (plural categories or exact keys), and
//! terms (`-brand`, inlined here). Anything else (functions, message references, attributes) is
//! refused with the message and the reason, so a translator learns it at build time.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use crate::catalog::{Catalog, Part};
use crate::{source, Audience, LANGUAGES, SOURCE};

/// One thing wrong, located: `ar/app.ftl: people: ...`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub lang: String,
    pub file: &'static str,
    pub message: Option<String>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(m) => write!(f, "{}/{}: {m}: {}", self.lang, self.file, self.what),
            None => write!(f, "{}/{}: {}", self.lang, self.file, self.what),
        }
    }
}

/// A compiled file and what its messages use, for checking against English.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub catalog: Catalog,
    /// Message IDs in file order.
    pub order: Vec<String>,
    /// Variables each message refers to.
    pub variables: BTreeMap<String, BTreeSet<String>>,
}

struct Context<'s> {
    terms: BTreeMap<&'s str, &'s ast::Pattern<&'s str>>,
    problems: Vec<(Option<String>, String)>,
}

/// Parses and compiles one file; every problem found, or the result.
pub fn compile(lang: &str, text: &str) -> Result<Compiled, Vec<(Option<String>, String)>> {
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(r) => r,
        Err((_, errors)) => {
            return Err(errors
                .iter()
                .map(|e| {
                    let line = text[..e.pos.start.min(text.len())].matches('\n').count() + 1;
                    (None, format!("line {line}: {:?}", e.kind))
                })
                .collect())
        }
    };
    let mut cx = Context {
        terms: BTreeMap::new(),
        problems: Vec::new(),
    };
    for entry in &resource.body {
        if let ast::Entry::Term(term) = entry {
            cx.terms.insert(term.id.name, &term.value);
        }
    }
    let mut catalog = Catalog {
        lang: lang.to_owned(),
        messages: BTreeMap::new(),
    };
    let mut order = Vec::new();
    let mut variables = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(message) => {
                let id = message.id.name.to_owned();
                if !message.attributes.is_empty() {
                    cx.problems
                        .push((Some(id.clone()), "attributes are not used here".into()));
                }
                let Some(value) = &message.value else {
                    cx.problems.push((Some(id.clone()), "no text".into()));
                    continue;
                };
                let mut vars = BTreeSet::new();
                let parts = cx.pattern(&id, value, &mut vars, 0);
                if catalog.messages.insert(id.clone(), parts).is_some() {
                    cx.problems.push((Some(id.clone()), "defined twice".into()));
                }
                variables.insert(id.clone(), vars);
                order.push(id);
            }
            ast::Entry::Junk { content } => {
                let first = content.lines().next().unwrap_or("");
                cx.problems
                    .push((None, format!("cannot be read: `{first}`")));
            }
            _ => {}
        }
    }
    if cx.problems.is_empty() {
        Ok(Compiled {
            catalog,
            order,
            variables,
        })
    } else {
        Err(cx.problems)
    }
}

impl<'s> Context<'s> {
    fn pattern(
        &mut self,
        id: &str,
        pattern: &ast::Pattern<&'s str>,
        vars: &mut BTreeSet<String>,
        depth: u32,
    ) -> Vec<Part> {
        let mut parts: Vec<Part> = Vec::new();
        let push_text = |parts: &mut Vec<Part>, text: &str| {
            if let Some(Part::Text(last)) = parts.last_mut() {
                last.push_str(text);
            } else if !text.is_empty() {
                parts.push(Part::Text(text.to_owned()));
            }
        };
        for element in &pattern.elements {
            match element {
                ast::PatternElement::TextElement { value } => push_text(&mut parts, value),
                ast::PatternElement::Placeable { expression } => match expression {
                    ast::Expression::Inline(inline) => match self.inline(id, inline, vars, depth) {
                        Inline::Text(text) => push_text(&mut parts, &text),
                        Inline::Parts(more) => {
                            for part in more {
                                match part {
                                    Part::Text(t) => push_text(&mut parts, &t),
                                    other => parts.push(other),
                                }
                            }
                        }
                        Inline::Var(var) => parts.push(Part::Var { var }),
                        Inline::Refused => {}
                    },
                    ast::Expression::Select { selector, variants } => {
                        let ast::InlineExpression::VariableReference { id: var } = selector else {
                            self.problems.push((
                                Some(id.to_owned()),
                                "a choice must be on a variable ({ $n -> ... })".into(),
                            ));
                            continue;
                        };
                        vars.insert(var.name.to_owned());
                        let mut compiled = Vec::new();
                        let mut default = None;
                        for (i, variant) in variants.iter().enumerate() {
                            let key = match &variant.key {
                                ast::VariantKey::Identifier { name } => (*name).to_owned(),
                                ast::VariantKey::NumberLiteral { value } => (*value).to_owned(),
                            };
                            if variant.default {
                                default = Some(i);
                            }
                            compiled.push((key, self.pattern(id, &variant.value, vars, depth)));
                        }
                        match default {
                            Some(default) => parts.push(Part::Select {
                                select: var.name.to_owned(),
                                variants: compiled,
                                default,
                            }),
                            None => self.problems.push((
                                Some(id.to_owned()),
                                "a choice needs a default variant marked with *".into(),
                            )),
                        }
                    }
                },
            }
        }
        parts
    }

    fn inline(
        &mut self,
        id: &str,
        inline: &ast::InlineExpression<&'s str>,
        vars: &mut BTreeSet<String>,
        depth: u32,
    ) -> Inline {
        match inline {
            ast::InlineExpression::StringLiteral { value } => Inline::Text(unescape(value)),
            ast::InlineExpression::NumberLiteral { value } => Inline::Text((*value).to_owned()),
            ast::InlineExpression::VariableReference { id: var } => {
                vars.insert(var.name.to_owned());
                Inline::Var(var.name.to_owned())
            }
            ast::InlineExpression::TermReference { id: term, .. } if depth < 8 => {
                match self.terms.get(term.name).copied() {
                    Some(value) => Inline::Parts(self.pattern(id, value, vars, depth + 1)),
                    None => {
                        self.problems
                            .push((Some(id.to_owned()), format!("no term -{}", term.name)));
                        Inline::Refused
                    }
                }
            }
            ast::InlineExpression::Placeable { expression } => {
                let pattern = ast::Pattern {
                    elements: vec![ast::PatternElement::Placeable {
                        expression: (**expression).clone(),
                    }],
                };
                Inline::Parts(self.pattern(id, &pattern, vars, depth + 1))
            }
            other => {
                let what = match other {
                    ast::InlineExpression::FunctionReference { .. } => "functions",
                    ast::InlineExpression::MessageReference { .. } => "references to messages",
                    _ => "terms nested this deep",
                };
                self.problems
                    .push((Some(id.to_owned()), format!("{what} are not supported")));
                Inline::Refused
            }
        }
    }
}

enum Inline {
    Text(String),
    Parts(Vec<Part>),
    Var(String),
    Refused,
}

/// `\"`, `\\`, `\uXXXX` and `\UXXXXXX` in string literals.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some('U') => {
                let hex: String = chars.by_ref().take(6).collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Every language's file for `audience`, compiled and checked against English: the catalogs,
/// or every problem in every language.
pub fn compile_all(audience: Audience) -> Result<Vec<Catalog>, Vec<Problem>> {
    let file = audience.file_name();
    let mut problems = Vec::new();
    let located = |lang: &str, (message, what): (Option<String>, String)| Problem {
        lang: lang.to_owned(),
        file,
        message,
        what,
    };
    let compiled: Vec<(String, Result<Compiled, _>)> = LANGUAGES
        .iter()
        .map(|l| {
            let text = source(l.code, audience).unwrap_or("");
            (l.code.to_owned(), compile(l.code, text))
        })
        .collect();
    let english = compiled
        .iter()
        .find(|(l, _)| l == SOURCE)
        .and_then(|(_, c)| c.as_ref().ok())
        .cloned();
    let mut catalogs = Vec::new();
    for (lang, result) in compiled {
        match result {
            Err(found) => problems.extend(found.into_iter().map(|p| located(&lang, p))),
            Ok(c) => {
                if let Some(en) = &english {
                    problems.extend(compare(en, &c).into_iter().map(|p| located(&lang, p)));
                }
                problems.extend(
                    plural_gaps(&lang, &c.catalog)
                        .into_iter()
                        .map(|p| located(&lang, p)),
                );
                catalogs.push(c.catalog);
            }
        }
    }
    if problems.is_empty() {
        Ok(catalogs)
    } else {
        problems.sort();
        Err(problems)
    }
}

const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// Plural choices that lack a form the language's CLDR rules use: Arabic says 0, 1, 2, 3–10,
/// 11–99 and 100 people in six different ways, and a choice without `[two]` would say "2
/// people" wrongly. A choice is a plural one when a variant is named by a plural category other
/// than `other` (which a choice on words also uses).
fn plural_gaps(lang: &str, catalog: &Catalog) -> Vec<(Option<String>, String)> {
    let rules = crate::plural::rules(lang);
    let mut used: Vec<&str> = (0..=1000).map(|n| rules(f64::from(n))).collect();
    used.sort_unstable();
    used.dedup();
    let mut problems = Vec::new();
    fn walk<'a>(parts: &'a [Part], found: &mut Vec<&'a [(String, Vec<Part>)]>) {
        for part in parts {
            if let Part::Select { variants, .. } = part {
                found.push(variants);
                for (_, inner) in variants {
                    walk(inner, found);
                }
            }
        }
    }
    for (id, parts) in &catalog.messages {
        let mut choices = Vec::new();
        walk(parts, &mut choices);
        for variants in choices {
            let keys: Vec<&str> = variants.iter().map(|(k, _)| k.as_str()).collect();
            if !keys
                .iter()
                .any(|k| *k != "other" && PLURAL_CATEGORIES.contains(k))
            {
                continue;
            }
            // An exact `[0]` may speak for "zero", `[1]` for "one", `[2]` for "two".
            let covers = |category: &str| {
                let exact = match category {
                    "zero" => Some("0"),
                    "one" => Some("1"),
                    "two" => Some("2"),
                    _ => None,
                };
                keys.contains(&category) || exact.is_some_and(|e| keys.contains(&e))
            };
            let missing: Vec<&str> = used
                .iter()
                .copied()
                .filter(|c| *c != "other" && !covers(c))
                .collect();
            if !missing.is_empty() {
                problems.push((
                    Some(id.clone()),
                    format!(
                        "a plural choice lacks the form(s) {} this language uses",
                        missing.join(", ")
                    ),
                ));
            }
        }
    }
    problems
}

/// What differs between a translation and English.
fn compare(en: &Compiled, other: &Compiled) -> Vec<(Option<String>, String)> {
    let mut problems = Vec::new();
    for id in &en.order {
        match other.variables.get(id) {
            None => problems.push((Some(id.clone()), "missing (English has it)".into())),
            Some(vars) => {
                let allowed = &en.variables[id];
                for var in vars.difference(allowed) {
                    problems.push((
                        Some(id.clone()),
                        format!("uses ${var}, which English does not give it"),
                    ));
                }
            }
        }
    }
    for id in &other.order {
        if !en.variables.contains_key(id) {
            problems.push((
                Some(id.clone()),
                "not in English (misspelt or left over?)".into(),
            ));
        }
    }
    problems
}

/// The message IDs of English's file for `audience`, in order (what code may refer to).
pub fn source_ids(audience: Audience) -> Vec<String> {
    source(SOURCE, audience)
        .and_then(|text| compile(SOURCE, text).ok())
        .map(|c| c.order)
        .unwrap_or_default()
}

/// `people-count` → `PeopleCount`: the `Msg` variant generated for a message ID.
pub fn variant_name(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Arg;

    #[test]
    fn every_shipped_file_compiles_and_matches_english() {
        for audience in [Audience::App, Audience::Staff] {
            if let Err(problems) = compile_all(audience) {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                panic!("{} problems:\n{}", list.len(), list.join("\n"));
            }
        }
    }

    #[test]
    fn multiline_plurals_compile_to_choices() {
        let c = compile(
            "en",
            "people =\n    { $n ->\n        [one] 1 person\n       *[other] { $n } people\n    }\n-brand = Resguardo\nhi = Hi from { -brand }, { \"quoted\" }\n",
        )
        .unwrap();
        let plural = |n: f64| if n == 1.0 { "one" } else { "other" };
        assert_eq!(
            c.catalog.format("people", &[("n", Arg::Num(1.0))], &plural),
            "1 person"
        );
        assert_eq!(
            c.catalog.format("people", &[("n", Arg::Num(3.0))], &plural),
            "\u{2068}3\u{2069} people"
        );
        assert_eq!(
            c.catalog.format("hi", &[], &plural),
            "Hi from Resguardo, quoted"
        );
        assert_eq!(c.order, vec!["people", "hi"]);
    }

    #[test]
    fn a_translators_mistakes_are_each_named() {
        let en = compile("en", "a = A { $name }\nb = B\nc = C\n").unwrap();
        let xx = compile("xx", "a = A { $nmae }\nc = C\nd = D\n").unwrap();
        let found = compare(&en, &xx);
        assert!(found.contains(&(
            Some("a".into()),
            "uses $nmae, which English does not give it".into()
        )));
        assert!(found.contains(&(Some("b".into()), "missing (English has it)".into())));
        assert!(found.contains(&(
            Some("d".into()),
            "not in English (misspelt or left over?)".into()
        )));
        let broken = compile(
            "xx",
            "a = { $n ->\n  [one] x\n}\nb = { NUMBER($n) }\nc = {\n",
        )
        .unwrap_err();
        assert!(broken.len() >= 2, "{broken:?}");
    }

    #[test]
    fn a_plural_without_a_form_the_language_uses_is_named() {
        let people = "n = { $n ->\n  [one] one person\n *[other] { $n } people\n}\n";
        // English and French need only "one" and "other" (French also says "many" for millions).
        assert_eq!(
            plural_gaps("en", &compile("en", people).unwrap().catalog),
            vec![]
        );
        let arabic = compile("ar", people).unwrap().catalog;
        assert_eq!(
            plural_gaps("ar", &arabic),
            vec![(
                Some("n".into()),
                "a plural choice lacks the form(s) few, many, two, zero this language uses".into()
            )]
        );
        let whole = "n = { $n ->\n  [0] nobody\n  [one] one\n  [two] two\n  [few] few\n  [many] many\n *[other] other\n}\n";
        assert_eq!(
            plural_gaps("ar", &compile("ar", whole).unwrap().catalog),
            vec![]
        );
        // A choice on words, not numbers, is not a plural.
        let gender = "g = { $g ->\n  [feminine] she\n *[other] they\n}\n";
        assert_eq!(
            plural_gaps("ar", &compile("ar", gender).unwrap().catalog),
            vec![]
        );
    }
}
