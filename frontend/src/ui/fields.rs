//! The form's fields, made once and made accessible: every input has its label, its hint and its
//! problem tied to it (`aria-describedby`, `aria-invalid`), targets are at least 44 px, dates of
//! birth are three plain boxes (day, month, year) that every browser and keyboard can fill, and
//! long lists (countries, languages) can be searched by typing, with the organisation's most
//! frequent choices first.

use std::sync::Arc;

use leptos::prelude::*;

use super::use_lang;
use crate::i18n::{tr, tr_with, Lang, Msg};
use crate::platform;

/// The id of the element that explains a field's problem.
pub fn error_id(id: &str) -> String {
    format!("{id}-error")
}

/// What a field shows, read reactively: a signal, so each kind of field is compiled once however
/// many of it the form has (generic closures would copy the field's code into every use).
pub type Shown<T> = Signal<T>;

/// What a field does with what the person entered.
pub type Write<T> = Arc<dyn Fn(T) + Send + Sync>;

/// The problem shown under a field, tied to it by id.
pub(super) fn problem_view(id: String, problem: Shown<Option<Msg>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        problem.get().map(|m| {
            view! { <p class="field-error" data-testid="field-error" id=error_id(&id)>{move || tr(lang.get(), m)}</p> }
        })
    }
}

/// How a text field behaves.
#[derive(Clone, Copy)]
pub struct TextKind {
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    pub maxlength: usize,
    /// Left to right whatever the page's direction (phone numbers, codes).
    pub ltr: bool,
    pub multiline: bool,
}

impl TextKind {
    pub const NAME: TextKind = TextKind {
        input_type: "text",
        autocomplete: "name",
        inputmode: "text",
        maxlength: protocol::form::MAX_NAME_CHARS,
        ltr: false,
        multiline: false,
    };
    pub const OTHER_NAME: TextKind = TextKind {
        autocomplete: "off",
        ..TextKind::NAME
    };
    pub const PHONE: TextKind = TextKind {
        input_type: "tel",
        autocomplete: "tel",
        inputmode: "tel",
        maxlength: 40,
        ltr: true,
        multiline: false,
    };
    pub const NOTE: TextKind = TextKind {
        input_type: "text",
        autocomplete: "off",
        inputmode: "text",
        maxlength: protocol::form::MAX_NOTE_CHARS,
        ltr: false,
        multiline: true,
    };
}

/// A labelled text box (or text area).
#[allow(clippy::too_many_arguments)]
pub fn text_field(
    id: String,
    name: &'static str,
    label: Msg,
    kind: TextKind,
    value: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
    problem: impl Fn() -> Option<Msg> + Send + Sync + 'static,
) -> AnyView {
    text_box(
        id,
        name,
        label,
        kind,
        Signal::derive(value),
        Arc::new(set),
        Signal::derive(problem),
    )
}

fn text_box(
    id: String,
    name: &'static str,
    label: Msg,
    kind: TextKind,
    value: Shown<String>,
    set: Write<String>,
    problem: Shown<Option<Msg>>,
) -> AnyView {
    let lang = use_lang();
    let described = error_id(&id);
    let invalid = move || problem.get().is_some().to_string();
    let describedby = move || problem.get().map(|_| described.clone());
    let dir = kind.ltr.then_some("ltr");
    let input = if kind.multiline {
        view! {
            <textarea id=id.clone() name=name rows="4" maxlength=kind.maxlength dir=dir
                aria-invalid=invalid aria-describedby=describedby.clone()
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=name type=kind.input_type autocomplete=kind.autocomplete
                inputmode=kind.inputmode maxlength=kind.maxlength dir=dir
                aria-invalid=invalid aria-describedby=describedby
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev)) />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{move || tr(lang.get(), label)}</label>
            {input}
            {problem_view(id, problem)}
        </div>
    }
    .into_any()
}

/// `YYYY-MM-DD` (or what of it was typed) as the three boxes show it.
fn date_parts(value: &str) -> (String, String, String) {
    let mut parts = value.splitn(3, '-');
    let year = parts.next().unwrap_or("").to_owned();
    let month = parts
        .next()
        .unwrap_or("")
        .trim_start_matches('0')
        .to_owned();
    let day = parts.next().unwrap_or("").to_owned();
    (day, month, year)
}

