//! The household form: five steps, inline messages from `protocol` validation, autosaved.
//!
//! Sending goes through `delivery::actions::submit`, which validates exactly what will be sent
//! (photos included) before the case enters the outbox. Problems the device found at Send, and
//! those the server named when it refused the case, are shown beside their fields and listed at
//! the top with a way to each.

use std::collections::HashMap;

use delivery::actions::{self, SubmitOutcome};
use delivery::DeviceStore;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::date::Date;
use protocol::validation::{errors_for, validate};
use protocol::{form, CaseSubmission, FieldCode, FieldError, Member, MemberId};

use super::photos_step;

use super::autosave::{self, SaveState};
use super::fields::{self, date_field, searchable_choices, text_field, Choice, TextKind};
use super::{store, t, use_lang};
use crate::i18n::{self, tr, tr_with, Lang, Msg};
use crate::platform;
use crate::store::CaseRecord;

const STEPS: u8 = 5;

/// Everything a step needs; all `Copy` handles.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    record: RwSignal<Option<CaseRecord>>,
    /// The step shown; a memo, so typing does not rebuild the step's fields under the typist.
    step: Memo<u8>,
    errors: Memo<Vec<FieldError>>,
    /// What the last Send found beyond the answers themselves (photos), by photo ID.
    send_problems: RwSignal<Vec<FieldError>>,
    attempted: RwSignal<bool>,
    lang: RwSignal<Lang>,
    pub(super) save_state: RwSignal<SaveState>,
    /// The documents step's handles (who may have photos, what could not be kept).
    desk: photos_step::Desk,
}

impl Ctx {
    fn read<T>(self, f: impl FnOnce(&CaseSubmission) -> T) -> Option<T> {
        self.record.with(|r| r.as_ref().map(|r| f(&r.submission)))
    }

    fn text(self, f: impl FnOnce(&CaseSubmission) -> &String) -> String {
        self.read(|s| f(s).clone()).unwrap_or_default()
    }

    fn edit(self, f: impl FnOnce(&mut CaseSubmission)) {
        self.record.update(|r| {
            if let Some(r) = r {
                f(&mut r.submission);
                r.updated_at = platform::now_ms();
            }
        });
    }

    fn step(self) -> u8 {
        self.step.get()
    }

    /// Shows `step`; the keyboard focus moves to its heading, so a screen reader says where the
    /// person now is.
    fn go_to(self, step: u8) {
        self.record.update(|r| {
            if let Some(r) = r {
                r.step = step.clamp(1, STEPS);
            }
        });
        platform::window().scroll_to_with_x_and_y(0.0, 0.0);
        fields::focus_soon("step-title".into());
    }

    /// Shows the step of `field` and puts the focus on it.
    fn go_to_problem(self, field: &str) {
        self.go_to(step_of(field));
        let id = self
            .record
            .with_untracked(|r| r.as_ref().map(|r| dom_id_of(field, r)));
        if let Some(id) = id {
            fields::focus_soon(id);
        }
    }

    /// The problem beside `field`, as words.
    fn problem(
        self,
        field: &'static str,
    ) -> impl Fn() -> Option<Msg> + Copy + Send + Sync + 'static {
        move || self.error(field).map(i18n::field_code)
    }

    /// The message to show beside `field`, if any. "Required" waits until the person tries to
    /// send, so an empty form is not a wall of red.
    pub(super) fn error(self, field: &str) -> Option<FieldCode> {
        let attempted = self.attempted.get();
        self.errors
            .with(|e| errors_for(e, field).find(|c| attempted || *c != FieldCode::Required))
            .or_else(|| self.send_problems.with(|e| errors_for(e, field).next()))
    }
}

pub(super) fn today() -> Date {
    let now = js_sys::Date::new_0();
    Date::new(
        now.get_full_year() as u16,
        now.get_month() as u8 + 1,
        now.get_date() as u8,
    )
    .unwrap_or_else(|_| Date::from_unix_millis(platform::now_ms()))
}

