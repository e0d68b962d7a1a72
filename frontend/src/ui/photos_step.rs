//! The documents step: photos for the person filling in the form and everyone travelling with
//! them, taken with the camera or picked from the gallery; several per person; retake and
//! delete. Drawn for the household form's screens and for a defined form's `documents` item
//! alike: each says who may have photos and which kinds of document it takes ([`Desk`]).

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{CaseId, FieldCode, FieldError, MemberId, PhotoId};
use wasm_bindgen::JsCast;

use delivery::DeviceStore;

use super::{store, t, use_lang, StoreVersion};
use crate::i18n::{self, tr, tr_with, Lang, Msg};
use crate::photos;
use crate::store::{CaseRecord, Photo, StoreError};

/// What the documents step needs from the form it is on; all `Copy` handles.
#[derive(Clone, Copy)]
pub struct Desk {
    /// Who may have photos: `None` is the person filling in the form, then each family member
    /// (or repeat entry) by its ID, with their name as typed.
    pub people: Memo<Vec<(Option<MemberId>, String)>>,
    /// The kinds of document the form takes: code and words in the reader's language.
    pub kinds: Signal<Vec<(String, String)>>,
    pub lang: RwSignal<Lang>,
    /// What the last Send found wrong with photos (fields `photos.{photo_id}...`).
    pub send_problems: RwSignal<Vec<FieldError>>,
    /// Whose last photo this page could not keep on the device (it will not be sent), and why:
    /// said where it was taken and again on the last step until that person has one kept; a
    /// later autosave does not hide it, nor does leaving the step.
    pub not_kept: RwSignal<Vec<(Option<MemberId>, Msg)>>,
}

impl Desk {
    pub fn new(
        people: Memo<Vec<(Option<MemberId>, String)>>,
        kinds: Signal<Vec<(String, String)>>,
        lang: RwSignal<Lang>,
        send_problems: RwSignal<Vec<FieldError>>,
    ) -> Self {
        Desk {
            people,
            kinds,
            lang,
            send_problems,
            not_kept: RwSignal::new(Vec::new()),
        }
    }

    fn not_kept_for(self, member: Option<MemberId>) -> Option<Msg> {
        self.not_kept
            .with(|all| all.iter().find(|(m, _)| *m == member).map(|(_, why)| *why))
    }

    fn set_not_kept(self, member: Option<MemberId>, why: Option<Msg>) {
        self.not_kept.update(|all| {
            all.retain(|(m, _)| *m != member);
            all.extend(why.map(|why| (member, why)));
        });
    }

    /// For someone still in the form (a removed member's photos went with them).
    pub fn any_not_kept(self) -> bool {
        let people = self.people.get();
        self.not_kept
            .with(|all| all.iter().any(|(m, _)| people.iter().any(|(p, _)| p == m)))
    }

    /// A problem Send found with one photo (any of its fields).
    fn photo_error(self, id: PhotoId) -> Option<FieldCode> {
        let prefix = format!("photos.{id}");
        self.send_problems.with(|e| {
            e.iter()
                .find(|f| f.field == prefix || f.field.starts_with(&format!("{prefix}.")))
                .map(|f| f.code)
        })
    }

    /// A kind of document in words (its code, should the form no longer list it).
    fn kind_words(self, code: &str) -> String {
        self.kinds.with(|kinds| {
            kinds
                .iter()
                .find(|(c, _)| c == code)
                .map_or_else(|| code.to_owned(), |(_, words)| words.clone())
        })
    }
}

thread_local! {
    /// Object URLs of thumbnails, made once per photo and revoked when the photo goes.
    static THUMB_URLS: RefCell<HashMap<PhotoId, String>> = RefCell::new(HashMap::new());
}

fn thumbnail_url(photo: &Photo) -> Option<String> {
    let blob = photo.thumbnail.as_ref()?;
    THUMB_URLS.with(|urls| {
        let mut urls = urls.borrow_mut();
        if let Some(url) = urls.get(&photo.record.photo_id) {
            return Some(url.clone());
        }
        let url = photos::object_url(blob)?;
        urls.insert(photo.record.photo_id, url.clone());
        Some(url)
    })
}

fn forget_thumbnail(id: PhotoId) {
    if let Some(url) = THUMB_URLS.with(|u| u.borrow_mut().remove(&id)) {
        photos::revoke(&url);
    }
}

/// The photos of a case, re-read whenever the store changes.
pub fn case_photos(case_id: CaseId) -> ReadSignal<Option<Vec<Photo>>, LocalStorage> {
    let StoreVersion(version) = expect_context();
    super::loaded::loaded(move || {
        version.get();
        async move { store().photos_with_blobs(case_id).await.unwrap_or_default() }
    })
}

fn files_of(ev: &leptos::ev::Event) -> Vec<web_sys::File> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = input
        .files()
        .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default();
    // Let the same file be chosen again later.
    input.set_value("");
    files
}

fn not_kept_because(e: &StoreError) -> Msg {
    match e {
        StoreError::QuotaExceeded => Msg::PhotoNotKeptFull,
        _ => Msg::PhotoNotKept,
    }
}

