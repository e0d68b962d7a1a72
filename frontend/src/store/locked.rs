//! Cases locked behind a family's PIN (shared tablets): the `locked` object store holds each as
//! a [`LockedCase`] — when it began, its [`PinLock`], and its [`CaseRecord`] encrypted with the
//! case's own key. The key is in this page's memory only while the case is open; locking
//! forgets it. The sync worker never holds one.
//!
//! Encryption happens before a transaction opens and decryption after it ends: awaiting
//! WebCrypto inside an IndexedDB transaction would end the transaction.

use protocol::sealed::Sealed;
use protocol::CaseId;
use serde::{Deserialize, Serialize};

use super::idb::Mode;
use super::{from_js, key, to_js, CaseRecord, Store, StoreError, LOCKED};
use crate::vault::{self, CaseKey, PinLock, VaultError};

/// A locked case as IndexedDB keeps it. Nothing in it names anyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockedCase {
    pub id: CaseId,
    /// Milliseconds since the epoch.
    pub created_at: f64,
    pub updated_at: f64,
    pub lock: PinLock,
    /// The case key sealed for the organisation (to its current key, with the case ID bound
    /// in), so a signed-in staff member can open a case whose PIN was forgotten. `None` when the
    /// tablet held no organisation key when the case began.
    #[serde(default)]
    pub recovery: Option<Sealed>,
    /// Wrong PINs in a row, and when the next try is allowed (ms since the epoch).
    #[serde(default)]
    pub failures: u32,
    #[serde(default)]
    pub next_try_at: f64,
    /// The [`CaseRecord`] as JSON, `iv ‖ ciphertext` (base64), the case ID as associated data.
    pub record: String,
}

/// What the home screen may know of a locked case.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedSummary {
    pub id: CaseId,
    pub created_at: f64,
    /// Open in this page now (its key is in memory).
    pub open: bool,
}

