//! What a person does to their cases, as the UI and the simulator both do it: send, remove a
//! family member (with their documents), correct a refused case, sign in again. Each writes to
//! the store only; the worker notices and acts.

use protocol::api::ErrorCode;
use protocol::date::Date;
use protocol::definition::{answers, Submission};
use protocol::outbox::OutboxState;
use protocol::validation::{validate, FieldCode};
use protocol::{CaseId, FieldError, MemberId, PhotoId, PhotoRef};

use crate::records::{CaseRecord, OutboxItem, Outgoing};
use crate::store::{DeviceStore, StoreError};

/// What pressing Send came to.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// In the outbox, exactly as validated.
    Queued(Box<OutboxItem>),
    /// Something to correct first; the form shows each problem beside its field.
    Invalid(Vec<FieldError>),
    /// Some photos are still being prepared; Send again in a moment.
    PhotosNotReady,
    /// These photos are not pictures the device can read: delete or retake them.
    PhotosUnreadable(Vec<PhotoId>),
}

/// Validates exactly what will be sent — the answers and the photos as they are now — and, if
/// all is well, freezes it into a queued outbox item in one transaction with the final answers.
pub async fn submit(
    store: &impl DeviceStore,
    case: &CaseRecord,
    today: Date,
    now: f64,
) -> Result<SubmitOutcome, StoreError> {
    let outgoing = match checked_outgoing(store, case, today).await? {
        Ok(outgoing) => outgoing,
        Err(outcome) => return Ok(outcome),
    };
    queue(store, case, OutboxItem::queued(case.id, outgoing, now), now).await
}

/// Why a shared tablet's case could not be sealed at Send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealAtSendError {
    /// The tablet holds no key of the organisation yet (it has never been online since it
    /// enrolled): the case stays a locked draft until it has one.
    #[error("this tablet has not received the organisation's key yet")]
    NoKey,
    #[error("the browser gave no randomness to seal with")]
    NoRandomness,
    #[error("sealing failed")]
    Seal,
}

/// As [`submit`], for a shared tablet: what is sent is sealed for the organisation now — the
/// case and each of its photos — and the outbox keeps only the seal (and the photos'
/// references); the photos' sealed bytes are kept beside them and are what their uploads send.
/// `seed` is 32 fresh random bytes.
pub async fn submit_sealed(
    store: &impl DeviceStore,
    case: &CaseRecord,
    seed: Option<[u8; 32]>,
    today: Date,
    now: f64,
) -> Result<Result<SubmitOutcome, SealAtSendError>, StoreError> {
    let outgoing = match checked_outgoing(store, case, today).await? {
        Ok(outgoing) => outgoing,
        Err(outcome) => return Ok(Ok(outcome)),
    };
    let keys = store.sealing_keys().await?;
    let Some((keys, key)) = keys.and_then(|k| k.current().cloned().map(|key| (k, key))) else {
        return Ok(Err(SealAtSendError::NoKey));
    };
    let Some(seed) = seed else {
        return Ok(Err(SealAtSendError::NoRandomness));
    };
    let Ok(sealed) = protocol::sealed::seal(&key, case.id, &outgoing.json(), seed) else {
        return Ok(Err(SealAtSendError::Seal));
    };
    for photo in outgoing.photos() {
        match seal_photo(store, &keys, &key, case.id, photo, &seed).await? {
            Ok(()) => {}
            Err(e) => return Ok(Err(e)),
        }
    }
    let sealed = crate::records::SealedOutgoing {
        sealed,
        photos: outgoing.photos().to_vec(),
    };
    let item = OutboxItem::queued_sealed(case.id, sealed, now);
    Ok(Ok(queue(store, case, item, now).await?))
}