/// The step on which a field lives.
pub(super) fn step_of(field: &str) -> u8 {
    match field {
        f if f.starts_with("photos") => 4,
        f if f.starts_with("members") => 3,
        f if f.starts_with("applicant.languages") || f.starts_with("applicant.needs") => 2,
        _ => 1,
    }
}

#[component]
pub fn CaseForm(record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let lang = use_lang();
    let save_state = RwSignal::new(SaveState::Saved);
    let case_id = record.with_untracked(|r| r.as_ref().map(|r| r.id));
    let saver = StoredValue::new_local(case_id.map(|id| autosave::for_case(id, save_state)));
    Effect::new(move |previous: Option<()>| {
        let current = record.get();
        // The first run is the load itself: nothing new to save.
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

    let errors = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| validate(&r.submission, today()))
                .unwrap_or_default()
        })
    });
    let step =
        Memo::new(move |_| record.with(|r| r.as_ref().map_or(1, |r| r.step.clamp(1, STEPS))));
    let attempted = RwSignal::new(false);
    // What the last Send said about the photos, when that is why it did not go.
    let photo_notice = RwSignal::new(None::<Msg>);
    let send_problems = RwSignal::new(Vec::new());
    let people = Memo::new(move |_| {
        record.with(|r| {
            let Some(r) = r else { return Vec::new() };
            std::iter::once((None, r.submission.applicant.name.clone()))
                .chain(
                    r.submission
                        .members
                        .iter()
                        .map(|m| (Some(m.member_id), m.name.clone())),
                )
                .collect()
        })
    });
    let kinds = Signal::derive(move || {
        let lang = lang.get();
        form::PHOTO_KINDS
            .iter()
            .map(|&k| (k.to_owned(), tr(lang, i18n::photo_kind(k))))
            .collect()
    });
    let ctx = Ctx {
        record,
        step,
        errors,
        send_problems,
        attempted,
        lang,
        save_state,
        desk: photos_step::Desk::new(people, kinds, lang, send_problems),
    };

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
                // The answers went into the outbox whole; a pending autosave of them is moot.
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
                Ok(SubmitOutcome::PhotosUnreadable(_)) => ctx.go_to(4),
                Ok(SubmitOutcome::PhotosNotReady) => {}
                Err(e) => save_state.set(SaveState::Failed(e)),
            }
        });
    };

    let delete = move |_| {
        let Some(id) = record.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
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
                if store().delete_draft(id).await.is_ok() {
                    let _ = platform::window().location().set_href("/");
                }
            });
        }
    };

    view! {
        <form class="case-form" novalidate on:submit=|ev| ev.prevent_default()>
            <div class="form-top">
                <p class="step" data-testid="step" data-step=move || ctx.step().to_string()>
                    {move || tr_with(lang.get(), Msg::StepOf, &[("n", ctx.step().into()), ("total", STEPS.into())])}
                </p>
                <SaveIndicator state=save_state />
            </div>
            <h1 id="step-title" tabindex="-1">{move || tr(lang.get(), step_title(ctx.step()))}</h1>
            {server_problems(ctx)}
            {move || match step.get() {
                1 => step_about(ctx).into_any(),
                2 => step_languages(ctx).into_any(),
                3 => step_family(ctx).into_any(),
                4 => view! { <p>{t(Msg::DocumentsIntro)}</p> {photos_step::photos_step(ctx.desk, record)} }.into_any(),
                _ => step_review(ctx).into_any(),
            }}
            {move || photo_notice.get().map(|m| view! {
                <p class="problem" role="alert" data-testid="photo-notice">{move || tr(lang.get(), m)}</p>
            })}
            <Show when=move || attempted.get() && !errors.with(|e| e.is_empty())>
                <p class="problem" role="alert">{t(Msg::FixProblems)}</p>
            </Show>
            <div class="nav-buttons">
                <Show when=move || { ctx.step() > 1 }>
                    <button type="button" data-testid="back" on:click=move |_| ctx.go_to(ctx.step() - 1)>
                        <span class="arrow back" aria-hidden="true">"←"</span>" "{t(Msg::Back)}
                    </button>
                </Show>
                <Show
                    when=move || { ctx.step() < STEPS }
                    fallback=move || view! {
                        <button type="button" class="primary" data-testid="submit" on:click=submit>{t(Msg::Send)}</button>
                    }
                >
                    <button type="button" class="primary" data-testid="next" on:click=move |_| ctx.go_to(ctx.step() + 1)>
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

fn step_title(step: u8) -> Msg {
    match step {
        1 => Msg::StepAbout,
        2 => Msg::StepLanguages,
        3 => Msg::StepFamily,
        4 => Msg::StepDocuments,
        _ => Msg::StepReview,
    }
}

/// The element that holds `field` on the page, for moving the focus to it.
fn dom_id_of(field: &str, record: &CaseRecord) -> String {
    let parts: Vec<&str> = field.split('.').collect();
    match parts.as_slice() {
        ["applicant", "name"] => "applicant-name".into(),
        ["applicant", "date_of_birth"] => "applicant-dob".into(),
        ["applicant", "country_of_origin"] => "applicant-country".into(),
        ["applicant", "phone"] => "applicant-phone".into(),
        ["applicant", "languages"] => "applicant-languages".into(),
        ["applicant", "needs"] => "applicant-needs".into(),
        ["applicant", "needs_note"] => "applicant-needs-note".into(),
        ["members", i, what] => {
            let member = i
                .parse::<usize>()
                .ok()
                .and_then(|i| record.submission.members.get(i))
                .map(|m| m.member_id.to_string())
                .unwrap_or_default();
            let what = match *what {
                "date_of_birth" => "dob",
                "relationship" => "rel",
                _ => "name",
            };
            format!("member-{member}-{what}")
        }
        ["photos", id, ..] => format!("photo-{id}"),
        _ => "step-title".into(),
    }
}

#[component]
pub(super) fn SaveIndicator(state: RwSignal<SaveState>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p class="save-status" data-testid="save-status" aria-live="polite"
            data-saved=move || (state.get() == SaveState::Saved).to_string()>
            {move || match state.get() {
                SaveState::Saved => tr(lang.get(), Msg::SavedOnDevice),
                SaveState::Pending => tr(lang.get(), Msg::Saving),
                SaveState::Failed(crate::store::StoreError::QuotaExceeded) => tr(lang.get(), Msg::QuotaExceeded),
                SaveState::Failed(_) => tr(lang.get(), Msg::SaveFailed),
            }}
        </p>
    }
}

