//! A case on a form the organisation defined: its pages drawn from the definition the device
//! keeps, in the person's language (the form's first language where it has none), with
//! relevance, groups and repeats; checked by the same interpreter the server runs
//! (`protocol::definition::answers`), autosaved like the household form. A `documents` item
//! draws the same photo step as the household form's, for the person and each entry of the
//! repeat it names (`people`), with the kinds of its choice list.

use std::sync::Arc;

use delivery::actions::SubmitOutcome;
use delivery::DeviceStore;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::definition::{answers, ChoiceList, FormDefinition, Item, Kind, Submission, Text};
use protocol::{FieldCode, FieldError, MemberId, PhotoId};
use serde_json::{Map, Value};

use super::autosave::{self, SaveState};
use super::fields::{self, date_field_labelled, error_id, problem_view, Choice};
use super::form::{countries, spoken_languages, today, SaveIndicator};
use super::photos_step::{self, Desk};
use super::{store, t, use_lang};
use crate::i18n::{field_code, tr, tr_with, Lang, Msg};
use crate::platform;
use crate::store::CaseRecord;

/// A step of an answer's place: a key, or a repeat entry's index.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn get_at<'a>(answers: &'a Map<String, Value>, path: &[Seg]) -> Option<&'a Value> {
    let (Seg::Key(first), rest) = path.split_first()? else {
        return None;
    };
    let mut value = answers.get(first)?;
    for seg in rest {
        value = match seg {
            Seg::Key(k) => value.get(k)?,
            Seg::Index(i) => value.get(*i)?,
        };
    }
    Some(value)
}

