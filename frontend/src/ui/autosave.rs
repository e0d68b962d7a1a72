//! Autosave: the form writes to a signal; this writes the signal to IndexedDB at most 200 ms
//! later, and at once when the page is hidden or unloaded (phones kill background pages).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::platform;
use crate::store::{CaseRecord, StoreError};

const DELAY_MS: u32 = 200;

thread_local! {
    /// The form being edited, so page-lifecycle events can flush it.
    static ACTIVE: RefCell<Weak<Autosaver>> = const { RefCell::new(Weak::new()) };
}

/// What the save indicator shows.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Pending,
    Failed(StoreError),
}

pub struct Autosaver {
    pending: RefCell<Option<CaseRecord>>,
    timer: RefCell<Option<Timeout>>,
    state: RwSignal<SaveState>,
}

impl Autosaver {
    pub fn new(state: RwSignal<SaveState>) -> Rc<Self> {
        let saver = Rc::new(Autosaver {
            pending: RefCell::new(None),
            timer: RefCell::new(None),
            state,
        });
        ACTIVE.with(|a| *a.borrow_mut() = Rc::downgrade(&saver));
        saver
    }

    pub fn schedule(self: &Rc<Self>, record: CaseRecord) {
        *self.pending.borrow_mut() = Some(record);
        self.state.set(SaveState::Pending);
        if self.timer.borrow().is_none() {
            let this = Rc::downgrade(self);
            *self.timer.borrow_mut() = Some(Timeout::new(DELAY_MS, move || {
                if let Some(this) = this.upgrade() {
                    this.timer.borrow_mut().take();
                    this.flush();
                }
            }));
        }
    }

    /// Writes what is pending now.
    pub fn flush(self: &Rc<Self>) {
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.cancel();
        }
        let Some(record) = self.pending.borrow_mut().take() else {
            return;
        };
        let this = self.clone();
        spawn_local(async move {
            match super::store().save_draft(&record).await {
                // "Saved" only when no newer change is waiting behind this one.
                Ok(()) if this.pending.borrow().is_none() => this.state.set(SaveState::Saved),
                Ok(()) => {}
                Err(e) => this.state.set(SaveState::Failed(e)),
            }
        });
    }

    /// Drops what is pending (the form was just submitted with these very answers).
    pub fn cancel(&self) {
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.cancel();
        }
        self.pending.borrow_mut().take();
        self.state.set(SaveState::Saved);
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