fn step_about(ctx: Ctx) -> impl IntoView {
    view! {
        {text_field("applicant-name".into(), "name", Msg::FullName, TextKind::NAME,
            move || ctx.text(|s| &s.applicant.name),
            move |v| ctx.edit(|s| s.applicant.name = v),
            ctx.problem("applicant.name"))}
        {date_field("applicant-dob".into(), Msg::DateOfBirth,
            move || ctx.text(|s| &s.applicant.date_of_birth),
            move |v| ctx.edit(|s| s.applicant.date_of_birth = v),
            ctx.problem("applicant.date_of_birth"))}
        {searchable_choices("applicant-country".into(), "country", Msg::CountryOfOrigin, Msg::SearchCountries,
            false, countries, form::FREQUENT_COUNTRIES,
            move |code| ctx.read(|s| s.applicant.country_of_origin == code).unwrap_or(false),
            move |code, on| if on { ctx.edit(|s| s.applicant.country_of_origin = code.to_owned()) },
            ctx.problem("applicant.country_of_origin"))}
        {text_field("applicant-phone".into(), "phone", Msg::Phone, TextKind::PHONE,
            move || ctx.text(|s| &s.applicant.phone),
            move |v| ctx.edit(|s| s.applicant.phone = v),
            ctx.problem("applicant.phone"))}
    }
}

thread_local! {
    static COUNTRY_NAMES: std::cell::RefCell<HashMap<Lang, Vec<Choice>>> = Default::default();
}