/// Writes (or with `None` removes) the answer at `path`, making the groups on the way.
fn set_at(answers: &mut Map<String, Value>, path: &[Seg], value: Option<Value>) {
    let Some((Seg::Key(first), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        match value {
            Some(v) => {
                answers.insert(first.clone(), v);
            }
            None => {
                answers.remove(first);
            }
        }
        return;
    }
    let next_is_index = matches!(rest.first(), Some(Seg::Index(_)));
    let slot = answers.entry(first.clone()).or_insert_with(|| {
        if next_is_index {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    });
    set_in(slot, rest, value);
}

fn set_in(slot: &mut Value, path: &[Seg], value: Option<Value>) {
    match path.split_first() {
        Some((Seg::Key(k), rest)) => {
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(map) = slot {
                set_at(map, &[&[Seg::Key(k.clone())][..], rest].concat(), value);
            }
        }
        Some((Seg::Index(i), rest)) => {
            if let Some(entry) = slot.get_mut(*i) {
                if rest.is_empty() {
                    if let Some(v) = value {
                        *entry = v;
                    }
                } else {
                    set_in(entry, rest, value);
                }
            }
        }
        None => {}
    }
}

fn path_text(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn dom_id(path: &str) -> String {
    format!("f-{}", path.replace('.', "-"))
}

/// The definition path of an answer path (`children.0.age` → `children.age`).
fn def_path(path: &str) -> String {
    path.split('.')
        .filter(|p| p.parse::<usize>().is_err())
        .collect::<Vec<_>>()
        .join(".")
}

fn holds(items: &[Item], prefix: &str, target: &str) -> bool {
    items.iter().any(|i| {
        let p = if prefix.is_empty() {
            i.name.clone()
        } else {
            format!("{prefix}.{}", i.name)
        };
        p == target || holds(&i.items, &p, target)
    })
}

/// Everything a page needs; all `Copy` handles.
#[derive(Clone, Copy)]
struct Ctx {
    record: RwSignal<Option<CaseRecord>>,
    def: StoredValue<Arc<FormDefinition>>,
    errors: Memo<Vec<FieldError>>,
    shown: Memo<answers::Shown>,
    attempted: RwSignal<bool>,
    lang: RwSignal<Lang>,
    /// What the last Send found that the answers alone do not show (photos, the server's words).
    send_problems: RwSignal<Vec<FieldError>>,
    /// The photo step's handles, when the form takes document photos.
    desk: Option<Desk>,
    save_state: RwSignal<SaveState>,
}

impl Ctx {
    fn text(self, text: &Text) -> String {
        let code = self.lang.get().code();
        self.def.with_value(|d| d.text(text, code).to_owned())
    }

    fn value(self, path: &[Seg]) -> Option<Value> {
        self.record.with(|r| {
            r.as_ref()
                .and_then(|r| r.form.as_ref())
                .and_then(|f| get_at(&f.answers, path).cloned())
        })
    }

    fn set(self, path: &[Seg], value: Option<Value>) {
        self.record.update(|r| {
            if let Some(r) = r {
                if let Some(form) = r.form.as_mut() {
                    set_at(&mut form.answers, path, value);
                }
                r.updated_at = platform::now_ms();
            }
        });
    }

    /// The problem beside an answer; "required" waits until the person tries to send.
    fn problem(self, path: &str) -> Option<Msg> {
        let attempted = self.attempted.get();
        self.errors
            .with(|e| {
                e.iter()
                    .filter(|x| x.field == path)
                    .map(|x| x.code)
                    .find(|c| attempted || *c != FieldCode::Required)
            })
            .or_else(|| {
                self.send_problems
                    .with(|e| e.iter().find(|x| x.field == path).map(|x| x.code))
            })
            .map(field_code)
    }

    fn pages(self) -> Vec<usize> {
        let shown = self.shown.with(|s| s.pages.clone());
        self.def.with_value(|d| {
            d.pages
                .iter()
                .enumerate()
                .filter(|(_, p)| shown.contains(&p.name))
                .map(|(i, _)| i)
                .collect()
        })
    }

    fn go_to(self, step: u8) {
        self.record.update(|r| {
            if let Some(r) = r {
                r.step = step.max(1);
            }
        });
        platform::window().scroll_to_with_x_and_y(0.0, 0.0);
        fields::focus_soon("step-title".into());
    }

    /// Shows the page holding `field` and puts the focus on it.
    fn go_to_problem(self, field: &str) {
        let target = match field.strip_prefix("photos") {
            Some(rest) => {
                if let Some(id) = rest.strip_prefix('.').and_then(|r| r.split('.').next()) {
                    fields::focus_soon(format!("photo-{id}"));
                }
                self.def
                    .with_value(|d| d.documents().map(|i| i.name.clone()))
                    .unwrap_or_default()
            }
            None => def_path(field),
        };
        let pages = self.pages();
        let step = self.def.with_value(|d| {
            pages
                .iter()
                .position(|&i| holds(&d.pages[i].items, "", &target))
                .map_or(pages.len() + 1, |p| p + 1)
        });
        self.go_to(step as u8);
        if !field.starts_with("photos") {
            fields::focus_soon(dom_id(field));
        }
    }
}

/// Who may have document photos on this form: the person (named by the `name` role), then each
/// entry of the repeat the documents item names, by the UUID the entry carries.
fn people_of(def: &FormDefinition, record: &CaseRecord) -> Vec<(Option<MemberId>, String)> {
    let Some(form) = record.form.as_ref() else {
        return Vec::new();
    };
    let text_at = |value: &Value, path: &str| {
        path.split('.')
            .try_fold(value, |v, k| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let mut people = vec![(
        None,
        text_at(&Value::Object(form.answers.clone()), &def.roles.name),
    )];
    let repeat = def
        .documents()
        .and_then(|d| d.people.as_deref())
        .and_then(|name| def.item(name).map(|item| (name, item)));
    if let Some((name, item)) = repeat {
        // The entry's name: the household role's, else the entry's first text field.
        let name_field = if def.roles.household.as_deref() == Some(name) {
            def.roles.member_name.clone()
        } else {
            None
        }
        .or_else(|| {
            item.items
                .iter()
                .find(|i| i.kind() == Some(Kind::Text))
                .map(|i| i.name.clone())
        })
        .unwrap_or_default();
        let key = item.item_id_key();
        for entry in form
            .answers
            .get(name)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = entry
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok());
            if let Some(id) = id {
                people.push((Some(id), text_at(entry, &name_field)));
            }
        }
    }
    people
}

fn submission_of(record: &CaseRecord) -> Option<Submission> {
    let form = record.form.as_ref()?;
    Some(Submission {
        form_id: form.form_id.clone(),
        form_version: form.form_version,
        answers: form.answers.clone(),
        photos: Vec::new(),
        appointment_preferences: Vec::new(),
    })
}

#[component]
pub fn DefinedForm(record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let lang = use_lang();
    let definition: RwSignal<Option<Option<Arc<FormDefinition>>>> = RwSignal::new(None);
    let wanted = record.with_untracked(|r| {
        r.as_ref()
            .and_then(|r| r.form.as_ref())
            .map(|f| (f.form_id.clone(), f.form_version))
    });
    spawn_local(async move {
        let found = match wanted {
            Some((id, version)) => store().form_definition(&id, version).await.ok().flatten(),
            None => None,
        };
        definition.set(Some(found.map(Arc::new)));
    });
    move || match definition.get() {
        None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
        Some(None) => view! {
            <p class="problem" role="alert">{t(Msg::FormMissing)}</p>
            <a href="/">{t(Msg::MyCases)}</a>
        }
        .into_any(),
        Some(Some(def)) => form_view(record, def, lang).into_any(),
    }
}

fn form_view(
    record: RwSignal<Option<CaseRecord>>,
    def: Arc<FormDefinition>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let save_state = RwSignal::new(SaveState::Saved);
    let case_id = record.with_untracked(|r| r.as_ref().map(|r| r.id));
    let saver = StoredValue::new_local(case_id.map(|id| autosave::for_case(id, save_state)));
    Effect::new(move |previous: Option<()>| {
        let current = record.get();
        if let (Some(()), Some(current)) = (previous, current) {
            saver.with_value(|s| {
                if let Some(s) = s {
                    s.schedule(current);
                }
            });
        }
    });
    on_cleanup(move || {
        saver.try_with_value(|s| {
            if let Some(s) = s {
                s.flush();
            }
        });
    });
    let stored = StoredValue::new(def.clone());
    let for_errors = def.clone();
    let errors = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .and_then(submission_of)
                .map(|s| answers::validate(&for_errors, &s, today()))
                .unwrap_or_default()
        })
    });
    let for_shown = def.clone();
    let shown = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .and_then(submission_of)
                .map(|s| answers::shown(&for_shown, &s))
                .unwrap_or_default()
        })
    });
    let attempted = RwSignal::new(false);
    let send_problems = RwSignal::new(Vec::new());
    let desk = def.documents().cloned().map(|documents| {
        let for_people = def.clone();
        let people = Memo::new(move |_| {
            record.with(|r| {
                r.as_ref()
                    .map(|r| people_of(&for_people, r))
                    .unwrap_or_default()
            })
        });
        let for_kinds = def.clone();
        let kinds = Signal::derive(move || list_names(&for_kinds, &documents, lang.get()));
        Desk::new(people, kinds, lang, send_problems)
    });
    // What the last Send said about the photos, when that is why it did not go.
    let photo_notice = RwSignal::new(None::<Msg>);
    let ctx = Ctx {
        record,
        def: stored,
        errors,
        shown,
        attempted,
        lang,
        send_problems,
        desk,
        save_state,
    };
    let pages = Memo::new(move |_| ctx.pages());
    let total = Memo::new(move |_| pages.with(Vec::len) + 1);
    let step = Memo::new(move |_| {
        let last = total.get();
        record.with(|r| r.as_ref().map_or(1, |r| usize::from(r.step).clamp(1, last)))
    });

    let submit = move |_| {
        attempted.set(true);
        if let Some(first) = errors.with_untracked(|e| e.first().map(|f| f.field.clone())) {
            ctx.go_to_problem(&first);
            return;
        }
        let Some(current) = record.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let outcome = match super::shared::submit(&current, today()).await {
                Ok(Ok(outcome)) => Ok(outcome),
                Ok(Err(_)) => {
                    photo_notice.set(Some(Msg::SealNoKey));
                    return;
                }
                Err(e) => Err(e),
            };
            photo_notice.set(match &outcome {
                Ok(SubmitOutcome::PhotosNotReady) => Some(Msg::PhotosNotReady),
                Ok(SubmitOutcome::PhotosUnreadable(_)) => Some(Msg::PhotoUnreadableSend),
                _ => None,
            });
            match outcome {
                Ok(SubmitOutcome::Queued(_)) => {
                    saver.with_value(|s| {
                        if let Some(s) = s {
                            s.cancel();
                        }
                    });
                    send_problems.set(Vec::new());
                    platform::persist_storage().await;
                }
                Ok(SubmitOutcome::Invalid(found)) => {
                    let first = found.first().map(|f| f.field.clone());
                    send_problems.set(found);
                    if let Some(first) = first {
                        ctx.go_to_problem(&first);
                    }
                }
                Ok(SubmitOutcome::PhotosUnreadable(_)) => ctx.go_to_problem("photos"),
                Ok(SubmitOutcome::PhotosNotReady) => {}
                Err(e) => save_state.set(SaveState::Failed(e)),
            }
        });
    };

    let delete = move |_| {
        let Some(id) = case_id else {
            return;
        };
        let confirmed = platform::window()
            .confirm_with_message(&tr(lang.get_untracked(), Msg::ConfirmDelete))
            .unwrap_or(false);
        if confirmed {
            saver.with_value(|s| {
                if let Some(s) = s {
                    s.cancel();
                }
            });
            spawn_local(async move {
                match store().delete_draft(id).await {
                    Ok(()) => {
                        let _ = platform::window().location().set_href("/");
                    }
                    Err(e) => save_state.set(SaveState::Failed(e)),
                }
            });
        }
    };

    let title = move || {
        let s = step.get();
        match pages.with(|p| p.get(s - 1).copied()) {
            Some(i) => ctx.def.with_value(|d| ctx.text(&d.pages[i].label)),
            None => tr(lang.get(), Msg::StepReview),
        }
    };
    view! {
        <form class="case-form defined" novalidate on:submit=|ev| ev.prevent_default()
            data-form=def.form_id.clone() data-version=def.version.to_string()>
            <div class="form-top">
                <p class="step" data-testid="step" data-step=move || step.get().to_string()>
                    {move || tr_with(lang.get(), Msg::StepOf, &[("n", step.get().into()), ("total", total.get().into())])}
                </p>
                <SaveIndicator state=save_state />
            </div>
            <h1 id="step-title" tabindex="-1">{title}</h1>
            {server_problems(ctx)}
            {move || {
                let s = step.get();
                match pages.with(|p| p.get(s - 1).copied()) {
                    Some(i) => {
                        let items = ctx.def.with_value(|d| d.pages[i].items.clone());
                        items_view(ctx, items, Vec::new()).into_any()
                    }
                    None => view! { {review(ctx)} {slot_picker(ctx)} }.into_any(),
                }
            }}
            {move || photo_notice.get().map(|m| view! {
                <p class="problem" role="alert" data-testid="photo-notice">{move || tr(lang.get(), m)}</p>
            })}
            <Show when=move || attempted.get() && !errors.with(|e| e.is_empty())>
                <p class="problem" role="alert">{t(Msg::FixProblems)}</p>
            </Show>
            <div class="nav-buttons">
                <Show when=move || { step.get() > 1 }>
                    <button type="button" data-testid="back" on:click=move |_| ctx.go_to(step.get_untracked() as u8 - 1)>
                        <span class="arrow back" aria-hidden="true">"←"</span>" "{t(Msg::Back)}
                    </button>
                </Show>
                <Show
                    when=move || { step.get() < total.get() }
                    fallback=move || view! {
                        <button type="button" class="primary" data-testid="submit" on:click=submit>{t(Msg::Send)}</button>
                    }
                >
                    <button type="button" class="primary" data-testid="next" on:click=move |_| ctx.go_to(step.get_untracked() as u8 + 1)>
                        {t(Msg::Next)}" "<span class="arrow" aria-hidden="true">"→"</span>
                    </button>
                </Show>
            </div>
            <p class="secondary-actions">
                <a href="/">{t(Msg::MyCases)}</a>
                <button type="button" class="link danger" on:click=delete>{t(Msg::DeleteDraft)}</button>
            </p>
        </form>
    }
}