/// Stores each chosen file at once (the page may be killed right after the camera returns),
/// then deletes `replacing` if this was a retake. A photo that cannot be kept is said beside the
/// person's photos and on the last step (`Desk::not_kept`), in words of its own: the form's
/// "Saved" is about the answers and must not cover it.
fn keep_files(
    ctx: Desk,
    (case_id, member_id): (CaseId, Option<MemberId>),
    kind: String,
    files: Vec<web_sys::File>,
    replacing: Option<PhotoId>,
) {
    let failed = move |e: StoreError| {
        web_sys::console::error_1(&format!("keeping a photo: {e}").into());
        ctx.set_not_kept(member_id, Some(not_kept_because(&e)));
    };
    spawn_local(async move {
        for file in files {
            match photos::add(store(), case_id, member_id, &kind, file.into(), failed).await {
                Ok(_) => ctx.set_not_kept(member_id, None),
                Err(photos::PhotoError::Store(e)) => return failed(e),
                Err(e) => return failed(StoreError::Failed(e.to_string())),
            }
        }
        if let Some(old) = replacing {
            if store().delete_photo(old).await.is_ok() {
                forget_thumbnail(old);
            }
        }
    });
}

pub fn photos_step(ctx: Desk, record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let Some(case_id) = record.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
        return ().into_any();
    };
    let photos = case_photos(case_id);
    let people = ctx.people;
    // Photos whose person is no longer in the form (left by an older version of the app): they
    // must be deleted before the form can be sent, so they are shown apart.
    let orphans = move || {
        let people = people.get();
        photos
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                p.record.member_id.is_some()
                    && !people.iter().any(|(m, _)| *m == p.record.member_id)
            })
            .collect::<Vec<_>>()
    };
    view! {
        // Drawn again only when the people themselves change (a memo), like a keyed list.
        {move || people.get().into_iter().map(|(id, name)| person_photos(ctx, case_id, id, name, photos)).collect_view()}
        {move || {
            let orphans = orphans();
            (!orphans.is_empty()).then(|| view! {
                <fieldset class="person-photos orphans" data-testid="orphan-photos">
                    <legend>{t(Msg::OrphanPhotos)}</legend>
                    <p class="problem" role="alert">{t(Msg::OrphanPhotosHint)}</p>
                    <ul class="photo-list">
                        {orphans.into_iter().map(|photo| photo_item(ctx, photo, None)).collect_view()}
                    </ul>
                </fieldset>
            })
        }}
    }
    .into_any()
}

fn person_photos(
    ctx: Desk,
    case_id: CaseId,
    member_id: Option<MemberId>,
    name: String,
    photos: ReadSignal<Option<Vec<Photo>>, LocalStorage>,
) -> impl IntoView {
    let lang = use_lang();
    let kind = RwSignal::new(
        ctx.kinds
            .with_untracked(|k| k.first().map(|(code, _)| code.clone()))
            .unwrap_or_default(),
    );
    let name = if name.trim().is_empty() {
        None
    } else {
        Some(name)
    };
    let person = StoredValue::new(name.clone());
    let mine = move || {
        photos
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.record.member_id == member_id)
            .collect::<Vec<_>>()
    };
    let slug = member_id.map_or("applicant".to_owned(), |m| m.to_string());
    let kind_id = format!("photo-kind-{slug}");
    view! {
        <fieldset class="person-photos" data-testid="person-photos" data-person=slug.clone()>
            <legend><bdi>{move || person_name(lang.get(), member_id, person.get_value())}</bdi></legend>
            <ul class="photo-list">
                {move || mine().into_iter().map(|photo| photo_item(ctx, photo, person.get_value())).collect_view()}
            </ul>
            {move || ctx.not_kept_for(member_id).map(|m| view! {
                <p class="problem" role="alert" data-testid="photo-not-kept">{t(m)}</p>
            })}
            <div class="field">
                <label for=kind_id.clone()>{t(Msg::PhotoKind)}</label>
                <select id=kind_id name="photo-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {move || ctx.kinds.get().into_iter().map(|(code, words)| {
                        let chosen = code.clone();
                        view! { <option value=code selected=move || kind.get() == chosen>{words}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="photo-buttons">
                // The file input lies invisibly over its button: the button is what people see,
                // the input is what they (and a keyboard, and WebDriver) actually press.
                <label class="button primary file-button">
                    <span>{t(Msg::TakePhoto)}</span>
                    <input type="file" accept="image/*" capture="environment" class="file-overlay" data-testid="take-photo"
                        on:change=move |ev| keep_files(ctx, (case_id, member_id), kind.get_untracked(), files_of(&ev), None) />
                </label>
                <label class="button file-button">
                    <span>{t(Msg::ChoosePhoto)}</span>
                    <input type="file" accept="image/*" multiple class="file-overlay" data-testid="pick-photo"
                        on:change=move |ev| keep_files(ctx, (case_id, member_id), kind.get_untracked(), files_of(&ev), None) />
                </label>
            </div>
        </fieldset>
    }
}