/// Sorts choices by name the way `lang` sorts.
fn sort_for(lang: Lang, list: &mut [Choice]) {
    let collator = js_sys::Intl::Collator::new(
        &js_sys::Array::of1(&lang.code().into()),
        &js_sys::Object::new(),
    );
    let compare = collator.compare();
    list.sort_unstable_by(|a, b| {
        compare
            .call2(
                &collator,
                &a.label.as_str().into(),
                &b.label.as_str().into(),
            )
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(std::cmp::Ordering::Equal, |v| v.total_cmp(&0.0))
            .then(a.code.cmp(b.code))
    });
}

/// Every country named in `lang` (by the browser), sorted for that language; stateless last.
pub(super) fn countries(lang: Lang) -> Vec<Choice> {
    COUNTRY_NAMES.with(|cache| {
        cache
            .borrow_mut()
            .entry(lang)
            .or_insert_with(|| {
                let mut list: Vec<Choice> = form::COUNTRIES
                    .iter()
                    .filter(|c| **c != "XX")
                    .map(|&code| Choice {
                        code,
                        label: platform::display_name(lang.code(), "region", code)
                            .unwrap_or_else(|| code.to_owned()),
                        also: platform::display_name("en", "region", code).unwrap_or_default(),
                    })
                    .collect();
                sort_for(lang, &mut list);
                list.push(Choice {
                    code: "XX",
                    label: tr(lang, Msg::Stateless),
                    also: String::new(),
                });
                list
            })
            .clone()
    })
}

/// A spoken language named in the reader's language (our own name where browsers have none),
/// and in itself when that differs.
fn language_label(ui: Lang, code: &str) -> String {
    let in_ui = i18n::spoken_language_name(ui, code)
        .or_else(|| platform::display_name(ui.code(), "language", code))
        .unwrap_or_else(|| code.to_owned());
    match platform::display_name(code, "language", code) {
        Some(own) if fields::folded(&own) != fields::folded(&in_ui) => format!("{in_ui} · {own}"),
        _ => in_ui,
    }
}

pub(super) fn spoken_languages(lang: Lang) -> Vec<Choice> {
    let mut list: Vec<Choice> = form::LANGUAGES
        .iter()
        .map(|&code| Choice {
            code,
            label: language_label(lang, code),
            also: platform::display_name("en", "language", code).unwrap_or_default(),
        })
        .collect();
    sort_for(lang, &mut list);
    list
}

fn toggle(list: &mut Vec<String>, code: &str, on: bool) {
    list.retain(|c| c != code);
    if on {
        list.push(code.to_owned());
    }
}

fn step_languages(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    let needs_problem = ctx.problem("applicant.needs");
    view! {
        {searchable_choices("applicant-languages".into(), "language", Msg::LanguagesSpoken, Msg::SearchLanguages,
            true, spoken_languages, form::FREQUENT_LANGUAGES,
            move |code| ctx.read(|s| s.applicant.languages.iter().any(|l| l == code)).unwrap_or(false),
            move |code, on| ctx.edit(|s| toggle(&mut s.applicant.languages, code, on)),
            ctx.problem("applicant.languages"))}
        <fieldset class="choices" id="applicant-needs">
            <legend>{t(Msg::NeedsQuestion)}</legend>
            <ul class="choice-list">
                {form::NEEDS.iter().map(|&code| view! {
                    <li>
                        <label class="choice">
                            <input type="checkbox" name="need" value=code
                                prop:checked=move || ctx.read(|s| s.applicant.needs.iter().any(|n| n == code)).unwrap_or(false)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    ctx.edit(|s| toggle(&mut s.applicant.needs, code, on));
                                } />
                            <span>{move || tr(lang.get(), i18n::need(code))}</span>
                        </label>
                    </li>
                }).collect_view()}
            </ul>
            {move || needs_problem().map(|m| view! { <p class="field-error" data-testid="field-error">{move || tr(lang.get(), m)}</p> })}
        </fieldset>
        {text_field("applicant-needs-note".into(), "needs-note", Msg::NeedsNote, TextKind::NOTE,
            move || ctx.text(|s| &s.applicant.needs_note),
            move |v| ctx.edit(|s| s.applicant.needs_note = v),
            ctx.problem("applicant.needs_note"))}
    }
}