/// Where an answer lives, in words: its label, and which entry ("Child 2 · Age").
fn field_words(ctx: Ctx, field: &str) -> String {
    let lang = ctx.lang.get_untracked();
    if field.starts_with("photos") {
        return ctx
            .def
            .with_value(|d| d.documents().map(|i| ctx.text(&i.label)))
            .unwrap_or_else(|| tr(lang, Msg::StepDocuments));
    }
    let mut words = Vec::new();
    let mut at = String::new();
    let mut parts = field.split('.').peekable();
    while let Some(part) = parts.next() {
        if !at.is_empty() {
            at.push('.');
        }
        at.push_str(part);
        let Some(item) = ctx.def.with_value(|d| d.item(&def_path(&at)).cloned()) else {
            break;
        };
        let label = ctx.text(&item.label);
        match parts.peek().and_then(|n| n.parse::<usize>().ok()) {
            Some(i) if item.kind() == Some(Kind::Repeat) => {
                words.push(tr_with(
                    lang,
                    Msg::EntryN,
                    &[("label", label.as_str().into()), ("n", (i + 1).into())],
                ));
                if let Some(index) = parts.next() {
                    at.push('.');
                    at.push_str(index);
                }
            }
            _ if item.kind() == Some(Kind::Group) => {}
            _ => words.push(label),
        }
    }
    if words.is_empty() {
        tr(lang, Msg::ThisForm)
    } else {
        words.join(" · ")
    }
}

