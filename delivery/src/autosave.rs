//! The newest unsaved version of a draft, and what happens when writing it fails: it stays
//! pending (unless something newer replaced it) so the next flush writes it, instead of the
//! change being dropped until the person types again. The UI decides when to flush (a short
//! delay after typing, at once when the page is hidden, on a timer after a failure).

use std::cell::RefCell;

use crate::records::CaseRecord;
use crate::store::{DeviceStore, StoreError};

#[derive(Default)]
pub struct Autosave {
    pending: RefCell<Option<CaseRecord>>,
}

/// What a flush came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flushed {
    /// Nothing was waiting.
    Nothing,
    /// Written; `more` says a newer change arrived meanwhile and is waiting.
    Saved { more: bool },
    /// The case was sent meanwhile (another tab): the change is moot and dropped.
    AlreadySent,
}

impl Autosave {
    /// The person changed something: this version replaces any older unsaved one.
    pub fn change(&self, record: CaseRecord) {
        *self.pending.borrow_mut() = Some(record);
    }

    pub fn is_pending(&self) -> bool {
        self.pending.borrow().is_some()
    }

    /// Drops what is pending (the form was just submitted with these very answers).
    pub fn cancel(&self) {
        self.pending.borrow_mut().take();
    }

    /// Writes what is pending. On failure the version is put back unless a newer one arrived
    /// while it was being written, and the error is returned.
    pub async fn flush(&self, store: &impl DeviceStore) -> Result<Flushed, StoreError> {
        let Some(record) = self.pending.borrow_mut().take() else {
            return Ok(Flushed::Nothing);
        };
        match store.save_draft(&record).await {
            Ok(()) => Ok(Flushed::Saved {
                more: self.is_pending(),
            }),
            Err(StoreError::AlreadySubmitted) => Ok(Flushed::AlreadySent),
            Err(e) => {
                let mut pending = self.pending.borrow_mut();
                if pending.is_none() {
                    *pending = Some(record);
                }
                Err(e)
            }
        }
    }
}