/// Why a case did not open.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnlockError {
    /// Wrong PIN: `wait_secs` before the next try (0: try again now).
    #[error("that PIN does not open this case")]
    WrongPin { failures: u32, wait_secs: u32 },
    /// Too soon after wrong PINs: try again at `at` (ms since the epoch).
    #[error("wait before trying again")]
    TooSoon { at: f64 },
    #[error("no such locked case")]
    NotFound,
    #[error(transparent)]
    Vault(VaultError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for UnlockError {
    fn from(e: StoreError) -> Self {
        UnlockError::Store(e)
    }
}

fn vault_error(e: VaultError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn aad(id: CaseId) -> Vec<u8> {
    id.to_string().into_bytes()
}

impl Store {
    /// The open key of a locked case, if this page holds it.
    pub(super) fn open_key(&self, id: CaseId) -> Option<CaseKey> {
        self.keys.borrow().get(&id).cloned()
    }

    /// Starts `case` locked: a fresh key, wrapped by `pin`, the key also sealed for the
    /// organisation when its key is known. The case stays open in this page.
    pub async fn start_locked(
        &self,
        case: &CaseRecord,
        pin: &str,
        iterations: u32,
    ) -> Result<(), UnlockError> {
        let case_key = CaseKey::generate().await.map_err(UnlockError::Vault)?;
        let lock = case_key
            .lock(pin, iterations)
            .await
            .map_err(UnlockError::Vault)?;
        let recovery = self.recovery_for(case.id, &case_key).await?;
        let entry = LockedCase {
            id: case.id,
            created_at: case.created_at,
            updated_at: case.updated_at,
            lock,
            recovery,
            failures: 0,
            next_try_at: 0.0,
            record: encrypt_record(&case_key, case).await?,
        };
        let js = to_js(&entry)?;
        let tx = self.transaction(&[LOCKED], Mode::Readwrite)?;
        tx.store(LOCKED)?.put(&js).await?;
        tx.done().await?;
        self.keys.borrow_mut().insert(case.id, case_key);
        self.changed();
        Ok(())
    }

    async fn recovery_for(
        &self,
        id: CaseId,
        case_key: &CaseKey,
    ) -> Result<Option<Sealed>, UnlockError> {
        use delivery::DeviceStore;
        let Some(keys) = self.sealing_keys().await? else {
            return Ok(None);
        };
        let Some(org) = keys.current() else {
            return Ok(None);
        };
        let mut seed = [0u8; 32];
        if !delivery::env::Random::fill_secret(&crate::platform::BrowserRandom, &mut seed) {
            return Ok(None);
        }
        let raw = case_key.raw().await.map_err(UnlockError::Vault)?;
        Ok(protocol::sealed::seal_case_key(org, id, &raw, seed).ok())
    }

    /// Opens a locked case with its key as the organisation gave it back for a signed-in staff
    /// member (the family forgot the PIN): proved against the record, kept open in this page,
    /// the count of wrong PINs cleared. The family then chooses a new PIN ([`Self::change_pin`]).
    pub async fn open_with_key(&self, id: CaseId, raw: &[u8]) -> Result<(), UnlockError> {
        let entry = self.locked_case(id).await?.ok_or(UnlockError::NotFound)?;
        let case_key = CaseKey::from_raw(raw).await.map_err(UnlockError::Vault)?;
        decrypt_record(&case_key, &entry).await?;
        self.set_failures(id, 0, 0.0).await?;
        self.keys.borrow_mut().insert(id, case_key);
        self.changed();
        Ok(())
    }

    /// Wraps an open case's key with a new PIN (the old one no longer opens it).
    pub async fn change_pin(
        &self,
        id: CaseId,
        pin: &str,
        iterations: u32,
    ) -> Result<(), UnlockError> {
        let case_key = self
            .open_key(id)
            .ok_or(UnlockError::Store(StoreError::Locked))?;
        let lock = case_key
            .lock(pin, iterations)
            .await
            .map_err(UnlockError::Vault)?;
        let tx = self.transaction(&[LOCKED], Mode::Readwrite)?;
        let store = tx.store(LOCKED)?;
        if let Some(value) = store.get(&key(id)).await? {
            let mut entry: LockedCase = from_js(value)?;
            entry.lock = lock;
            entry.failures = 0;
            entry.next_try_at = 0.0;
            store.put(&to_js(&entry)?).await?;
        }
        tx.done().await?;
        self.changed();
        Ok(())
    }

    /// What a staff member's sign-in can open this case with, if the tablet sealed its key for
    /// the organisation (it did once it held the organisation's key).
    pub async fn recovery_of(&self, id: CaseId) -> Result<Option<Sealed>, StoreError> {
        Ok(self.locked_case(id).await?.and_then(|e| e.recovery))
    }

    /// A case started before the tablet held the organisation's key gets its recovery seal the
    /// next time it is open and the key is there.
    async fn add_recovery_if_missing(&self, id: CaseId) -> Result<(), UnlockError> {
        let Some(entry) = self.locked_case(id).await? else {
            return Ok(());
        };
        if entry.recovery.is_some() {
            return Ok(());
        }
        let Some(case_key) = self.open_key(id) else {
            return Ok(());
        };
        let Some(recovery) = self.recovery_for(id, &case_key).await? else {
            return Ok(());
        };
        let tx = self.transaction(&[LOCKED], Mode::Readwrite)?;
        let store = tx.store(LOCKED)?;
        if let Some(value) = store.get(&key(id)).await? {
            let mut entry: LockedCase = from_js(value)?;
            entry.recovery.get_or_insert(recovery);
            store.put(&to_js(&entry)?).await?;
        }
        tx.done().await?;
        Ok(())
    }

    /// Every locked case, newest first, without opening any.
    pub async fn locked_cases(&self) -> Result<Vec<LockedSummary>, StoreError> {
        let mut entries: Vec<LockedCase> = self.get_all(LOCKED).await?;
        entries
            .sort_unstable_by(|a, b| b.created_at.total_cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let keys = self.keys.borrow();
        Ok(entries
            .into_iter()
            .map(|e| LockedSummary {
                id: e.id,
                created_at: e.created_at,
                open: keys.contains_key(&e.id),
            })
            .collect())
    }

    pub async fn locked_case(&self, id: CaseId) -> Result<Option<LockedCase>, StoreError> {
        self.get(LOCKED, &key(id)).await
    }

    /// Opens a locked case with `pin` at `now`. Wrong PINs are counted in the store (a reload
    /// does not reset them) and slow the next try down; nothing is ever erased.
    pub async fn unlock(&self, id: CaseId, pin: &str, now: f64) -> Result<(), UnlockError> {
        let entry = self.locked_case(id).await?.ok_or(UnlockError::NotFound)?;
        if now < entry.next_try_at {
            return Err(UnlockError::TooSoon {
                at: entry.next_try_at,
            });
        }
        match CaseKey::unlock(&entry.lock, pin).await {
            Ok(case_key) => {
                // Proves the key against the record too, before calling the case open.
                decrypt_record(&case_key, &entry).await?;
                if entry.failures > 0 {
                    self.set_failures(id, 0, 0.0).await?;
                }
                self.keys.borrow_mut().insert(id, case_key);
                self.add_recovery_if_missing(id).await?;
                self.changed();
                Ok(())
            }
            Err(VaultError::WrongPin) => {
                let failures = entry.failures.saturating_add(1);
                let wait_secs = vault::wait_after(failures);
                self.set_failures(id, failures, now + f64::from(wait_secs) * 1000.0)
                    .await?;
                Err(UnlockError::WrongPin {
                    failures,
                    wait_secs,
                })
            }
            Err(e) => Err(UnlockError::Vault(e)),
        }
    }

    async fn set_failures(
        &self,
        id: CaseId,
        failures: u32,
        next_try_at: f64,
    ) -> Result<(), StoreError> {
        let tx = self.transaction(&[LOCKED], Mode::Readwrite)?;
        let store = tx.store(LOCKED)?;
        if let Some(value) = store.get(&key(id)).await? {
            let mut entry: LockedCase = from_js(value)?;
            entry.failures = failures;
            entry.next_try_at = next_try_at;
            store.put(&to_js(&entry)?).await?;
        }
        tx.done().await
    }

    /// Whether any locked case is open in this page.
    pub fn has_open_locked(&self) -> bool {
        !self.keys.borrow().is_empty()
    }

    /// The locked cases open in this page.
    pub fn open_locked_ids(&self) -> Vec<CaseId> {
        self.keys.borrow().keys().copied().collect()
    }

    /// Locks one case (forgets its key) — "Finish and lock", the idle timer, a hidden page.
    pub fn lock(&self, id: CaseId) {
        if self.keys.borrow_mut().remove(&id).is_some() {
            self.changed();
        }
    }

    /// Locks every case open in this page.
    pub fn lock_all(&self) {
        let had = !self.keys.borrow().is_empty();
        self.keys.borrow_mut().clear();
        if had {
            self.changed();
        }
    }

    /// Whether `id` is a locked case (open or not).
    pub async fn is_locked_case(&self, id: CaseId) -> Result<bool, StoreError> {
        let tx = self.transaction(&[LOCKED], Mode::Readonly)?;
        let has = tx.store(LOCKED)?.has(&key(id)).await?;
        tx.done().await?;
        Ok(has)
    }

    /// The open case's record, read and decrypted; `Locked` when its key is not in memory.
    pub(super) async fn read_locked(&self, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
        let Some(entry) = self.locked_case(id).await? else {
            return Ok(None);
        };
        let Some(case_key) = self.open_key(id) else {
            return Err(StoreError::Locked);
        };
        decrypt_record(&case_key, &entry).await.map(Some)
    }
}

pub(super) async fn encrypt_record(
    case_key: &CaseKey,
    case: &CaseRecord,
) -> Result<String, StoreError> {
    use base64::Engine;
    let json = serde_json::to_vec(case).map_err(|e| StoreError::Failed(e.to_string()))?;
    let sealed = case_key
        .encrypt(&aad(case.id), &json)
        .await
        .map_err(vault_error)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
}

async fn decrypt_record(case_key: &CaseKey, entry: &LockedCase) -> Result<CaseRecord, StoreError> {
    use base64::Engine;
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(&entry.record)
        .map_err(|_| StoreError::Corrupt("a locked case's record is not base64".into()))?;
    let json = case_key
        .decrypt(&aad(entry.id), &sealed)
        .await
        .map_err(vault_error)?;
    serde_json::from_slice(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
}