/// Whose documents these are, in words.
fn person_name(lang: Lang, member_id: Option<MemberId>, name: Option<String>) -> String {
    name.unwrap_or_else(|| {
        tr(
            lang,
            if member_id.is_none() {
                Msg::You
            } else {
                Msg::Unnamed
            },
        )
    })
}

/// A photo's name for screen readers: "Passport or ID page of Luis, ready".
fn photo_name(ctx: Desk, record: &crate::store::PhotoRecord, person: &str) -> String {
    let lang = ctx.lang.get();
    let state = if record.unreadable {
        Msg::PhotoStateUnreadable
    } else if record.processed.is_some() {
        Msg::PhotoStateReady
    } else {
        Msg::PhotoStatePreparing
    };
    tr_with(
        lang,
        Msg::PhotoName,
        &[
            ("kind", ctx.kind_words(&record.kind).as_str().into()),
            ("person", person.into()),
            ("state", tr(lang, state).as_str().into()),
        ],
    )
}

fn photo_item(ctx: Desk, photo: Photo, person: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let record = photo.record.clone();
    let id = record.photo_id;
    let url = thumbnail_url(&photo);
    let ready = record.processed.is_some();
    let unreadable = record.unreadable;
    let kind = record.kind.clone();
    let kind_for_retake = kind.clone();
    let quality = record
        .processed
        .as_ref()
        .and_then(|p| p.quality)
        .filter(|q| q.hard_to_read());
    let named = record.clone();
    let person_name_for = person.clone();
    let name = move || {
        let who = person_name(lang.get(), named.member_id, person_name_for.clone());
        photo_name(ctx, &named, &who)
    };
    let name_for_buttons = name.clone();
    let name_for_delete = name.clone();
    view! {
        <li class="photo" id=format!("photo-{id}") tabindex="-1" data-testid="photo" data-photo-id=id.to_string() data-ready=ready.to_string()>
            {match url {
                Some(src) => view! { <img src=src alt=name.clone() width="96" height="96" /> }.into_any(),
                None if unreadable => view! {
                    <span class="problem" role="alert" data-testid="photo-unreadable">{t(Msg::PhotoUnreadable)}</span>
                }.into_any(),
                None => view! { <span class="processing" role="status">{t(Msg::PhotoProcessing)}</span> }.into_any(),
            }}
            <span class="kind">{move || ctx.kind_words(&kind)}</span>
            {quality.map(|q| view! {
                <p class="warning" role="status" data-testid="photo-quality-warning">
                    {t(Msg::PhotoHardToRead)}
                    {q.dark.then(|| view! { " " {t(Msg::PhotoTooDark)} })}
                    {q.blurry.then(|| view! { " " {t(Msg::PhotoTooBlurry)} })}
                </p>
            })}
            {move || ctx.photo_error(id).map(|code| view! {
                <span class="field-error" role="alert">{move || tr(ctx.lang.get(), i18n::field_code(code))}</span>
            })}
            <label class="button small file-button">
                <span>{t(Msg::Retake)}<span class="visually-hidden">" — "{name_for_buttons}</span></span>
                <input type="file" accept="image/*" capture="environment" class="file-overlay" data-testid="retake-photo"
                    on:change=move |ev| keep_files(ctx, (record.case_id, record.member_id), kind_for_retake.clone(), files_of(&ev), Some(id)) />
            </label>
            <button type="button" class="link danger" data-testid="delete-photo"
                on:click=move |_| spawn_local(async move {
                    if store().delete_photo(id).await.is_ok() {
                        forget_thumbnail(id);
                    }
                })>
                {t(Msg::DeletePhoto)}<span class="visually-hidden">" — "{name_for_delete}</span>
            </button>
        </li>
    }
}

/// The document photos that Send will send, per person, for the last step.
pub fn review_photos(ctx: Desk, record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let lang = ctx.lang;
    let Some(case_id) = record.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
        return ().into_any();
    };
    let photos = case_photos(case_id);
    view! {
        <h2>{t(Msg::ReviewDocuments)}</h2>
        {move || {
            let photos = photos.get().unwrap_or_default();
            if photos.is_empty() {
                return view! { <p class="empty">{t(Msg::NoDocuments)}</p> }.into_any();
            }
            let people: Vec<(Option<MemberId>, Option<String>)> = ctx.people.get()
                .into_iter()
                .map(|(id, n)| (id, Some(n).filter(|n| !n.trim().is_empty())))
                .collect();
            view! {
                <ul class="review-photos" data-testid="review-photos">
                    {photos.into_iter().map(|photo| {
                        let owner = people.iter().find(|(id, _)| *id == photo.record.member_id).and_then(|(_, n)| n.clone());
                        let who = person_name(lang.get(), photo.record.member_id, owner);
                        let name = photo_name(ctx, &photo.record, &who);
                        let src = thumbnail_url(&photo);
                        view! {
                            <li>
                                {src.map(|src| view! { <img src=src alt=name.clone() width="72" height="72" /> })}
                                <span><bdi>{who}</bdi>" · "{ctx.kind_words(&photo.record.kind)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any()
        }}
    }
    .into_any()
}