/// Seals one photo of the case (unless it already has a seal for these very bytes to a key the
/// server still lists, kept from an earlier Send: sealing again would upload different bytes
/// under the same photo ID, which the server refuses once it stored the first) and keeps
/// the sealed bytes beside it. Its seed is drawn from the case's, one per photo.
async fn seal_photo(
    store: &impl DeviceStore,
    keys: &protocol::sealed::SealingKeys,
    key: &protocol::sealed::PublicKey,
    case_id: CaseId,
    photo: &PhotoRef,
    seed: &[u8; 32],
) -> Result<Result<(), SealAtSendError>, StoreError> {
    use sha2::{Digest, Sha256};
    let Some(record) = store.photo(photo.photo_id).await? else {
        return Err(StoreError::PhotosChanged);
    };
    if record
        .current_seal()
        .is_some_and(|seal| keys.keys.iter().any(|k| k.key_id == seal.key_id))
    {
        return Ok(Ok(()));
    }
    let Some(bytes) = store.photo_bytes(photo.photo_id, 0, photo.size).await? else {
        return Err(StoreError::PhotosChanged);
    };
    if hex::encode(Sha256::digest(&bytes)) != photo.sha256 {
        return Err(StoreError::PhotosChanged);
    }
    let photo_seed: [u8; 32] = Sha256::new()
        .chain_update(b"resguardo photo seed")
        .chain_update(seed)
        .chain_update(photo.photo_id.to_string())
        .finalize()
        .into();
    let Ok(sealed) = protocol::sealed::seal_photo(key, case_id, photo.photo_id, &bytes, photo_seed)
    else {
        return Ok(Err(SealAtSendError::Seal));
    };
    let seal = crate::records::PhotoSeal {
        key_id: sealed.key_id,
        enc: sealed.enc,
        size: sealed.ciphertext.len() as u64,
        sha256: hex::encode(Sha256::digest(&sealed.ciphertext)),
        seals: photo.sha256.clone(),
    };
    if !store
        .seal_photo(photo.photo_id, &seal, sealed.ciphertext)
        .await?
    {
        return Err(StoreError::PhotosChanged);
    }
    Ok(Ok(()))
}

async fn queue(
    store: &impl DeviceStore,
    case: &CaseRecord,
    item: OutboxItem,
    now: f64,
) -> Result<SubmitOutcome, StoreError> {
    let mut record = case.clone();
    record.last_problem = None;
    record.updated_at = now;
    store.enqueue(&record, &item).await?;
    Ok(SubmitOutcome::Queued(Box::new(item)))
}

/// What would be sent, photos included, once it passes the same checks the server makes; or
/// why it cannot be sent yet.
pub async fn checked_outgoing(
    store: &impl DeviceStore,
    case: &CaseRecord,
    today: Date,
) -> Result<Result<Outgoing, SubmitOutcome>, StoreError> {
    let photos = store.photos_of_case(case.id).await?;
    let unreadable: Vec<PhotoId> = photos
        .iter()
        .filter(|p| p.unreadable)
        .map(|p| p.photo_id)
        .collect();
    if !unreadable.is_empty() {
        return Ok(Err(SubmitOutcome::PhotosUnreadable(unreadable)));
    }
    if photos.iter().any(|p| p.processed.is_none()) {
        return Ok(Err(SubmitOutcome::PhotosNotReady));
    }
    let photo_refs: Vec<PhotoRef> = photos.iter().filter_map(|p| p.as_ref_for_case()).collect();
    let outgoing: Outgoing = match &case.form {
        None => {
            let mut submission = case.submission.clone();
            submission.photos = photo_refs;
            let errors = validate(&submission, today);
            if !errors.is_empty() {
                return Ok(Err(SubmitOutcome::Invalid(name_photos_by_id(
                    errors,
                    &submission.photos,
                ))));
            }
            submission.into()
        }
        Some(form) => {
            let Some(definition) = store
                .form_definition(&form.form_id, form.form_version)
                .await?
            else {
                return Ok(Err(SubmitOutcome::Invalid(vec![FieldError {
                    field: "form_id".into(),
                    code: FieldCode::UnsupportedForm,
                }])));
            };
            let submission = Submission {
                form_id: form.form_id.clone(),
                form_version: form.form_version,
                answers: form.answers.clone(),
                photos: photo_refs,
                appointment_preferences: form.appointment_preferences.clone(),
            };
            let errors = answers::validate(&definition, &submission, today);
            if !errors.is_empty() {
                return Ok(Err(SubmitOutcome::Invalid(name_photos_by_id(
                    errors,
                    &submission.photos,
                ))));
            }
            answers::canonical(&definition, &submission).into()
        }
    };
    Ok(Ok(outgoing))
}

