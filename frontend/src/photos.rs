//! Document photos on the device: stored the instant they are chosen (the picture as taken, so a
//! page killed right after the camera returns keeps it), then processed in a Web Worker
//! (`/photo-worker.js`: EXIF orientation applied, long edge 2048 px, JPEG ~0.8, which drops EXIF
//! and GPS; a thumbnail; the SHA-256), and the result written back over the original.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use js_sys::Reflect;
use protocol::{CaseId, MemberId, PhotoId};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::platform;
use crate::store::{Photo, PhotoQuality, PhotoRecord, Processed, Store, StoreError};

const WORKER_URL: &str = "/photo-worker.js";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PhotoError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the picture could not be read: {0}")]
    Unreadable(String),
    #[error("photo processing is not available in this browser")]
    NoWorker,
}

/// Keeps the picture as taken, then processes it in the background. Returns once the original
/// is safely in IndexedDB; `on_store_error` hears if the processed photo could not be stored
/// (a full device), since nobody awaits the background work.
pub async fn add(
    store: Rc<Store>,
    case_id: CaseId,
    member_id: Option<MemberId>,
    kind: &str,
    file: web_sys::Blob,
    on_store_error: impl FnOnce(StoreError) + 'static,
) -> Result<PhotoId, PhotoError> {
    let record = PhotoRecord::new(
        PhotoId::new_random(),
        case_id,
        member_id,
        kind,
        platform::now_ms(),
    );
    let id = record.photo_id;
    store
        .put_photo(&Photo {
            record,
            raw: Some(file),
            photo: None,
            thumbnail: None,
            sealed: None,
        })
        .await?;
    let store2 = store.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match process(&store2, id).await {
            Ok(()) => {}
            Err(PhotoError::Store(e)) => on_store_error(e),
            // An unreadable picture is shown on the photo itself.
            Err(e) => web_sys::console::error_1(&format!("photo {id}: {e}").into()),
        }
    });
    Ok(id)
}

/// Processes every photo left unprocessed (by a page that died while busy).
pub async fn process_pending(store: &Store) {
    for id in store.unprocessed_photos().await.unwrap_or_default() {
        if let Err(e) = process(store, id).await {
            web_sys::console::error_1(&format!("photo {id}: {e}").into());
        }
    }
}

/// Processes one stored original, unless another call already did.
pub async fn process(store: &Store, id: PhotoId) -> Result<(), PhotoError> {
    let Some(photo) = store.photo_with_blobs(id).await? else {
        return Ok(());
    };
    let Some(raw) = photo.raw.filter(|_| photo.record.processed.is_none()) else {
        return Ok(());
    };
    let result = match run_in_worker(raw).await {
        Ok(result) => result,
        Err(PhotoError::Unreadable(why)) => {
            store
                .update_photo(id, |r| r.unreadable = true, None)
                .await?;
            return Err(PhotoError::Unreadable(why));
        }
        Err(e) => return Err(e),
    };
    store
        .update_photo(
            id,
            |r| r.processed = Some(result.processed.clone()),
            Some((
                None,
                Some(result.photo.clone()),
                Some(result.thumbnail.clone()),
            )),
        )
        .await?;
    Ok(())
}

struct WorkerResult {
    processed: Processed,
    photo: web_sys::Blob,
    thumbnail: web_sys::Blob,
}

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    static WAITING: RefCell<HashMap<u32, oneshot::Sender<JsValue>>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

fn worker() -> Result<web_sys::Worker, PhotoError> {
    WORKER.with(|w| {
        if let Some(worker) = w.borrow().as_ref() {
            return Ok(worker.clone());
        }
        let worker = web_sys::Worker::new(WORKER_URL).map_err(|_| PhotoError::NoWorker)?;
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
                let data = event.data();
                let id = Reflect::get(&data, &"id".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0) as u32;
                if let Some(tx) = WAITING.with(|w| w.borrow_mut().remove(&id)) {
                    let _ = tx.send(data);
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        *w.borrow_mut() = Some(worker.clone());
        Ok(worker)
    })
}

async fn run_in_worker(blob: web_sys::Blob) -> Result<WorkerResult, PhotoError> {
    let worker = worker()?;
    let id = NEXT_ID.with(|n| n.replace(n.get().wrapping_add(1)));
    let (tx, rx) = oneshot::channel();
    WAITING.with(|w| w.borrow_mut().insert(id, tx));
    let message = js_sys::Object::new();
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id));
    let _ = Reflect::set(&message, &"blob".into(), &blob);
    // What we can send, best first: WebP keeps a document legible in far fewer bytes; the
    // worker falls back to JPEG where the browser cannot write WebP (Safari).
    let accept = js_sys::Array::of2(&"image/webp".into(), &"image/jpeg".into());
    let _ = Reflect::set(&message, &"accept".into(), &accept);
    worker
        .post_message(&message)
        .map_err(|_| PhotoError::NoWorker)?;
    let data = rx.await.map_err(|_| PhotoError::NoWorker)?;
    let get =
        |name: &str| Reflect::get(&data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if get("ok").as_bool() != Some(true) {
        return Err(PhotoError::Unreadable(
            get("error").as_string().unwrap_or_default(),
        ));
    }
    let photo: web_sys::Blob = get("photo")
        .dyn_into()
        .map_err(|_| PhotoError::Unreadable("no output".into()))?;
    let thumbnail: web_sys::Blob = get("thumbnail")
        .dyn_into()
        .map_err(|_| PhotoError::Unreadable("no thumbnail".into()))?;
    // What the device measured: a dark or blurred picture is flagged, never refused.
    let quality = get("quality");
    let flag = |name: &str| {
        Reflect::get(&quality, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    let quality = (!quality.is_undefined() && !quality.is_null()).then(|| PhotoQuality {
        dark: flag("dark"),
        blurry: flag("blurry"),
    });
    let processed = Processed {
        size: photo.size() as u64,
        sha256: get("sha256").as_string().unwrap_or_default(),
        // The worker says which encoder it used (WebP where the browser makes it).
        content_type: get("type")
            .as_string()
            .filter(|t| protocol::form::is_photo_content_type(t))
            .unwrap_or_else(|| "image/jpeg".into()),
        width: get("width").as_f64().unwrap_or(0.0) as u32,
        height: get("height").as_f64().unwrap_or(0.0) as u32,
        quality,
    };
    Ok(WorkerResult {
        processed,
        photo,
        thumbnail,
    })
}

/// An object URL for showing a Blob; revoke it when the image goes away.
pub fn object_url(blob: &web_sys::Blob) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(blob).ok()
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
