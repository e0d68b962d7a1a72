//! XLSForm, the spreadsheet format of ODK, Enketo and KoboToolbox, for the subset this app
//! supports: the `survey`, `choices` and `settings` sheets; `label::es` or `label::Español (es)`
//! columns; `begin group`/`end group` (a top-level group with `appearance` `field-list` is a
//! page) and `begin repeat`/`end repeat`; `text`, `integer`, `decimal`, `date`, `select_one`,
//! `select_multiple`; `required`, `relevant`, `constraint`, `constraint_message`, `hint`.
//!
//! Beyond XLSForm, columns for what it has no words for: `min_length`, `max_length`, `pattern`,
//! `min`, `max`, `not_before`, `not_after`, `frequent`, `min_items`, `max_items`, `item_id`,
//! `max_per_person`, `people`; types `phone`, `yes_no`, `long_text`, `documents LIST`; and in
//! `settings`, the roles (`role_name`, `role_household`, …). Anything else is refused with a
//! message naming its sheet, row and column, never silently dropped.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use protocol::definition::{Choice, ChoiceList, FormDefinition, Item, Page, Roles, Text};

/// A problem at a place in the spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetProblem {
    pub sheet: String,
    /// As the spreadsheet numbers rows (the header is row 1); 0 for the sheet as a whole.
    pub row: usize,
    /// The column's header; empty for the row as a whole.
    pub column: String,
    pub message: String,
}

impl fmt::Display for SheetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, _) => write!(f, "sheet `{}`: {}", self.sheet, self.message),
            (row, true) => write!(f, "sheet `{}`, row {row}: {}", self.sheet, self.message),
            (row, false) => write!(
                f,
                "sheet `{}`, row {row}, column `{}`: {}",
                self.sheet, self.column, self.message
            ),
        }
    }
}

/// Columns of XLSForm this app does not support; a cell in one is refused.
const UNSUPPORTED: &[&str] = &[
    "calculation",
    "default",
    "read_only",
    "choice_filter",
    "repeat_count",
    "parameters",
    "trigger",
    "required_message",
    "image",
    "audio",
    "video",
    "media",
];

/// Appearances that change only how a choice list looks; they are accepted and left to the app.
const HARMLESS_APPEARANCES: &[&str] = &[
    "minimal",
    "horizontal",
    "horizontal-compact",
    "autocomplete",
];

/// A sheet as text cells, with its header.
struct Sheet {
    name: String,
    header: Vec<String>,
    /// (spreadsheet row number, cells)
    rows: Vec<(usize, Vec<String>)>,
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

impl Sheet {
    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.column(name)
            .and_then(|i| row.get(i))
            .map_or("", String::as_str)
    }

    /// Text columns such as `label::es`, keyed by language.
    fn texts(&self, row: &[String], base: &str, default_lang: &str) -> Text {
        let mut out = Text::new();
        for (i, h) in self.header.iter().enumerate() {
            let Some(lang) = language_of(h, base, default_lang) else {
                continue;
            };
            if let Some(value) = row.get(i).filter(|v| !v.is_empty()) {
                out.insert(lang, value.clone());
            }
        }
        out
    }
}

/// `label` → the default language; `label::es` → `es`; `label::Español (es)` → `es`.
fn language_of(header: &str, base: &str, default_lang: &str) -> Option<String> {
    if header == base {
        return Some(default_lang.to_owned());
    }
    let rest = header.strip_prefix(base)?.strip_prefix("::")?.trim();
    Some(match (rest.rfind('('), rest.ends_with(')')) {
        (Some(open), true) => rest[open + 1..rest.len() - 1].trim().to_owned(),
        _ => rest.to_owned(),
    })
}

fn read_sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Result<Option<Sheet>, SheetProblem> {
    if !book.sheet_names().iter().any(|s| s == name) {
        return Ok(None);
    }
    let range = book.worksheet_range(name).map_err(|e| SheetProblem {
        sheet: name.into(),
        row: 0,
        column: String::new(),
        message: format!("cannot be read: {e}"),
    })?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows = range.rows().enumerate().map(|(i, cells)| {
        let mut text: Vec<String> = vec![String::new(); first_col];
        text.extend(cells.iter().map(cell_text));
        (first_row + i + 1, text)
    });
    let Some((_, header)) = rows.next() else {
        return Ok(Some(Sheet {
            name: name.into(),
            header: Vec::new(),
            rows: Vec::new(),
        }));
    };
    let header = header
        .into_iter()
        .map(|h| h.to_ascii_lowercase_keep_lang())
        .collect();
    Ok(Some(Sheet {
        name: name.into(),
        header,
        rows: rows
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect(),
    }))
}

