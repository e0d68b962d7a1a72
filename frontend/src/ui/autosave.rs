//! Autosave: the form writes to a signal; this writes the signal to IndexedDB at most 200 ms
//! later, and at once when the page is hidden or unloaded (phones kill background pages). A write
//! that fails (a full device) keeps the change and tries again every few seconds, so "free some
//! space and it will be saved" comes true without typing again — also after the person has left
//! the form: there is one saver per case for the life of the page.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use delivery::autosave::{Autosave, Flushed};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use protocol::CaseId;

use crate::platform;
use crate::store::{CaseRecord, StoreError};

const DELAY_MS: u32 = 200;
/// How often a failed save is tried again.
const RETRY_MS: u32 = 3_000;

thread_local! {
    /// The form being edited, so page-lifecycle events can flush it.
    static ACTIVE: RefCell<Weak<Autosaver>> = const { RefCell::new(Weak::new()) };
    /// Every case's saver, kept while the page lives so a failed write keeps being retried.
    static SAVERS: RefCell<HashMap<CaseId, Rc<Autosaver>>> = RefCell::new(HashMap::new());
}

/// The saver of `case`, shown through `state` by the form now open.
pub fn for_case(case: CaseId, state: RwSignal<SaveState>) -> Rc<Autosaver> {
    let saver = SAVERS.with(|s| {
        s.borrow_mut()
            .entry(case)
            .or_insert_with(|| {
                Rc::new(Autosaver {
                    queue: Autosave::default(),
                    timer: RefCell::new(None),
                    writing: Cell::new(0),
                    state: RefCell::new(state),
                })
            })
            .clone()
    });
    *saver.state.borrow_mut() = state;
    if saver.queue.is_pending() {
        state.set(SaveState::Pending);
    }
    ACTIVE.with(|a| *a.borrow_mut() = Rc::downgrade(&saver));
    saver
}

/// The newest version of `case` not yet written, if any: what a form reopened meanwhile shows.
pub fn pending(case: CaseId) -> Option<CaseRecord> {
    SAVERS.with(|s| {
        s.borrow()
            .get(&case)
            .and_then(|saver| saver.queue.pending())
    })
}

/// What the save indicator shows.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Pending,
    Failed(StoreError),
}

pub struct Autosaver {
    queue: Autosave,
    timer: RefCell<Option<Timeout>>,
    /// Writes in flight.
    writing: Cell<u32>,
    /// The indicator of the form now showing this case (it may have been closed since).
    state: RefCell<RwSignal<SaveState>>,
}

impl Autosaver {
    fn show(&self, state: SaveState) {
        // The form may be gone; the saving goes on.
        let _ = self.state.borrow().try_set(state);
    }

    fn shown(&self) -> Option<SaveState> {
        self.state.borrow().try_get_untracked()
    }

    pub fn schedule(self: &Rc<Self>, record: CaseRecord) {
        self.queue.change(record);
        if !matches!(self.shown(), Some(SaveState::Failed(_))) {
            self.show(SaveState::Pending);
        }
        self.flush_after(DELAY_MS);
    }

    fn flush_after(self: &Rc<Self>, ms: u32) {
        if self.timer.borrow().is_some() {
            return;
        }
        let this = Rc::downgrade(self);
        *self.timer.borrow_mut() = Some(Timeout::new(ms, move || {
            if let Some(this) = this.upgrade() {
                this.timer.borrow_mut().take();
                this.flush();
            }
        }));
    }

    /// Writes what is pending now.
    pub fn flush(self: &Rc<Self>) {
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.cancel();
        }
        if !self.queue.is_pending() {
            return;
        }
        let this = self.clone();
        this.writing.set(this.writing.get() + 1);
        spawn_local(async move {
            let result = this.queue.flush(&*super::store()).await;
            this.writing.set(this.writing.get() - 1);
            match result {
                // "Saved" only when nothing newer is waiting or being written.
                Ok(Flushed::Saved { more: false } | Flushed::AlreadySent | Flushed::Nothing)
                    if this.writing.get() == 0 =>
                {
                    this.show(SaveState::Saved);
                }
                Ok(Flushed::Saved { more: true }) => this.flush_after(DELAY_MS),
                Ok(_) => {}
                Err(e) => {
                    this.show(SaveState::Failed(e));
                    this.flush_after(RETRY_MS);
                }
            }
        });
    }

    /// Drops what is pending (the form was just submitted with these very answers).
    pub fn cancel(&self) {
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.cancel();
        }
        self.queue.cancel();
        self.show(SaveState::Saved);
    }
}

/// Installed once: hidden or unloading pages write what is pending straight away.
pub fn install_page_lifecycle_flush() {
    let flush_active = |_| {
        if let Some(saver) = ACTIVE.with(|a| a.borrow().upgrade()) {
            saver.flush();
        }
    };
    platform::on_document("visibilitychange", move |e| {
        if platform::page_is_hidden() {
            flush_active(e);
        }
    });
    platform::on_window("pagehide", flush_active);
}

/// Writes everything pending in every saver and waits until no write is in flight (before a
/// locked case's key is forgotten). A write that fails stays pending.
pub async fn settle_all() {
    let savers: Vec<Rc<Autosaver>> = SAVERS.with(|s| s.borrow().values().cloned().collect());
    for saver in savers {
        if let Some(timer) = saver.timer.borrow_mut().take() {
            timer.cancel();
        }
        // A bounded wait: a store that keeps failing must not keep the form on screen unlocked.
        for _ in 0..50 {
            if saver.queue.is_pending() && saver.writing.get() == 0 {
                saver.writing.set(saver.writing.get() + 1);
                let result = saver.queue.flush(&*super::store()).await;
                saver.writing.set(saver.writing.get() - 1);
                if result.is_err() {
                    break;
                }
            } else if saver.writing.get() > 0 {
                gloo_timers::future::TimeoutFuture::new(20).await;
            } else {
                break;
            }
        }
    }
}

/// Drops a case's saver and anything it still held (the case was just locked: nothing of it
/// stays in this page's memory).
pub fn forget(case: CaseId) {
    let saver = SAVERS.with(|s| s.borrow_mut().remove(&case));
    if let Some(saver) = saver {
        saver.cancel();
    }
}