/// What the server said when it refused this case (kept when the person took it back), with a
/// way to each field it named.
fn server_problems(ctx: Ctx) -> impl IntoView {
    move || {
        let problem = ctx
            .record
            .with(|r| r.as_ref().and_then(|r| r.last_problem.clone()))?;
        let lang = ctx.lang.get();
        Some(view! {
            <section class="problem server-problem" data-testid="server-problem" role="alert">
                <p>{tr(lang, Msg::ServerFoundProblems)}</p>
                <ul>
                    {problem.fields.iter().map(|f| {
                        let field = f.field.clone();
                        let text = format!("{}: {}", field_words(ctx, &f.field), tr(lang, field_code(f.code)));
                        view! { <li><button type="button" class="link" on:click=move |_| ctx.go_to_problem(&field)>{text}</button></li> }
                    }).collect_view()}
                </ul>
                {problem.fields.is_empty().then(|| view! { <p>{tr(lang, Msg::ServerProblemSendAgain)}</p> })}
            </section>
        })
    }
}

fn items_view(ctx: Ctx, items: Vec<Item>, prefix: Vec<Seg>) -> impl IntoView {
    items
        .into_iter()
        .map(|item| {
            let mut path = prefix.clone();
            path.push(Seg::Key(item.name.clone()));
            let text = path_text(&path);
            // Each item watches only whether it is shown, so typing elsewhere never rebuilds it.
            let visible = Memo::new(move |_| ctx.shown.with(|s| s.items.contains(&text)));
            move || {
                visible
                    .get()
                    .then(|| item_view(ctx, item.clone(), path.clone()))
            }
        })
        .collect_view()
}

