//! The documents step: photos for the applicant and every family member, taken with the camera
//! or picked from the gallery; several per person; retake and delete.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{form, CaseId, MemberId, PhotoId};
use wasm_bindgen::JsCast;

use delivery::DeviceStore;

use super::form::Ctx;
use super::{store, t, use_lang, StoreVersion};
use crate::i18n::{self, tr, tr_with, Lang, Msg};
use crate::photos;
use crate::store::{CaseRecord, Photo, StoreError};

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
/// person's photos and on Check and send (`Ctx::photo_not_kept`), in words of its own: the form's
/// "Saved" is about the answers and must not cover it.
fn keep_files(
    ctx: Ctx,
    (case_id, member_id): (CaseId, Option<MemberId>),
    kind: String,
    files: Vec<web_sys::File>,
    replacing: Option<PhotoId>,
) {
    let failed = move |e: StoreError| {
        web_sys::console::error_1(&format!("keeping a photo: {e}").into());
        ctx.set_photo_not_kept(member_id, Some(not_kept_because(&e)));
    };
    spawn_local(async move {
        for file in files {
            match photos::add(store(), case_id, member_id, &kind, file.into(), failed).await {
                Ok(_) => ctx.set_photo_not_kept(member_id, None),
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

pub fn photos_step(ctx: Ctx, record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let Some(case_id) = record.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
        return ().into_any();
    };
    let photos = case_photos(case_id);
    // Photos whose person is no longer in the form (left by an older version of the app): they
    // must be deleted before the form can be sent, so they are shown apart.
    let orphans = move || {
        let members: Vec<MemberId> = record.with(|r| {
            r.as_ref()
                .map(|r| r.submission.members.iter().map(|m| m.member_id).collect())
                .unwrap_or_default()
        });
        photos
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.record.member_id.is_some_and(|m| !members.contains(&m)))
            .collect::<Vec<_>>()
    };
    let people = Memo::new(move |_| {
        record.with(|r| {
            let Some(r) = r else { return Vec::new() };
            let mut people = vec![(None, r.submission.applicant.name.clone())];
            people.extend(
                r.submission
                    .members
                    .iter()
                    .map(|m| (Some(m.member_id), m.name.clone())),
            );
            people
        })
    });
    view! {
        <p>{t(Msg::DocumentsIntro)}</p>
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
    ctx: Ctx,
    case_id: CaseId,
    member_id: Option<MemberId>,
    name: String,
    photos: ReadSignal<Option<Vec<Photo>>, LocalStorage>,
) -> impl IntoView {
    let lang = use_lang();
    let kind = RwSignal::new(form::PHOTO_KINDS[0].to_owned());
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
            {move || ctx.photo_not_kept_for(member_id).map(|m| view! {
                <p class="problem" role="alert" data-testid="photo-not-kept">{t(m)}</p>
            })}
            <div class="field">
                <label for=kind_id.clone()>{t(Msg::PhotoKind)}</label>
                <select id=kind_id name="photo-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {form::PHOTO_KINDS.iter().map(|&k| view! {
                        <option value=k selected=move || kind.get() == k>{t(i18n::photo_kind(k))}</option>
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
fn photo_name(lang: Lang, record: &crate::store::PhotoRecord, person: &str) -> String {
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
            (
                "kind",
                tr(lang, i18n::photo_kind(&record.kind)).as_str().into(),
            ),
            ("person", person.into()),
            ("state", tr(lang, state).as_str().into()),
        ],
    )
}

fn photo_item(ctx: Ctx, photo: Photo, person: Option<String>) -> impl IntoView {
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
        photo_name(lang.get(), &named, &who)
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
            <span class="kind">{t(i18n::photo_kind(&kind))}</span>
            {quality.map(|q| view! {
                <p class="warning" role="status" data-testid="photo-quality-warning">
                    {t(Msg::PhotoHardToRead)}
                    {q.dark.then(|| view! { " " {t(Msg::PhotoTooDark)} })}
                    {q.blurry.then(|| view! { " " {t(Msg::PhotoTooBlurry)} })}
                </p>
            })}
            {move || ctx.photo_error(id).map(|code| view! {
                <span class="field-error" role="alert">{move || tr(ctx.lang().get(), i18n::field_code(code))}</span>
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
pub fn review_photos(record: RwSignal<Option<CaseRecord>>) -> impl IntoView {
    let lang = use_lang();
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
            let people: Vec<(Option<MemberId>, Option<String>)> = record.with(|r| {
                let Some(r) = r else { return Vec::new() };
                std::iter::once((None, Some(r.submission.applicant.name.clone())))
                    .chain(r.submission.members.iter().map(|m| (Some(m.member_id), Some(m.name.clone()))))
                    .map(|(id, n)| (id, n.filter(|n| !n.trim().is_empty())))
                    .collect()
            });
            view! {
                <ul class="review-photos" data-testid="review-photos">
                    {photos.into_iter().map(|photo| {
                        let owner = people.iter().find(|(id, _)| *id == photo.record.member_id).and_then(|(_, n)| n.clone());
                        let who = person_name(lang.get(), photo.record.member_id, owner);
                        let name = photo_name(lang.get(), &photo.record, &who);
                        let src = thumbnail_url(&photo);
                        view! {
                            <li>
                                {src.map(|src| view! { <img src=src alt=name.clone() width="72" height="72" /> })}
                                <span><bdi>{who}</bdi>" · "{tr(lang.get(), i18n::photo_kind(&photo.record.kind))}</span>
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