fn step_family(ctx: Ctx) -> impl IntoView {
    let member_ids = move || {
        ctx.read(|s| s.members.iter().map(|m| m.member_id).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let members_problem = ctx.problem("members");
    let lang = ctx.lang;
    view! {
        <Show when=move || member_ids().is_empty()>
            <p class="empty">{t(Msg::NoMembers)}</p>
        </Show>
        <For each=member_ids key=|id| *id let:member_id>
            {member_block(ctx, member_id)}
        </For>
        <button type="button" class="add" id="add-member-button" data-testid="add-member"
            on:click=move |_| {
                let member = Member::new_blank();
                let focus = format!("member-{}-name", member.member_id);
                ctx.edit(|s| s.members.push(member));
                fields::focus_soon(focus);
            }>
            "+ " {t(Msg::AddMember)}
        </button>
        {move || members_problem().map(|m| view! { <p class="field-error" data-testid="field-error">{move || tr(lang.get(), m)}</p> })}
    }
}

fn member_block(ctx: Ctx, id: MemberId) -> impl IntoView {
    let lang = ctx.lang;
    let index = move || {
        ctx.read(|s| s.members.iter().position(|m| m.member_id == id))
            .flatten()
            .unwrap_or(0)
    };
    let text = move |f: fn(&Member) -> &String| {
        ctx.read(|s| {
            s.members
                .iter()
                .find(|m| m.member_id == id)
                .map(|m| f(m).clone())
        })
        .flatten()
        .unwrap_or_default()
    };
    let edit = move |f: Box<dyn FnOnce(&mut Member)>| {
        ctx.edit(|s| {
            if let Some(m) = s.members.iter_mut().find(|m| m.member_id == id) {
                f(m);
            }
        })
    };
    // Member fields are found by their index in the answers, which changes as members go.
    let problem = move |what: &'static str| {
        move || {
            let path = format!("members.{}.{what}", index());
            let attempted = ctx.attempted.get();
            ctx.errors
                .with(|e| errors_for(e, &path).find(|c| attempted || *c != FieldCode::Required))
                .or_else(|| ctx.send_problems.with(|e| errors_for(e, &path).next()))
                .map(i18n::field_code)
        }
    };
    let dom_id = move |what: &str| format!("member-{id}-{what}");
    let rel_problem = problem("relationship");
    let rel_error = fields::error_id(&dom_id("rel"));
    let rel_error_shown = rel_error.clone();
    view! {
        <fieldset class="member" data-testid="member">
            <legend>{move || tr_with(lang.get(), Msg::MemberN, &[("n", (index() + 1).into())])}</legend>
            {text_field(dom_id("name"), "member-name", Msg::FullName, TextKind::OTHER_NAME,
                move || text(|m| &m.name),
                move |v| edit(Box::new(move |m| m.name = v)),
                problem("name"))}
            {date_field(dom_id("dob"), Msg::DateOfBirth,
                move || text(|m| &m.date_of_birth),
                move |v| edit(Box::new(move |m| m.date_of_birth = v)),
                problem("date_of_birth"))}
            <div class="field">
                <label for=dom_id("rel")>{t(Msg::Relationship)}</label>
                <select id=dom_id("rel") name="member-relationship"
                    aria-invalid=move || rel_problem().is_some().to_string()
                    aria-describedby=move || rel_problem().map(|_| rel_error.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |m| m.relationship = v)) }>
                    <option value="" selected=move || text(|m| &m.relationship).is_empty()>{t(Msg::ChooseRelationship)}</option>
                    {form::RELATIONSHIPS.iter().map(|&code| view! {
                        <option value=code selected=move || text(|m| &m.relationship) == code>{move || tr(lang.get(), i18n::relationship(code))}</option>
                    }).collect_view()}
                </select>
                {move || rel_problem().map(|m| view! {
                    <p class="field-error" data-testid="field-error" id=rel_error_shown.clone()>{move || tr(lang.get(), m)}</p>
                })}
            </div>
            <button type="button" class="link danger" data-testid="remove-member"
                on:click=move |_| remove_member(ctx, id)>
                {t(Msg::RemoveMember)}
                <span class="visually-hidden">" — "{move || text(|m| &m.name)}</span>
            </button>
        </fieldset>
    }
}