/// The three boxes as the form keeps them: `YYYY-MM-DD` once they make a date's shape, what was
/// typed otherwise (which validation then calls not a date), empty when all are empty.
pub fn compose_date(day: &str, month: &str, year: &str) -> String {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return String::new();
    }
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if digits(day, 2) && digits(month, 2) && year.len() == 4 && digits(year, 4) {
        let d: u8 = day.parse().unwrap_or(0);
        let m: u8 = month.parse().unwrap_or(0);
        format!("{year}-{m:02}-{d:02}")
    } else {
        format!("{year}-{month}-{day}")
    }
}

/// Month names in `lang`, January first, from the browser.
fn month_names(lang: Lang) -> Vec<String> {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"month".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    let format =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&lang.code().into()), &options);
    (0..12)
        .map(|m| {
            let date = js_sys::Date::new_with_year_month_day(2000, m, 15);
            format
                .format()
                .call1(&format, &date)
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| (m + 1).to_string())
        })
        .collect()
}

/// A date of birth as three boxes, as people say it: day, month (by name), year. Works the same
/// in every browser and with any keyboard; the order follows the page's direction.
pub fn date_field(
    id: String,
    label: Msg,
    value: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
    problem: impl Fn() -> Option<Msg> + Send + Sync + 'static,
) -> AnyView {
    let lang = use_lang();
    date_boxes(
        id,
        Signal::derive(move || tr(lang.get(), label)),
        &value(),
        Arc::new(set),
        Signal::derive(problem),
    )
}

/// The same three boxes under a label of the form's own (a definition's date field).
pub fn date_field_labelled(
    id: String,
    label: Signal<String>,
    value: &str,
    set: impl Fn(String) + Send + Sync + 'static,
    problem: Signal<Option<Msg>>,
) -> AnyView {
    date_boxes(id, label, value, Arc::new(set), problem)
}