fn item_view(ctx: Ctx, item: Item, path: Vec<Seg>) -> AnyView {
    let text = path_text(&path);
    let id = dom_id(&text);
    let label = {
        let l = item.label.clone();
        Signal::derive(move || ctx.text(&l))
    };
    let problem = {
        let t = text.clone();
        Signal::derive(move || ctx.problem(&t))
    };
    let hint = (!item.hint.is_empty()).then(|| {
        let h = item.hint.clone();
        view! { <p class="hint">{move || ctx.text(&h)}</p> }
    });
    match item.kind() {
        Some(Kind::Text | Kind::LongText | Kind::Phone) => {
            let kind = item.kind();
            let (p1, p2) = (path.clone(), path.clone());
            let value = move || {
                ctx.value(&p1)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            let set = move |v: String| ctx.set(&p2, Some(Value::String(v)));
            let invalid = move || problem.get().is_some().to_string();
            let described = error_id(&id);
            let describedby = move || problem.get().map(|_| described.clone());
            let input = if kind == Some(Kind::LongText) {
                view! {
                    <textarea id=id.clone() rows="4" aria-invalid=invalid aria-describedby=describedby
                        prop:value=value on:input=move |ev| set(event_target_value(&ev))></textarea>
                }
                .into_any()
            } else {
                let phone = kind == Some(Kind::Phone);
                view! {
                    <input id=id.clone() type=if phone { "tel" } else { "text" }
                        inputmode=if phone { "tel" } else { "text" } dir=phone.then_some("ltr")
                        aria-invalid=invalid aria-describedby=describedby
                        prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
                }
                .into_any()
            };
            view! {
                <div class="field" data-field=text.clone()>
                    <label for=id.clone()>{move || label.get()}</label>
                    {hint}
                    {input}
                    {problem_view(id, problem)}
                </div>
            }
            .into_any()
        }
        Some(kind @ (Kind::Integer | Kind::Decimal)) => {
            // What was typed stays as typed ("1." on the way to "1.5"); the answer is its number.
            let typed = RwSignal::new(match ctx.value(&path) {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s,
                _ => String::new(),
            });
            let p = path.clone();
            let set = move |v: String| {
                typed.set(v.clone());
                let t = v.trim().replace(',', ".");
                let answer = if t.is_empty() {
                    None
                } else if kind == Kind::Integer {
                    Some(t.parse::<i64>().map_or(Value::String(v), Value::from))
                } else {
                    Some(
                        t.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite())
                            .and_then(serde_json::Number::from_f64)
                            .map_or(Value::String(v), Value::Number),
                    )
                };
                ctx.set(&p, answer);
            };
            let invalid = move || problem.get().is_some().to_string();
            let described = error_id(&id);
            let describedby = move || problem.get().map(|_| described.clone());
            view! {
                <div class="field" data-field=text.clone()>
                    <label for=id.clone()>{move || label.get()}</label>
                    {hint}
                    <input id=id.clone() type="text" dir="ltr"
                        inputmode=if kind == Kind::Integer { "numeric" } else { "decimal" }
                        aria-invalid=invalid aria-describedby=describedby
                        prop:value=move || typed.get() on:input=move |ev| set(event_target_value(&ev)) />
                    {problem_view(id, problem)}
                </div>
            }
            .into_any()
        }
        Some(Kind::Date) => {
            let initial = ctx
                .value(&path)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let p = path.clone();
            view! {
                <div data-field=text.clone()>
                    {date_field_labelled(id, label, &initial, move |v| ctx.set(&p, Some(Value::String(v))), problem)}
                </div>
            }
            .into_any()
        }
        Some(Kind::YesNo) => {
            let choices = vec![(true, Msg::AnswerYes), (false, Msg::AnswerNo)];
            let name = id.clone();
            view! {
                <fieldset class="choices" id=id.clone() data-field=text.clone()
                    aria-describedby=move || problem.get().map(|_| error_id(&name))>
                    <legend>{move || label.get()}</legend>
                    {hint}
                    <ul class="choice-list">
                        {choices.into_iter().map(|(answer, words)| {
                            let (p1, p2) = (path.clone(), path.clone());
                            view! {
                                <li><label class="choice">
                                    <input type="radio" name=id.clone() value=answer.to_string()
                                        prop:checked=move || ctx.value(&p1) == Some(Value::Bool(answer))
                                        on:change=move |_| ctx.set(&p2, Some(Value::Bool(answer))) />
                                    <span>{t(words)}</span>
                                </label></li>
                            }
                        }).collect_view()}
                    </ul>
                    {problem_view(id.clone(), problem)}
                </fieldset>
            }
            .into_any()
        }
        Some(kind @ (Kind::SelectOne | Kind::SelectMultiple)) => choices_view(
            ctx,
            &item,
            kind == Kind::SelectMultiple,
            path,
            id,
            label,
            problem,
        ),
        Some(Kind::Group) => {
            let items = item.items.clone();
            view! {
                <fieldset class="group" data-field=text.clone()>
                    <legend>{move || label.get()}</legend>
                    {hint}
                    {items_view(ctx, items, path)}
                </fieldset>
            }
            .into_any()
        }
        Some(Kind::Repeat) => repeat_view(ctx, item, path, id, label, problem),
        Some(Kind::Documents) => match ctx.desk {
            Some(desk) => view! {
                <section class="documents" id=id data-field=text>
                    <h2>{move || label.get()}</h2>
                    {hint}
                    {photos_step::photos_step(desk, ctx.record)}
                </section>
            }
            .into_any(),
            None => ().into_any(),
        },
        // Unknown kinds never get published.
        None => ().into_any(),
    }
}

/// The choices of a list, named in the reader's language.
fn choice_names(ctx: Ctx, item: &Item) -> Vec<(String, String)> {
    let lang = ctx.lang.get();
    ctx.def.with_value(|d| list_names(d, item, lang))
}