/// Column names are matched without regard to case, but a language name keeps its own.
trait HeaderCase {
    fn to_ascii_lowercase_keep_lang(&self) -> String;
}

impl HeaderCase for String {
    fn to_ascii_lowercase_keep_lang(&self) -> String {
        match self.split_once("::") {
            Some((base, lang)) => format!("{}::{}", base.trim().to_ascii_lowercase(), lang.trim()),
            None => self.trim().to_ascii_lowercase(),
        }
    }
}

struct Import {
    problems: Vec<SheetProblem>,
    default_lang: String,
}

impl Import {
    fn problem(&mut self, sheet: &str, row: usize, column: &str, message: impl Into<String>) {
        self.problems.push(SheetProblem {
            sheet: sheet.into(),
            row,
            column: column.into(),
            message: message.into(),
        });
    }

    fn yes_no(&mut self, sheet: &Sheet, row: usize, cells: &[String], column: &str) -> bool {
        match sheet.get(cells, column).to_ascii_lowercase().as_str() {
            "" | "no" | "false" | "false()" | "0" => false,
            "yes" | "true" | "true()" | "1" => true,
            other => {
                self.problem(
                    &sheet.name,
                    row,
                    column,
                    format!("`{other}` is not yes or no"),
                );
                false
            }
        }
    }

    fn number<T: std::str::FromStr>(
        &mut self,
        sheet: &Sheet,
        row: usize,
        cells: &[String],
        column: &str,
    ) -> Option<T> {
        let text = sheet.get(cells, column);
        if text.is_empty() {
            return None;
        }
        match text.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.problem(
                    &sheet.name,
                    row,
                    column,
                    format!("`{text}` is not a number"),
                );
                None
            }
        }
    }

    fn optional(sheet: &Sheet, cells: &[String], column: &str) -> Option<String> {
        Some(sheet.get(cells, column).to_owned()).filter(|s| !s.is_empty())
    }

    /// Columns this importer does not know, or knows and does not support.
    fn check_columns(&mut self, sheet: &Sheet, known: &[&str], texts: &[&str]) {
        for (i, h) in sheet.header.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let base = h.split("::").next().unwrap_or(h);
            if known.contains(&h.as_str()) || texts.contains(&base) {
                continue;
            }
            let message = if UNSUPPORTED.contains(&base) {
                format!("`{base}` is not supported by this app")
            } else {
                format!("unknown column `{h}`")
            };
            for (row, cells) in &sheet.rows {
                if cells.get(i).is_some_and(|c| !c.is_empty()) {
                    self.problem(&sheet.name, *row, h, message.clone());
                }
            }
        }
    }
}

/// Where the rows go as groups open and close.
enum Open {
    Page(Page, usize),
    Container(Box<Item>, usize),
}

const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "required",
    "relevant",
    "constraint",
    "appearance",
    "min_length",
    "max_length",
    "pattern",
    "min",
    "max",
    "not_before",
    "not_after",
    "frequent",
    "min_items",
    "max_items",
    "item_id",
    "max_per_person",
    "people",
];