/// Removes a family member; when they have document photos, says so first and removes the
/// photos with them in one write, so no photo is left pointing at nobody.
fn remove_member(ctx: Ctx, id: MemberId) {
    let Some(current) = ctx.record.get_untracked() else {
        return;
    };
    let lang = ctx.lang.get_untracked();
    spawn_local(async move {
        let photos = match actions::photos_of_member(&*store(), &current, id).await {
            Ok(photos) => photos,
            Err(e) => return ctx.save_state.set(SaveState::Failed(e)),
        };
        if !photos.is_empty() {
            let name = current
                .submission
                .members
                .iter()
                .find(|m| m.member_id == id)
                .map(|m| m.name.trim().to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| tr(lang, Msg::Unnamed));
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
        ctx.edit(|s| s.members.retain(|m| m.member_id != id));
        let Some(now) = ctx.record.get_untracked() else {
            return;
        };
        if let Err(e) = actions::remove_member(&*store(), &now, id, platform::now_ms()).await {
            ctx.save_state.set(SaveState::Failed(e));
        }
        fields::focus_soon("add-member-button".into());
    });
}

/// Where a field lives, in words ("Family member 2 · Date of birth").
fn field_label(lang: Lang, path: &str) -> String {
    let mut parts = path.split('.');
    let label = |field: &str| match field {
        "name" => tr(lang, Msg::FullName),
        "date_of_birth" => tr(lang, Msg::DateOfBirth),
        "country_of_origin" => tr(lang, Msg::CountryOfOrigin),
        "phone" => tr(lang, Msg::Phone),
        "languages" => tr(lang, Msg::LanguagesSpoken),
        "needs" => tr(lang, Msg::NeedsQuestion),
        "needs_note" => tr(lang, Msg::NeedsNote),
        "relationship" => tr(lang, Msg::Relationship),
        _ => tr(lang, Msg::ThisForm),
    };
    match (parts.next(), parts.next(), parts.next()) {
        (Some("applicant"), Some(field), _) => label(field),
        (Some("members"), Some(i), Some(field)) => {
            let n = i.parse::<usize>().map_or(0, |i| i + 1);
            format!(
                "{} · {}",
                tr_with(lang, Msg::MemberN, &[("n", n.into())]),
                label(field)
            )
        }
        (Some("members"), _, _) => tr(lang, Msg::StepFamily),
        (Some("photos"), _, _) => tr(lang, Msg::StepDocuments),
        _ => tr(lang, Msg::ThisForm),
    }
}

/// What the server said when it refused this case (kept when the person took it back), with a
/// way to each field it named: there is always something to see and do.
fn server_problems(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    move || {
        let problem = ctx
            .record
            .with(|r| r.as_ref().and_then(|r| r.last_problem.clone()))?;
        let lang_now = lang.get();
        Some(view! {
            <section class="problem server-problem" data-testid="server-problem" role="alert">
                <p>{tr(lang_now, Msg::ServerFoundProblems)}</p>
                <ul>
                    {problem.fields.iter().map(|f| {
                        let field = f.field.clone();
                        let text = format!("{}: {}", field_label(lang_now, &f.field), tr(lang_now, i18n::field_code(f.code)));
                        view! { <li><button type="button" class="link" on:click=move |_| ctx.go_to_problem(&field)>{text}</button></li> }
                    }).collect_view()}
                </ul>
                {problem.fields.is_empty().then(|| view! { <p>{tr(lang_now, Msg::ServerProblemSendAgain)}</p> })}
            </section>
        })
    }
}

fn step_review(ctx: Ctx) -> impl IntoView {
    view! {
        <p>{t(Msg::ReviewIntro)}</p>
        <Summary record=ctx.record />
        {move || ctx.desk.any_not_kept().then(|| view! {
            <p class="problem" role="alert" data-testid="review-photo-not-kept">{t(Msg::ReviewPhotoNotKept)}</p>
        })}
        {photos_step::review_photos(ctx.desk, ctx.record)}
        <super::appointment::SlotPicker
            chosen=Signal::derive(move || ctx.read(|s| s.appointment_preferences.clone()).unwrap_or_default())
            on_change=Callback::new(move |chosen| ctx.edit(|s| s.appointment_preferences = chosen))
            people=Signal::derive(move || ctx.read(|s| 1 + s.members.len() as u32).unwrap_or(1)) />
    }
}

/// A date as the reader's language writes it ("17 de abril de 1991"); what was typed when it is
/// not a date.
pub fn local_date(lang: Lang, value: &str) -> String {
    let Ok(date) = value.parse::<Date>() else {
        return value.to_owned();
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    let format =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&lang.code().into()), &options);
    let js = js_sys::Date::new_0();
    js.set_utc_full_year_with_month_date(
        u32::from(date.year),
        i32::from(date.month) - 1,
        i32::from(date.day),
    );
    format
        .format()
        .call1(&format, &js)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| value.to_owned())
}