/// The choices of an item's list as (code, words) in `lang`.
fn list_names(def: &FormDefinition, item: &Item, lang: Lang) -> Vec<(String, String)> {
    let list = item.choices.as_ref().and_then(|l| def.choices.get(l));
    let named = |choices: Vec<Choice>| {
        choices
            .into_iter()
            .map(|c| (c.code.to_owned(), c.label))
            .collect()
    };
    match list {
        Some(ChoiceList::Listed(choices)) => choices
            .iter()
            .map(|c| (c.name.clone(), def.text(&c.label, lang.code()).to_owned()))
            .collect(),
        Some(ChoiceList::Builtin { builtin }) if builtin == "countries" => named(countries(lang)),
        Some(ChoiceList::Builtin { .. }) => named(spoken_languages(lang)),
        None => Vec::new(),
    }
}

fn choices_view(
    ctx: Ctx,
    item: &Item,
    multiple: bool,
    path: Vec<Seg>,
    id: String,
    label: Signal<String>,
    problem: Signal<Option<Msg>>,
) -> AnyView {
    let builtin =
        ctx.def.with_value(
            |d| match item.choices.as_ref().and_then(|l| d.choices.get(l)) {
                Some(ChoiceList::Builtin { builtin }) => Some(builtin == "countries"),
                _ => None,
            },
        );
    if let Some(countries_list) = builtin {
        // A long built-in list: the household form's searchable one.
        let (p1, p2) = (path.clone(), path.clone());
        let selected = move |code: &str| match ctx.value(&p1) {
            Some(Value::String(s)) => s == code,
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(code)),
            _ => false,
        };
        let toggle = move |code: &'static str, on: bool| {
            let value = if multiple {
                let mut codes: Vec<Value> = match ctx.value(&p2) {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                codes.retain(|v| v.as_str() != Some(code));
                if on {
                    codes.push(Value::String(code.to_owned()));
                }
                Some(Value::Array(codes))
            } else {
                Some(Value::String(code.to_owned()))
            };
            ctx.set(&p2, value);
        };
        let view = fields::SearchableList {
            name: id.clone(),
            id,
            legend: label,
            search_label: if countries_list {
                Msg::SearchCountries
            } else {
                Msg::SearchLanguages
            },
            multiple,
            choices: if countries_list {
                countries
            } else {
                spoken_languages
            },
            frequent: item.frequent.clone(),
        }
        .view(Arc::new(selected), Arc::new(toggle), problem);
        return view! { <div data-field=path_text(&path)>{view}</div> }.into_any();
    }
    let item = item.clone();
    let text = path_text(&path);
    let frequent = item.frequent.clone();
    let list = move || {
        let mut names = choice_names(ctx, &item);
        // The organisation's most frequent choices first.
        // The organisation's most frequent choices first, the rest in the list's own order (an
        // unstable sort on both keys: a stable one would cost the app's wasm a second sort).
        let mut keyed: Vec<(usize, usize, (String, String))> = names
            .drain(..)
            .enumerate()
            .map(|(i, n)| {
                let rank = frequent
                    .iter()
                    .position(|f| *f == n.0)
                    .unwrap_or(usize::MAX);
                (rank, i, n)
            })
            .collect();
        keyed.sort_unstable_by_key(|(rank, i, _)| (*rank, *i));
        names.extend(keyed.into_iter().map(|(_, _, n)| n));
        names
    };
    let name = id.clone();
    let describedby = move || problem.get().map(|_| error_id(&name));
    let group = id.clone();
    let fieldset_id = id.clone();
    view! {
        <fieldset class="choices" id=fieldset_id data-field=text aria-describedby=describedby>
            <legend>{move || label.get()}</legend>
            <ul class="choice-list">
                {move || list().into_iter().map(|(code, words)| {
                    let (p1, p2) = (path.clone(), path.clone());
                    let (c1, c2) = (code.clone(), code.clone());
                    let checked = move || match ctx.value(&p1) {
                        Some(Value::String(s)) => s == c1,
                        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(&c1)),
                        _ => false,
                    };
                    let change = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        let value = if multiple {
                            let mut codes: Vec<Value> = match ctx.value(&p2) {
                                Some(Value::Array(a)) => a,
                                _ => Vec::new(),
                            };
                            codes.retain(|v| v.as_str() != Some(&c2));
                            if on {
                                codes.push(Value::String(c2.clone()));
                            }
                            Some(Value::Array(codes))
                        } else {
                            Some(Value::String(c2.clone()))
                        };
                        ctx.set(&p2, value);
                    };
                    view! {
                        <li><label class="choice">
                            <input type=if multiple { "checkbox" } else { "radio" } name=group.clone() value=code
                                prop:checked=checked on:change=change />
                            <span>{words}</span>
                        </label></li>
                    }
                }).collect_view()}
            </ul>
            {problem_view(id.clone(), problem)}
        </fieldset>
    }
    .into_any()
}