/// The photos that go with a family member (what removing them also removes).
pub async fn photos_of_member(
    store: &impl DeviceStore,
    case: &CaseRecord,
    member: MemberId,
) -> Result<Vec<PhotoId>, StoreError> {
    Ok(store
        .photos_of_case(case.id)
        .await?
        .into_iter()
        .filter(|p| p.member_id == Some(member))
        .map(|p| p.photo_id)
        .collect())
}

/// Removes a family member and their document photos together, so no photo is left pointing at
/// nobody. Returns the case as saved.
pub async fn remove_member(
    store: &impl DeviceStore,
    case: &CaseRecord,
    member: MemberId,
    now: f64,
) -> Result<CaseRecord, StoreError> {
    let photos = photos_of_member(store, case, member).await?;
    let mut record = case.clone();
    record.submission.members.retain(|m| m.member_id != member);
    record.updated_at = now;
    store.save_draft_deleting_photos(&record, &photos).await?;
    Ok(record)
}

/// "Correct and send again": the refused case becomes a draft, with the server's words kept.
pub async fn reopen(store: &impl DeviceStore, id: CaseId) -> Result<(), StoreError> {
    store.reopen_rejected(id).await
}

/// "Sign in again": forget the refused token, keep the typed enrolment code, and put every case
/// that waited for this back in the queue; the worker registers and their uploads continue from
/// where they stopped.
pub async fn sign_in_again(
    store: &impl DeviceStore,
    enrolment_code: Option<&str>,
    now: f64,
) -> Result<(), StoreError> {
    let mut auth = store.device_auth().await?.signing_in_again();
    if let Some(code) = enrolment_code.map(str::trim).filter(|c| !c.is_empty()) {
        auth.enrolment_code = Some(code.to_owned());
    }
    store.set_device_auth(&auth).await?;
    for mut item in store.outbox().await? {
        if item.state == OutboxState::WaitingAuth {
            item.state = OutboxState::Queued;
            item.attempts = 0;
            item.next_attempt_at = now;
            item.problem = None;
            item.updated_at = now;
            store.put_outbox(&item).await?;
        }
    }
    Ok(())
}

/// The way forward a screen offers for a case that is not delivered and not moving by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Nothing to do: it is on its way (or delivered).
    None,
    /// "Sign in again" (with an enrolment code field when that is why).
    SignIn { needs_code: bool },
    /// "Correct and send again": back to the form, which shows what the server said.
    Correct,
    /// "Update the app": this version is too old for the server.
    UpdateApp,
}

pub fn fix_for(item: &OutboxItem) -> Fix {
    let code = item.problem.as_ref().and_then(|p| p.code);
    match item.state {
        OutboxState::WaitingAuth => Fix::SignIn {
            needs_code: matches!(
                code,
                Some(ErrorCode::EnrolmentRequired | ErrorCode::EnrolmentInvalid)
            ),
        },
        OutboxState::Rejected if code == Some(ErrorCode::ClientUnsupported) => Fix::UpdateApp,
        OutboxState::Rejected => Fix::Correct,
        _ => Fix::None,
    }
}

/// Rewrites the field paths of photos from their place in the sent list (`photos.2.member_id`)
/// to the photo they are about (`photos.<photo_id>.member_id`), so a screen can show each problem
/// beside the right photo whatever order it lists them in.
pub fn name_photos_by_id(errors: Vec<FieldError>, photos: &[PhotoRef]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            let mut parts = error.field.splitn(3, '.');
            if let (Some("photos"), Some(index)) = (parts.next(), parts.next()) {
                let rest = parts.next();
                if let Some(photo) = index.parse::<usize>().ok().and_then(|i| photos.get(i)) {
                    error.field = match rest {
                        Some(rest) => format!("photos.{}.{rest}", photo.photo_id),
                        None => format!("photos.{}", photo.photo_id),
                    };
                }
            }
            error
        })
        .collect()
}

/// The photo a field path (as [`name_photos_by_id`] writes it) is about.
pub fn photo_of_path(path: &str) -> Option<PhotoId> {
    path.strip_prefix("photos.")?
        .split('.')
        .next()?
        .parse()
        .ok()
}
