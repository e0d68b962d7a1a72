//! The newest unsaved version of a draft, and what happens when writing it fails: it stays
//! pending (unless something newer replaced it) so the next flush writes it, instead of the
//! change being dropped until the person types again. The UI decides when to flush (a short
//! delay after typing, at once when the page is hidden, on a timer after a failure).
//!
//! Flushes may overlap (a page being hidden flushes at once, whatever is in flight): each
//! version carries a number, and a failed one is put back only if nothing newer was saved or is
//! waiting, so an old version never overwrites a newer one.

use std::cell::{Cell, RefCell};

use crate::records::CaseRecord;
use crate::store::{DeviceStore, StoreError};

#[derive(Default)]
pub struct Autosave {
    pending: RefCell<Option<(u64, CaseRecord)>>,
    /// The number the next change gets.
    next: Cell<u64>,
    /// The newest version written so far.
    saved: Cell<Option<u64>>,
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
        let n = self.next.get();
        self.next.set(n + 1);
        *self.pending.borrow_mut() = Some((n, record));
    }

    pub fn is_pending(&self) -> bool {
        self.pending.borrow().is_some()
    }

    /// The newest version not yet written, if any: what a form reopened meanwhile must show.
    pub fn pending(&self) -> Option<CaseRecord> {
        self.pending.borrow().as_ref().map(|(_, r)| r.clone())
    }

    /// Drops what is pending (the form was just submitted with these very answers).
    pub fn cancel(&self) {
        self.pending.borrow_mut().take();
    }

    /// Writes what is pending. On failure the version is put back unless a newer one was saved
    /// or arrived meanwhile, and the error is returned.
    pub async fn flush(&self, store: &impl DeviceStore) -> Result<Flushed, StoreError> {
        let Some((n, record)) = self.pending.borrow_mut().take() else {
            return Ok(Flushed::Nothing);
        };
        match store.save_draft(&record).await {
            Ok(()) => {
                self.saved
                    .set(Some(self.saved.get().map_or(n, |s| s.max(n))));
                Ok(Flushed::Saved {
                    more: self.is_pending(),
                })
            }
            Err(StoreError::AlreadySubmitted) => Ok(Flushed::AlreadySent),
            Err(e) => {
                self.put_back(n, record);
                Err(e)
            }
        }
    }

    /// A failed version waits again unless something newer was saved or is waiting. Overlapping
    /// flushes may fail in any order: an older failure may have been put back while this newer
    /// one was in flight, and this one replaces it (the person's last keys are never dropped).
    fn put_back(&self, n: u64, record: CaseRecord) {
        let newer_saved = self.saved.get().is_some_and(|s| s > n);
        let mut pending = self.pending.borrow_mut();
        let newer_waiting = pending.as_ref().is_some_and(|(p, _)| *p > n);
        if !newer_saved && !newer_waiting {
            *pending = Some((n, record));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use futures::executor::block_on;

    fn draft(name: &str) -> CaseRecord {
        let mut case = CaseRecord::new(protocol::CaseId(uuid::Uuid::from_u128(9)), 1.0);
        case.submission.applicant.name = name.into();
        case
    }

    fn stored_name(store: &MemoryStore) -> Option<String> {
        block_on(store.case(draft("").id))
            .unwrap()
            .map(|c| c.submission.applicant.name)
    }

    #[test]
    fn a_failed_write_keeps_the_change_for_the_next_flush() {
        let store = MemoryStore::new();
        let saver = Autosave::default();
        saver.change(draft("Zoë"));
        store.set_full(true);
        assert_eq!(
            block_on(saver.flush(&store)),
            Err(StoreError::QuotaExceeded)
        );
        assert!(saver.is_pending(), "the change is still waiting");
        store.set_full(false);
        // Space was freed; nobody typed again.
        assert_eq!(
            block_on(saver.flush(&store)),
            Ok(Flushed::Saved { more: false })
        );
        assert_eq!(stored_name(&store).as_deref(), Some("Zoë"));
    }

    #[test]
    fn a_failed_old_version_never_replaces_a_newer_one() {
        let store = MemoryStore::new();
        let saver = Autosave::default();
        saver.change(draft("Z"));
        store.set_full(true);
        assert!(block_on(saver.flush(&store)).is_err());
        saver.change(draft("Zoë Núñez"));
        store.set_full(false);
        block_on(saver.flush(&store)).unwrap();
        assert!(!saver.is_pending());
        assert_eq!(stored_name(&store).as_deref(), Some("Zoë Núñez"));

        // Overlapping flushes: the older one fails after the newer one was saved.
        saver.change(draft("old"));
        let old = saver.pending.borrow_mut().take().unwrap();
        saver.change(draft("new"));
        block_on(saver.flush(&store)).unwrap();
        *saver.pending.borrow_mut() = Some(old);
        store.set_full(true);
        assert!(block_on(saver.flush(&store)).is_err());
        assert!(!saver.is_pending(), "the old version is not put back");
        store.set_full(false);
        assert_eq!(stored_name(&store).as_deref(), Some("new"));
    }

    #[test]
    fn overlapping_failures_keep_the_newest_version_whatever_order_they_fail_in() {
        let store = MemoryStore::new();
        let saver = Autosave::default();
        // Two flushes in flight, the older one fails first, then the newer one.
        saver.change(draft("Zoë Núñe"));
        let (older, older_record) = saver.pending.borrow_mut().take().unwrap();
        saver.change(draft("Zoë Núñez"));
        let (newer, newer_record) = saver.pending.borrow_mut().take().unwrap();
        saver.put_back(older, older_record.clone());
        saver.put_back(newer, newer_record.clone());
        assert_eq!(
            saver.pending().unwrap().submission.applicant.name,
            "Zoë Núñez"
        );
        // The other order.
        saver.pending.borrow_mut().take();
        saver.put_back(newer, newer_record);
        saver.put_back(older, older_record);
        assert_eq!(
            saver.pending().unwrap().submission.applicant.name,
            "Zoë Núñez"
        );
        // Space returns: the newest is what is written.
        block_on(saver.flush(&store)).unwrap();
        assert_eq!(stored_name(&store).as_deref(), Some("Zoë Núñez"));
    }

    #[test]
    fn a_change_to_a_sent_case_is_dropped() {
        let store = MemoryStore::new();
        let case = draft("Ana");
        block_on(store.save_draft(&case)).unwrap();
        let item = crate::records::OutboxItem::queued(case.id, case.submission.clone(), 2.0);
        block_on(store.enqueue(&case, &item)).unwrap();
        let saver = Autosave::default();
        saver.change(draft("Ana B"));
        assert_eq!(block_on(saver.flush(&store)), Ok(Flushed::AlreadySent));
        assert!(!saver.is_pending());
    }
}