/// The answers, read-only (review step and submitted cases).
#[component]
pub fn Summary(record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        let lang_now = lang.get();
        let s = record.with(|r| r.as_ref().map(|r| r.submission.clone()))?;
        let a = &s.applicant;
        let none = tr(lang_now, Msg::None);
        let or_none = |v: &str| {
            if v.trim().is_empty() {
                none.clone()
            } else {
                v.to_owned()
            }
        };
        let date = |v: &str| {
            if v.trim().is_empty() {
                none.clone()
            } else {
                local_date(lang_now, v)
            }
        };
        let country = match a.country_of_origin.as_str() {
            "" => none.clone(),
            "XX" => tr(lang_now, Msg::Stateless),
            c => {
                platform::display_name(lang_now.code(), "region", c).unwrap_or_else(|| c.to_owned())
            }
        };
        let languages = a
            .languages
            .iter()
            .map(|c| language_label(lang_now, c))
            .collect::<Vec<_>>()
            .join(", ");
        let needs = a
            .needs
            .iter()
            .map(|c| tr(lang_now, i18n::need(c)))
            .collect::<Vec<_>>()
            .join(", ");
        // Names, phones and dates keep their own direction inside a right-to-left page.
        let row = |label: Msg, value: String| view! { <dt>{tr(lang_now, label)}</dt><dd><bdi>{value}</bdi></dd> };
        let phone = or_none(&a.phone);
        Some(view! {
            <dl class="summary">
                {row(Msg::FullName, or_none(&a.name))}
                {row(Msg::DateOfBirth, date(&a.date_of_birth))}
                {row(Msg::CountryOfOrigin, country)}
                <dt>{tr(lang_now, Msg::Phone)}</dt><dd><span dir="ltr">{phone}</span></dd>
                {row(Msg::LanguagesSpoken, or_none(&languages))}
                {row(Msg::NeedsQuestion, or_none(&needs))}
                {row(Msg::NeedsNote, or_none(&a.needs_note))}
            </dl>
            {s.members.iter().enumerate().map(|(i, m)| view! {
                <h3>{tr_with(lang_now, Msg::MemberN, &[("n", (i + 1).into())])}</h3>
                <dl class="summary">
                    {row(Msg::FullName, or_none(&m.name))}
                    {row(Msg::DateOfBirth, date(&m.date_of_birth))}
                    {row(Msg::Relationship, if m.relationship.is_empty() { none.clone() } else { tr(lang_now, i18n::relationship(&m.relationship)) })}
                </dl>
            }).collect_view()}
        })
    }
}