/// Reads an `.xlsx` XLSForm into a definition (checked afterwards like any other).
pub fn import(bytes: &[u8]) -> Result<FormDefinition, Vec<SheetProblem>> {
    let whole = |message: String| {
        vec![SheetProblem {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            message,
        }]
    };
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec()))
        .map_err(|e| whole(format!("not an .xlsx spreadsheet: {e}")))?;
    let survey = read_sheet(&mut book, "survey").map_err(|p| vec![p])?;
    let choices = read_sheet(&mut book, "choices").map_err(|p| vec![p])?;
    let settings = read_sheet(&mut book, "settings").map_err(|p| vec![p])?;
    let Some(survey) = survey else {
        return Err(whole("an XLSForm needs a `survey` sheet".into()));
    };

    let setting = |column: &str| -> String {
        settings
            .as_ref()
            .and_then(|s| {
                s.rows
                    .first()
                    .map(|(_, cells)| s.get(cells, column).to_owned())
            })
            .unwrap_or_default()
    };
    let default_lang = {
        let d = setting("default_language");
        language_of(&format!("label::{d}"), "label", "")
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "en".into())
    };
    let mut imp = Import {
        problems: Vec::new(),
        default_lang: default_lang.clone(),
    };
    imp.check_columns(
        &survey,
        SURVEY_COLUMNS,
        &["label", "hint", "constraint_message"],
    );

    // Languages: the default first, then as the columns name them.
    let mut languages = vec![default_lang.clone()];
    let sheets = [Some(&survey), choices.as_ref()];
    for sheet in sheets.into_iter().flatten() {
        for h in &sheet.header {
            for base in ["label", "hint", "constraint_message"] {
                if let Some(lang) = language_of(h, base, &default_lang) {
                    if !languages.contains(&lang) {
                        languages.push(lang);
                    }
                }
            }
        }
    }

    let mut lists: BTreeMap<String, ChoiceList> = BTreeMap::new();
    if let Some(choices) = &choices {
        imp.check_columns(choices, &["list_name", "name"], &["label"]);
        for (row, cells) in &choices.rows {
            let list = choices.get(cells, "list_name");
            let name = choices.get(cells, "name");
            if list.is_empty() {
                imp.problem(
                    "choices",
                    *row,
                    "list_name",
                    "every choice needs its list's name",
                );
                continue;
            }
            if name.is_empty() {
                imp.problem("choices", *row, "name", "every choice needs a name");
                continue;
            }
            let entry = lists
                .entry(list.to_owned())
                .or_insert_with(|| ChoiceList::Listed(Vec::new()));
            if let ChoiceList::Listed(entries) = entry {
                entries.push(Choice {
                    name: name.to_owned(),
                    label: choices.texts(cells, "label", &imp.default_lang),
                });
            }
        }
    }

    let mut pages: Vec<Page> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    for (row, cells) in &survey.rows {
        let row = *row;
        let kind_cell = survey.get(cells, "type");
        let mut words = kind_cell.split_whitespace();
        let first = words.next().unwrap_or("").to_ascii_lowercase();
        let rest: Vec<&str> = words.collect();
        let (kind, list): (String, Option<String>) = match (first.as_str(), rest.as_slice()) {
            ("begin", ["group"]) | ("begin_group", []) => ("begin group".into(), None),
            ("end", ["group"]) | ("end_group", []) => ("end group".into(), None),
            ("begin", ["repeat"]) | ("begin_repeat", []) => ("begin repeat".into(), None),
            ("end", ["repeat"]) | ("end_repeat", []) => ("end repeat".into(), None),
            ("select_one" | "select_multiple" | "documents", [list]) => {
                (first.clone(), Some((*list).to_owned()))
            }
            ("text" | "integer" | "decimal" | "date" | "phone" | "yes_no" | "long_text", []) => {
                (first.clone(), None)
            }
            ("", _) => {
                imp.problem("survey", row, "type", "every row needs a type");
                continue;
            }
            _ => {
                imp.problem(
                    "survey",
                    row,
                    "type",
                    format!("type `{kind_cell}` is not supported by this app"),
                );
                continue;
            }
        };
        let appearance = survey.get(cells, "appearance").to_owned();
        match kind.as_str() {
            "end group" | "end repeat" => {
                let want_repeat = kind == "end repeat";
                let Some(open) = stack.pop() else {
                    imp.problem(
                        "survey",
                        row,
                        "type",
                        format!("`{kind}` without its `begin`"),
                    );
                    continue;
                };
                let item = match open {
                    Open::Page(page, _) if !want_repeat => {
                        pages.push(page);
                        continue;
                    }
                    Open::Container(item, _) if (item.kind == "repeat") == want_repeat => *item,
                    Open::Page(_, begun) | Open::Container(_, begun) => {
                        imp.problem(
                            "survey",
                            row,
                            "type",
                            format!("`{kind}` closes the group begun on row {begun}"),
                        );
                        continue;
                    }
                };
                place(&mut stack, &mut pages, item);
                continue;
            }
            _ => {}
        }
        let name = survey.get(cells, "name").to_owned();
        if name.is_empty() {
            imp.problem("survey", row, "name", "every row needs a name");
            continue;
        }
        let label = survey.texts(cells, "label", &imp.default_lang);
        if kind == "begin group" && stack.is_empty() && appearance == "field-list" {
            if let Some(relevant) = Some(survey.get(cells, "relevant")).filter(|r| !r.is_empty()) {
                stack.push(Open::Page(
                    Page {
                        name,
                        label,
                        relevant: Some(relevant.to_owned()),
                        items: Vec::new(),
                    },
                    row,
                ));
            } else {
                stack.push(Open::Page(
                    Page {
                        name,
                        label,
                        relevant: None,
                        items: Vec::new(),
                    },
                    row,
                ));
            }
            continue;
        }
        let mut kind_name = match kind.as_str() {
            "begin group" => "group".to_owned(),
            "begin repeat" => "repeat".to_owned(),
            other => other.to_owned(),
        };
        match appearance.as_str() {
            "" => {}
            "multiline" if kind_name == "text" => kind_name = "long_text".into(),
            "field-list" if kind_name == "group" => {}
            a if HARMLESS_APPEARANCES.contains(&a) && kind_name.starts_with("select") => {}
            a => imp.problem(
                "survey",
                row,
                "appearance",
                format!("appearance `{a}` is not supported here"),
            ),
        }
        let list = list.map(|l| {
            if !lists.contains_key(&l) && (l == "countries" || l == "languages") {
                lists.insert(l.clone(), ChoiceList::Builtin { builtin: l.clone() });
            }
            l
        });
        let item = Item {
            name,
            kind: kind_name.clone(),
            label,
            hint: survey.texts(cells, "hint", &imp.default_lang),
            required: imp.yes_no(&survey, row, cells, "required"),
            relevant: Import::optional(&survey, cells, "relevant"),
            constraint: Import::optional(&survey, cells, "constraint"),
            constraint_message: survey.texts(cells, "constraint_message", &imp.default_lang),
            min_length: imp.number(&survey, row, cells, "min_length"),
            max_length: imp.number(&survey, row, cells, "max_length"),
            pattern: Import::optional(&survey, cells, "pattern"),
            min: imp.number(&survey, row, cells, "min"),
            max: imp.number(&survey, row, cells, "max"),
            not_before: Import::optional(&survey, cells, "not_before"),
            not_after: Import::optional(&survey, cells, "not_after"),
            choices: list,
            frequent: survey
                .get(cells, "frequent")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            items: Vec::new(),
            min_items: imp.number(&survey, row, cells, "min_items"),
            max_items: imp.number(&survey, row, cells, "max_items"),
            item_id: Import::optional(&survey, cells, "item_id"),
            max_per_person: imp.number(&survey, row, cells, "max_per_person"),
            people: Import::optional(&survey, cells, "people"),
        };
        if kind_name == "group" || kind_name == "repeat" {
            stack.push(Open::Container(Box::new(item), row));
        } else {
            place(&mut stack, &mut pages, item);
        }
    }
    for open in stack.iter().rev() {
        let (Open::Page(_, row) | Open::Container(_, row)) = open;
        imp.problem(
            "survey",
            *row,
            "type",
            "this group is never closed with `end group` (or `end repeat`)",
        );
    }

    let form_id = setting("form_id");
    if form_id.is_empty() {
        imp.problem("settings", 2, "form_id", "the form needs a `form_id`");
    }
    let version_text = setting("version");
    let version = version_text.parse::<u32>().unwrap_or_else(|_| {
        imp.problem(
            "settings",
            2,
            "version",
            format!("the version must be a whole number (1, 2, …), not `{version_text}`"),
        );
        0
    });
    let mut title = Text::new();
    if let Some(s) = &settings {
        if let Some((_, cells)) = s.rows.first() {
            title = s.texts(cells, "form_title", &imp.default_lang);
        }
        imp.check_columns(
            s,
            &[
                "form_id",
                "version",
                "default_language",
                "role_name",
                "role_date_of_birth",
                "role_household",
                "role_member_name",
                "role_member_date_of_birth",
                "role_relationship",
            ],
            &["form_title"],
        );
    }
    let role = |c: &str| Some(setting(c)).filter(|s| !s.is_empty());
    let roles = Roles {
        name: setting("role_name"),
        date_of_birth: role("role_date_of_birth"),
        household: role("role_household"),
        member_name: role("role_member_name"),
        member_date_of_birth: role("role_member_date_of_birth"),
        relationship: role("role_relationship"),
    };
    if roles.name.is_empty() {
        imp.problem(
            "settings",
            2,
            "role_name",
            "name the field that holds the person's name (`role_name`)",
        );
    }
    if !imp.problems.is_empty() {
        return Err(imp.problems);
    }
    Ok(FormDefinition {
        form_id,
        version,
        title,
        languages,
        pages,
        choices: lists,
        roles,
    })
}

/// Puts a finished item into what is open, or onto a page of its own at the top level.
fn place(stack: &mut [Open], pages: &mut Vec<Page>, item: Item) {
    match stack.last_mut() {
        Some(Open::Page(page, _)) => page.items.push(item),
        Some(Open::Container(parent, _)) => parent.items.push(item),
        None => pages.push(Page {
            name: item.name.clone(),
            label: item.label.clone(),
            relevant: None,
            items: vec![item],
        }),
    }
}