fn date_boxes(
    id: String,
    label: Signal<String>,
    value: &str,
    set: Write<String>,
    problem: Shown<Option<Msg>>,
) -> AnyView {
    let lang = use_lang();
    let (d, m, y) = date_parts(value);
    let day = RwSignal::new(d);
    let month = RwSignal::new(m);
    let year = RwSignal::new(y);
    let write = move || {
        set(compose_date(
            &day.get_untracked(),
            &month.get_untracked(),
            &year.get_untracked(),
        ))
    };
    let write = Arc::new(write);
    let (on_day, on_month, on_year) = (write.clone(), write.clone(), write);
    let described = error_id(&id);
    let invalid = move || problem.get().is_some().to_string();
    let describedby = move || problem.get().map(|_| described.clone());
    let (day_id, month_id, year_id) = (
        format!("{id}-day"),
        format!("{id}-month"),
        format!("{id}-year"),
    );
    let problem_id = id.clone();
    view! {
        <fieldset class="field date" id=id.clone() aria-describedby=describedby.clone()>
            <legend>{move || label.get()}</legend>
            <div class="date-parts">
                <div class="date-part">
                    <label for=day_id.clone()>{move || tr(lang.get(), Msg::DateDay)}</label>
                    <input id=day_id name="dob-day" type="text" inputmode="numeric" autocomplete="bday-day"
                        maxlength="2" size="2" dir="ltr" aria-invalid=invalid
                        prop:value=move || day.get()
                        on:input=move |ev| { day.set(event_target_value(&ev)); on_day() } />
                </div>
                <div class="date-part month">
                    <label for=month_id.clone()>{move || tr(lang.get(), Msg::DateMonth)}</label>
                    <select id=month_id name="dob-month" autocomplete="bday-month" aria-invalid=invalid
                        on:change=move |ev| { month.set(event_target_value(&ev)); on_month() }>
                        <option value="" selected=move || month.get().is_empty()>{move || tr(lang.get(), Msg::ChooseMonth)}</option>
                        {move || month_names(lang.get()).into_iter().enumerate().map(|(i, name)| {
                            let number = (i + 1).to_string();
                            let selected_number = number.clone();
                            view! { <option value=number selected=move || month.get() == selected_number>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="date-part year">
                    <label for=year_id.clone()>{move || tr(lang.get(), Msg::DateYear)}</label>
                    <input id=year_id name="dob-year" type="text" inputmode="numeric" autocomplete="bday-year"
                        maxlength="4" size="4" dir="ltr" aria-invalid=invalid
                        prop:value=move || year.get()
                        on:input=move |ev| { year.set(event_target_value(&ev)); on_year() } />
                </div>
            </div>
            {problem_view(problem_id, problem)}
        </fieldset>
    }
    .into_any()
}

/// Lowercase without accents, for matching what was typed against names.
pub fn folded(s: &str) -> String {
    // The browser's Unicode tables (normalising and lowercasing), not a copy of them in the wasm.
    let decomposed: String = js_sys::JsString::from(s)
        .normalize("NFD")
        .to_lower_case()
        .into();
    decomposed
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect()
}

/// One choice of a searchable list.
#[derive(Clone, PartialEq)]
pub struct Choice {
    pub code: &'static str,
    pub label: String,
    /// Other names it is found by but not shown with (its English name, for a person who types
    /// in Latin letters on a phone set to another script).
    pub also: String,
}

impl Choice {
    /// Whether typing `query` (already [`folded`]) finds this choice: by a part of its name or
    /// its other names, or by its code.
    pub fn matches(&self, query: &str) -> bool {
        query.is_empty()
            || folded(&self.label).contains(query)
            || folded(&self.also).contains(query)
            || self.code.eq_ignore_ascii_case(query)
    }
}

/// A list of choices (radio buttons, or check boxes with `multiple`) that typing into the box
/// above it filters; `frequent` choices come first, under "Most chosen here".
#[allow(clippy::too_many_arguments)]
pub fn searchable_choices(
    id: String,
    name: &'static str,
    legend: Msg,
    search_label: Msg,
    multiple: bool,
    choices: fn(Lang) -> Vec<Choice>,
    frequent: &'static [&'static str],
    selected: impl Fn(&str) -> bool + Send + Sync + 'static,
    toggle: impl Fn(&'static str, bool) + Send + Sync + 'static,
    problem: impl Fn() -> Option<Msg> + Send + Sync + 'static,
) -> AnyView {
    let lang = use_lang();
    SearchableList {
        id,
        name: name.to_owned(),
        legend: Signal::derive(move || tr(lang.get(), legend)),
        search_label,
        multiple,
        choices,
        frequent: frequent.iter().map(|&f| f.to_owned()).collect(),
    }
    .view(
        Arc::new(selected),
        Arc::new(toggle),
        Signal::derive(problem),
    )
}

pub type Selected = Arc<dyn Fn(&str) -> bool + Send + Sync>;
pub type Toggle = Arc<dyn Fn(&'static str, bool) + Send + Sync>;

/// A long list of choices (countries, languages) with a search box above it, the frequent ones
/// first; for the household form's screens and for a defined form's built-in lists alike.
pub struct SearchableList {
    pub id: String,
    pub name: String,
    pub legend: Signal<String>,
    pub search_label: Msg,
    pub multiple: bool,
    pub choices: fn(Lang) -> Vec<Choice>,
    /// The organisation's most frequent choices, in its order.
    pub frequent: Vec<String>,
}

impl SearchableList {
    pub fn view(self, selected: Selected, toggle: Toggle, problem: Signal<Option<Msg>>) -> AnyView {
        let SearchableList {
            id,
            name,
            legend,
            search_label,
            multiple,
            choices,
            frequent,
        } = self;
        let frequent = StoredValue::new(frequent);
        let lang = use_lang();
        let query = RwSignal::new(String::new());
        let search_id = format!("{id}-search");
        let list_id = format!("{id}-list");
        let described = error_id(&id);
        let describedby = move || problem.get().map(|_| described.clone());
        let kind = if multiple { "checkbox" } else { "radio" };
        let fieldset_id = id.clone();
        let matching = move || {
            let q = folded(query.get().trim());
            choices(lang.get())
                .into_iter()
                .filter(|c| c.matches(&q))
                .collect::<Vec<_>>()
        };
        let item = move |c: Choice| {
            let code = c.code;
            let (selected, toggle) = (selected.clone(), toggle.clone());
            view! {
                <li>
                    <label class="choice">
                        <input type=kind name=name.clone() value=code
                            prop:checked=move || selected(code)
                            on:change=move |ev| toggle(code, event_target_checked(&ev)) />
                        <span>{c.label}</span>
                    </label>
                </li>
            }
        };
        view! {
        <fieldset class="choices searchable" id=fieldset_id aria-describedby=describedby>
            <legend>{move || legend.get()}</legend>
            <div class="field search">
                <label for=search_id.clone()>{move || tr(lang.get(), search_label)}</label>
                <input id=search_id type="search" autocomplete="off" aria-controls=list_id.clone()
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            </div>
            <div id=list_id>
                {move || {
                    let all = matching();
                    let rank = |c: &Choice| frequent.with_value(|f| f.iter().position(|x| x == c.code));
                    let (top, rest): (Vec<Choice>, Vec<Choice>) = all.into_iter().partition(|c| rank(c).is_some());
                    // Frequent ones in the organisation's order.
                    let mut top = top;
                    top.sort_unstable_by_key(rank);
                    let none = top.is_empty() && rest.is_empty();
                    view! {
                        {(!top.is_empty()).then(|| view! {
                            <p class="group-label">{move || tr(lang.get(), Msg::MostChosen)}</p>
                            <ul class="choice-list">{top.into_iter().map(item.clone()).collect_view()}</ul>
                        })}
                        {(!rest.is_empty()).then(|| view! {
                            <ul class="choice-list">{rest.into_iter().map(item.clone()).collect_view()}</ul>
                        })}
                        {none.then(|| view! {
                            <p class="empty" role="status">
                                {move || tr_with(lang.get(), Msg::NoMatch, &[("query", query.get().as_str().into())])}
                            </p>
                        })}
                    }
                }}
            </div>
            {problem_view(id, problem)}
        </fieldset>
    }
    .into_any()
    }
}

thread_local! {
    /// Which [`focus_soon`] is the latest: a newer one (the first problem, after the step's
    /// heading) supersedes those still waiting.
    static LATEST_FOCUS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Moves the keyboard focus (and a screen reader) to the element with `id` once the page has
/// drawn it, unless the person has meanwhile put the focus somewhere themselves (a field tapped
/// at once after a step opens keeps it, and on a phone the keyboard stays open).
pub fn focus_soon(id: String) {
    let this = LATEST_FOCUS.with(|latest| {
        latest.set(latest.get() + 1);
        latest.get()
    });
    let before = platform::window()
        .document()
        .and_then(|d| d.active_element());
    gloo_timers::callback::Timeout::new(50, move || {
        let Some(document) = platform::window().document() else {
            return;
        };
        if LATEST_FOCUS.with(|latest| latest.get()) != this {
            return;
        }
        let now = document.active_element();
        let on_nothing = now.is_none() || now == document.body().map(web_sys::Element::from);
        if now != before && !on_nothing {
            return;
        }
        if let Some(el) = document.get_element_by_id(&id) {
            // A fieldset is not focusable itself: its first control is.
            let target = el
                .query_selector("input, select, textarea, button")
                .ok()
                .flatten()
                .filter(|_| el.tag_name().eq_ignore_ascii_case("fieldset"))
                .unwrap_or(el);
            if let Some(el) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&target) {
                let _ = el.focus();
                el.scroll_into_view_with_bool(false);
            }
        }
    })
    .forget();
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn three_boxes_make_a_date_or_keep_what_was_typed() {
        assert_eq!(compose_date("7", "4", "1991"), "1991-04-07");
        assert_eq!(compose_date("17", "12", "2016"), "2016-12-17");
        assert_eq!(compose_date("", "", ""), "");
        assert_eq!(compose_date("7", "", "1991"), "1991--7");
        assert_eq!(compose_date("x", "4", "91"), "91-4-x");
        assert_eq!(
            date_parts("1991-04-07"),
            ("07".into(), "4".into(), "1991".into())
        );
        assert_eq!(
            date_parts("1991--7"),
            ("7".into(), "".into(), "1991".into())
        );
        assert_eq!(date_parts(""), ("".into(), "".into(), "".into()));
    }

    #[test]
    fn typing_matches_without_accents_or_case() {
        assert_eq!(folded("Perú"), "peru");
        assert_eq!(folded("KREYÒL"), "kreyol");
        assert!(folded("Côte d’Ivoire").contains(&folded("cote")));
    }

    #[test]
    fn a_choice_is_found_by_its_name_its_other_names_or_its_code() {
        let honduras = Choice {
            code: "HN",
            label: "هندوراس".into(),
            also: "Honduras".into(),
        };
        assert!(honduras.matches(&folded("هندو")));
        assert!(honduras.matches(&folded("HONDU")));
        assert!(honduras.matches(&folded("hn")));
        assert!(honduras.matches(""));
        assert!(!honduras.matches(&folded("peru")));
    }
}