fn repeat_view(
    ctx: Ctx,
    item: Item,
    path: Vec<Seg>,
    id: String,
    label: Signal<String>,
    problem: Signal<Option<Msg>>,
) -> AnyView {
    let count = {
        let p = path.clone();
        Memo::new(move |_| {
            ctx.value(&p)
                .and_then(|v| v.as_array().map(Vec::len))
                .unwrap_or(0)
        })
    };
    let key = item.item_id_key().to_owned();
    let add = {
        let p = path.clone();
        move |_| {
            let mut list = match ctx.value(&p) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            let mut entry = Map::new();
            entry.insert(
                key.clone(),
                Value::String(protocol::MemberId::new_random().to_string()),
            );
            list.push(Value::Object(entry));
            ctx.set(&p, Some(Value::Array(list)));
        }
    };
    let text = path_text(&path);
    let items = item.items.clone();
    let item = StoredValue::new(item);
    let entries = {
        let p = path.clone();
        move || {
            (0..count.get())
                .map(|i| {
                    let mut at = p.clone();
                    at.push(Seg::Index(i));
                    let whole = p.clone();
                    let id_key = item.with_value(|i| i.item_id_key().to_owned());
                    let remove = move |_| remove_entry(ctx, whole.clone(), i, &id_key);
                    view! {
                        <fieldset class="entry" data-testid="entry" data-index=i.to_string()>
                            <legend>{move || tr_with(ctx.lang.get(), Msg::EntryN, &[("label", label.get().as_str().into()), ("n", (i + 1).into())])}</legend>
                            {items_view(ctx, items.clone(), at)}
                            <button type="button" class="link danger" data-testid="remove-entry" on:click=remove>{t(Msg::RemoveMember)}</button>
                        </fieldset>
                    }
                })
                .collect_view()
        }
    };
    let section_id = id.clone();
    view! {
        <section class="repeat" id=section_id data-field=text>
            <h2>{move || label.get()}</h2>
            <Show when=move || count.get() == 0>
                <p class="empty">{t(Msg::NoEntries)}</p>
            </Show>
            {entries}
            <button type="button" class="add" data-testid="add-entry" on:click=add>
                {move || tr_with(ctx.lang.get(), Msg::AddEntry, &[("label", label.get().as_str().into())])}
            </button>
            {problem_view(id, problem)}
        </section>
    }
    .into_any()
}

/// Removes a repeat's entry; when the entry has document photos, says so first and removes the
/// photos with it in one write, so no photo is left pointing at nobody.
fn remove_entry(ctx: Ctx, repeat: Vec<Seg>, index: usize, id_key: &str) {
    let Some(Value::Array(mut list)) = ctx.value(&repeat) else {
        return;
    };
    if index >= list.len() {
        return;
    }
    let entry = list.remove(index);
    let member: Option<MemberId> = entry
        .get(id_key)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    let Some(case) = ctx.record.get_untracked() else {
        return;
    };
    let lang = ctx.lang.get_untracked();
    let name = ctx
        .desk
        .and_then(|d| {
            d.people
                .get_untracked()
                .into_iter()
                .find(|(m, _)| *m == member && m.is_some())
        })
        .map(|(_, n)| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| tr(lang, Msg::Unnamed));
    spawn_local(async move {
        let photos: Vec<PhotoId> = match member {
            Some(m) => match store().photos_of_case(case.id).await {
                Ok(all) => all
                    .into_iter()
                    .filter(|p| p.member_id == Some(m))
                    .map(|p| p.photo_id)
                    .collect(),
                Err(e) => return ctx.save_state.set(SaveState::Failed(e)),
            },
            None => Vec::new(),
        };
        if !photos.is_empty() {
            let question = tr_with(
                lang,
                Msg::ConfirmRemoveMember,
                &[("name", name.as_str().into()), ("n", photos.len().into())],
            );
            if !platform::window()
                .confirm_with_message(&question)
                .unwrap_or(false)
            {
                return;
            }
        }
        ctx.set(&repeat, Some(Value::Array(list)));
        if photos.is_empty() {
            return;
        }
        if let Some(now) = ctx.record.get_untracked() {
            if let Err(e) = store().save_draft_deleting_photos(&now, &photos).await {
                ctx.save_state.set(SaveState::Failed(e));
            }
        }
    });
}

