//! The parts of the app that come after the first screen, downloaded apart from it.
//!
//! The page's first download holds the home screen ("My cases", starting a form) and what it
//! needs; a case (the household form and the forms the organisation defines, photos, Check and
//! send with its sealing, the status, receipt and appointment), the tablet's volunteer screen,
//! choosing a PIN (with the key sealed for the organisation) and finishing photos a closed page
//! left unprocessed are split points: the build (`scripts/page_build.sh`, with `wasm-split`) moves the code only
//! they reach into wasm chunks of their own. Once home is shown every chunk is fetched in the
//! background ([`preload_all`]), so opening a case is instant, and the service worker keeps them
//! for offline use. A chunk that cannot be fetched (the connection dropped before it arrived
//! once) is said plainly, with a way to try again; nothing typed is lost, it is in IndexedDB.
//!
//! Without the `split` feature (the wasm tests) the split points are plain functions.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use protocol::CaseId;

use super::t;
use crate::i18n::Msg;
use crate::store::{CaseRecord, Store};

/// A chunk could not be fetched or started (logged to the console by the loader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkMissing;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkMissing {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkMissing
    }
}

type CaseView = fn(CaseId) -> AnyView;
type ScreenView = fn() -> AnyView;
type PinView = fn(CaseRecord, Callback<()>) -> AnyView;
type StoreTask = fn(Rc<Store>) -> Pin<Box<dyn Future<Output = ()>>>;

/// One split point: a function, in its chunk, that returns a plain function pointer into the
/// chunk, which then draws the view (a pointer is `Copy + Send`, so it can sit in a signal).
macro_rules! split_point {
    ($name:ident -> $ret:ty = $body:expr) => {
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $name() -> Result<$ret, ChunkMissing> {
            let draw: $ret = $body;
            Ok(draw)
        }

        #[cfg(not(feature = "split"))]
        async fn $name() -> Result<$ret, ChunkMissing> {
            let draw: $ret = $body;
            Ok(draw)
        }
    };
}

split_point!(case_chunk -> CaseView = |id| view! { <super::case_page::CasePage id=id /> }.into_any());
split_point!(tablet_chunk -> ScreenView = || view! { <super::tablet::TabletScreen /> }.into_any());
split_point!(pin_chunk -> PinView = |record, on_cancel| {
    view! { <super::shared::ChoosePin record on_cancel /> }.into_any()
});
split_point!(photos_chunk -> StoreTask = |store| {
    Box::pin(async move { crate::photos::process_pending(&store).await })
});

/// What has been loaded so far: `None` while a chunk is on its way.
#[derive(Clone, Copy)]
pub(super) struct Chunks {
    case: RwSignal<Option<Result<CaseView, ChunkMissing>>>,
    tablet: RwSignal<Option<Result<ScreenView, ChunkMissing>>>,
    pin: RwSignal<Option<Result<PinView, ChunkMissing>>>,
}

impl Chunks {
    pub(super) fn new() -> Self {
        Chunks {
            case: RwSignal::new(None),
            tablet: RwSignal::new(None),
            pin: RwSignal::new(None),
        }
    }

    async fn load_case(self) {
        if !matches!(self.case.get_untracked(), Some(Ok(_))) {
            self.case.set(Some(case_chunk().await));
        }
    }

    async fn load_tablet(self) {
        if !matches!(self.tablet.get_untracked(), Some(Ok(_))) {
            self.tablet.set(Some(tablet_chunk().await));
        }
    }

    async fn load_pin(self) {
        if !matches!(self.pin.get_untracked(), Some(Ok(_))) {
            self.pin.set(Some(pin_chunk().await));
        }
    }
}

/// Fetches every chunk, one after the other (the case first: it is what a person opens next,
/// and the photos a page left unprocessed when it died share most of its code, so they are
/// finished next), then runs `then` (the service worker's install, which then finds them in the
/// HTTP cache instead of downloading them again). None of it is needed for the first screen,
/// which is shown before this starts.
pub(super) fn preload_all(chunks: Chunks, store: Option<Rc<Store>>, then: impl FnOnce() + 'static) {
    leptos::task::spawn_local(async move {
        chunks.load_case().await;
        if let Some(store) = store {
            match photos_chunk().await {
                Ok(finish_pending_photos) => finish_pending_photos(store).await,
                Err(ChunkMissing) => {
                    web_sys::console::error_1(&"photos: the chunk could not be fetched".into())
                }
            }
        }
        chunks.load_pin().await;
        chunks.load_tablet().await;
        then();
    });
}

/// A case's page, once its chunk is here.
#[component]
pub(super) fn Case(id: CaseId) -> impl IntoView {
    let chunks: Chunks = expect_context();
    // Asked for now if the background's turn has not come (one fetch either way).
    if chunks.case.get_untracked().is_none() {
        leptos::task::spawn_local(chunks.load_case());
    }
    move || match chunks.case.get() {
        Some(Ok(draw)) => draw(id),
        Some(Err(ChunkMissing)) => missing(move || {
            chunks.case.set(None);
            leptos::task::spawn_local(chunks.load_case());
        }),
        None => waiting(),
    }
}

/// The tablet's volunteer screen, once its chunk is here.
#[component]
pub(super) fn Tablet() -> impl IntoView {
    let chunks: Chunks = expect_context();
    if chunks.tablet.get_untracked().is_none() {
        leptos::task::spawn_local(chunks.load_tablet());
    }
    move || match chunks.tablet.get() {
        Some(Ok(draw)) => draw(),
        Some(Err(ChunkMissing)) => missing(move || {
            chunks.tablet.set(None);
            leptos::task::spawn_local(chunks.load_tablet());
        }),
        None => waiting(),
    }
}

/// Choosing the PIN of a new form, once its chunk is here.
#[component]
pub(super) fn ChoosePin(record: CaseRecord, on_cancel: Callback<()>) -> impl IntoView {
    let chunks: Chunks = expect_context();
    if chunks.pin.get_untracked().is_none() {
        leptos::task::spawn_local(chunks.load_pin());
    }
    move || match chunks.pin.get() {
        Some(Ok(draw)) => draw(record.clone(), on_cancel),
        Some(Err(ChunkMissing)) => missing(move || {
            chunks.pin.set(None);
            leptos::task::spawn_local(chunks.load_pin());
        }),
        None => waiting(),
    }
}

fn waiting() -> AnyView {
    view! { <p class="loading" role="status">{t(Msg::Loading)}</p> }.into_any()
}

fn missing(retry: impl Fn() + 'static) -> AnyView {
    view! {
        <div class="problem" role="alert" data-testid="part-missing">
            <p>{t(Msg::PartMissing)}</p>
            <button type="button" on:click=move |_| retry()>{t(Msg::PartMissingRetry)}</button>
        </div>
    }
    .into_any()
}