/// An answer as words.
fn shown_value(ctx: Ctx, item: &Item, value: &Value) -> String {
    match (item.kind(), value) {
        (Some(Kind::YesNo), Value::Bool(b)) => tr(
            ctx.lang.get(),
            if *b { Msg::AnswerYes } else { Msg::AnswerNo },
        ),
        (Some(Kind::SelectOne | Kind::SelectMultiple), v) => {
            let names = choice_names(ctx, item);
            let codes: Vec<&str> = match v {
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                other => other.as_str().into_iter().collect(),
            };
            codes
                .iter()
                .map(|c| {
                    names
                        .iter()
                        .find(|(code, _)| code == c)
                        .map_or_else(|| (*c).to_owned(), |(_, n)| n.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

fn answers_list(ctx: Ctx, items: &[Item], prefix: &[Seg]) -> Vec<AnyView> {
    let mut out = Vec::new();
    for item in items {
        let mut path = prefix.to_vec();
        path.push(Seg::Key(item.name.clone()));
        let text = path_text(&path);
        if !ctx.shown.with(|s| s.items.contains(&text)) {
            continue;
        }
        match item.kind() {
            Some(Kind::Group) => out.extend(answers_list(ctx, &item.items, &path)),
            Some(Kind::Repeat) => {
                let n = ctx
                    .value(&path)
                    .and_then(|v| v.as_array().map(Vec::len))
                    .unwrap_or(0);
                let label = ctx.text(&item.label);
                for i in 0..n {
                    let mut at = path.clone();
                    at.push(Seg::Index(i));
                    let inner = answers_list(ctx, &item.items, &at);
                    let heading = tr_with(
                        ctx.lang.get(),
                        Msg::EntryN,
                        &[("label", label.as_str().into()), ("n", (i + 1).into())],
                    );
                    out.push(
                        view! {
                            <dt class="entry-heading">{heading}</dt>
                            <dd><dl>{inner}</dl></dd>
                        }
                        .into_any(),
                    );
                }
            }
            Some(kind) if kind.is_field() => {
                let words = ctx
                    .value(&path)
                    .map(|v| shown_value(ctx, item, &v))
                    .unwrap_or_default();
                let label = ctx.text(&item.label);
                out.push(view! {
                    <dt>{label}</dt>
                    <dd data-field=text><bdi>{if words.is_empty() { tr(ctx.lang.get(), Msg::None) } else { words }}</bdi></dd>
                }.into_any());
            }
            _ => {}
        }
    }
    out
}

fn review(ctx: Ctx) -> impl IntoView {
    move || {
        let pages = ctx.pages();
        let items: Vec<Item> = ctx.def.with_value(|d| {
            pages
                .iter()
                .flat_map(|&i| d.pages[i].items.clone())
                .collect()
        });
        view! {
            <dl class="summary" data-testid="summary">{answers_list(ctx, &items, &[])}</dl>
            {ctx.desk.map(|desk| view! {
                {move || desk.any_not_kept().then(|| view! {
                    <p class="problem" role="alert" data-testid="review-photo-not-kept">{t(Msg::ReviewPhotoNotKept)}</p>
                })}
                {photos_step::review_photos(desk, ctx.record)}
            })}
        }
    }
}

/// The appointment slots the person prefers, kept beside the answers.
fn slot_picker(ctx: Ctx) -> impl IntoView {
    let chosen = Signal::derive(move || {
        ctx.record
            .with(|r| {
                r.as_ref()
                    .and_then(|r| r.form.as_ref())
                    .map(|f| f.appointment_preferences.clone())
            })
            .unwrap_or_default()
    });
    let people = Signal::derive(move || {
        ctx.record.with(|r| {
            r.as_ref().map_or(1, |r| {
                ctx.def.with_value(|d| name_and_people(d, r).1) as u32
            })
        })
    });
    let on_change = Callback::new(move |preferences: Vec<protocol::SlotId>| {
        ctx.record.update(|r| {
            if let Some(r) = r {
                if let Some(form) = r.form.as_mut() {
                    form.appointment_preferences = preferences;
                }
                r.updated_at = platform::now_ms();
            }
        });
    });
    view! { <super::appointment::SlotPicker chosen on_change people /> }
}

/// The answers of a submitted case on a defined form, read-only.
#[component]
pub fn DefinedSummary(record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let lang = use_lang();
    let definition: RwSignal<Option<Arc<FormDefinition>>> = RwSignal::new(None);
    let wanted = record.with_untracked(|r| {
        r.as_ref()
            .and_then(|r| r.form.as_ref())
            .map(|f| (f.form_id.clone(), f.form_version))
    });
    spawn_local(async move {
        if let Some((id, version)) = wanted {
            if let Ok(Some(found)) = store().form_definition(&id, version).await {
                definition.set(Some(Arc::new(found)));
            }
        }
    });
    move || {
        definition.get().map(|def| {
            let for_shown = def.clone();
            let shown = Memo::new(move |_| {
                record.with(|r| {
                    r.as_ref()
                        .and_then(submission_of)
                        .map(|s| answers::shown(&for_shown, &s))
                        .unwrap_or_default()
                })
            });
            let ctx = Ctx {
                record,
                def: StoredValue::new(def),
                errors: Memo::new(|_| Vec::new()),
                shown,
                attempted: RwSignal::new(false),
                lang,
                send_problems: RwSignal::new(Vec::new()),
                desk: None,
                save_state: RwSignal::new(SaveState::Saved),
            };
            review(ctx)
        })
    }
}

/// A defined-form case's name and people for "My cases" (the definition's roles).
pub fn name_and_people(def: &FormDefinition, record: &CaseRecord) -> (String, usize) {
    let Some(form) = record.form.as_ref() else {
        return (String::new(), 1);
    };
    let name = form
        .answers
        .get(def.roles.name.split('.').next().unwrap_or(""))
        .and_then(|v| {
            def.roles
                .name
                .split('.')
                .skip(1)
                .try_fold(v, |v, k| v.get(k))
        })
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    let people = 1 + def
        .roles
        .household
        .as_ref()
        .and_then(|h| form.answers.get(h))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    (name, people)
}
