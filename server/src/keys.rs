//! The organisation's key pairs for sealed cases (`protocol::sealed`). The embedded server keeps
//! them in the data directory as `org-keys.json` (mode 0600, written whole and renamed into
//! place); processes that share a PostgreSQL database keep the same document in it (table
//! `org_keys`), so every process seals and opens with the same keys and none needs a file.
//! Made on first start; `server keys rotate` adds a new current key and keeps every old one, so
//! cases sealed to an older key still open. A running server notices a rotation the next time it
//! reads the keys (the file when it changed; the database every few seconds, and at once when a
//! device names a key it does not know yet).

use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use protocol::sealed::{self, PrivateKey, PublicKey, SealError};
use serde::{Deserialize, Serialize};

const FILE: &str = "org-keys.json";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a key file this server can read: {why}")]
    Unreadable { path: PathBuf, why: String },
    #[error("the keys in the database: {0}")]
    Storage(#[from] crate::storage::StorageError),
}

/// How the keys in the database are named in errors.
const IN_DATABASE: &str = "org_keys (in the database)";

#[derive(Serialize, Deserialize)]
struct Stored {
    current: String,
    keys: Vec<StoredKey>,
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    key_id: String,
    created_at: String,
    suite: String,
    private_key: String,
}

struct Loaded {
    current: String,
    keys: Vec<(PrivateKey, String)>,
    modified: Option<SystemTime>,
    /// The database's document these keys were read from.
    document: Option<String>,
}

/// Every key pair, the current one first for sealing.
pub struct Keyring {
    path: Option<PathBuf>,
    /// Where the keys live when they are in the database.
    database: Option<std::sync::Arc<dyn crate::storage::Storage>>,
    loaded: RwLock<Loaded>,
}

/// A key as `server keys list` shows it.
pub struct KeyInfo {
    pub key_id: String,
    pub created_at: String,
    pub current: bool,
}

fn new_key(now: time::OffsetDateTime) -> Result<(PrivateKey, String), std::io::Error> {
    let ikm: [u8; 32] = crate::secrets::random_bytes()?;
    let tag: [u8; 3] = crate::secrets::random_bytes()?;
    let key_id = format!(
        "k{:04}{:02}{:02}-{}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        hex::encode(tag)
    );
    let created = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Ok((sealed::key_pair(&key_id, &ikm).0, created))
}

impl Keyring {
    /// One fresh key held in memory only (tests, the simulator).
    pub fn in_memory() -> Result<Keyring, KeyError> {
        let (key, created) =
            new_key(time::OffsetDateTime::now_utc()).map_err(|source| KeyError::Io {
                path: PathBuf::from("(memory)"),
                source,
            })?;
        Ok(Keyring {
            path: None,
            database: None,
            loaded: RwLock::new(Loaded {
                current: key.key_id.clone(),
                keys: vec![(key, created)],
                modified: None,
                document: None,
            }),
        })
    }

    /// The keys in the database, made there first if there are none: from the data directory's
    /// `org-keys.json` when it has one (an installation moved by `server migrate`, or processes
    /// started with copies of it), else a new key. Of processes starting at once, one writes.
    pub async fn open_or_create_in(
        storage: std::sync::Arc<dyn crate::storage::Storage>,
        data_dir: &Path,
    ) -> Result<Keyring, KeyError> {
        loop {
            if let Some(document) = storage.org_keys().await? {
                let loaded = parse(document.as_bytes(), Path::new(IN_DATABASE), None)?;
                return Ok(Keyring {
                    path: None,
                    database: Some(storage),
                    loaded: RwLock::new(Loaded {
                        document: Some(document),
                        ..loaded
                    }),
                });
            }
            let file = data_dir.join(FILE);
            let document = if file.exists() {
                // Checked before it is shared with every process.
                read(&file)?;
                std::fs::read_to_string(&file).map_err(|source| KeyError::Io {
                    path: file.clone(),
                    source,
                })?
            } else {
                let (key, created) =
                    new_key(time::OffsetDateTime::now_utc()).map_err(|source| KeyError::Io {
                        path: PathBuf::from(IN_DATABASE),
                        source,
                    })?;
                document_of(&Stored {
                    current: key.key_id.clone(),
                    keys: vec![stored(&key, &created)],
                })
            };
            if storage.put_org_keys(None, &document).await? {
                tracing::info!("the organisation's sealing keys are kept in the database");
            }
        }
    }

    /// Adds a new key to the database's keys and makes it current; returns its ID.
    pub async fn rotate_in(
        storage: std::sync::Arc<dyn crate::storage::Storage>,
        data_dir: &Path,
    ) -> Result<String, KeyError> {
        loop {
            let ring = Keyring::open_or_create_in(storage.clone(), data_dir).await?;
            let (key, created) =
                new_key(time::OffsetDateTime::now_utc()).map_err(|source| KeyError::Io {
                    path: PathBuf::from(IN_DATABASE),
                    source,
                })?;
            let key_id = key.key_id.clone();
            let (previous, document) = {
                let loaded = ring.loaded.read().unwrap_or_else(|e| e.into_inner());
                let mut keys: Vec<StoredKey> =
                    loaded.keys.iter().map(|(k, c)| stored(k, c)).collect();
                keys.push(stored(&key, &created));
                (
                    loaded.document.clone().unwrap_or_default(),
                    document_of(&Stored {
                        current: key_id.clone(),
                        keys,
                    }),
                )
            };
            // Another rotation won meanwhile: add to what it wrote.
            if storage.put_org_keys(Some(&previous), &document).await? {
                return Ok(key_id);
            }
        }
    }

    /// Reads the database's keys again if they changed (nothing for keys in a file).
    pub async fn refresh_from_database(&self) {
        let Some(storage) = &self.database else {
            return;
        };
        let document = match storage.org_keys().await {
            Ok(Some(d)) => d,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "re-reading the sealing keys failed");
                return;
            }
        };
        let same = self
            .loaded
            .read()
            .map(|l| l.document.as_deref() == Some(document.as_str()))
            .unwrap_or(false);
        if same {
            return;
        }
        match parse(document.as_bytes(), Path::new(IN_DATABASE), None) {
            Ok(fresh) => {
                if let Ok(mut l) = self.loaded.write() {
                    *l = Loaded {
                        document: Some(document),
                        ..fresh
                    };
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "the sealing keys in the database are unreadable")
            }
        }
    }

    /// Makes sure a key a device names is known if it exists: keys in the database are read again
    /// when it is not (another process may have rotated a moment ago).
    pub async fn learn(&self, key_id: &str) {
        if self.database.is_some() && !self.knows(key_id) {
            self.refresh_from_database().await;
        }
    }

    /// Whether the keys live in the database (then `refresh_from_database` keeps them current).
    pub fn in_database(&self) -> bool {
        self.database.is_some()
    }

    /// The keys under `data_dir`, made there first if there are none.
    pub fn open_or_create(data_dir: &Path) -> Result<Keyring, KeyError> {
        let path = data_dir.join(FILE);
        if !path.exists() {
            let (key, created) =
                new_key(time::OffsetDateTime::now_utc()).map_err(|source| KeyError::Io {
                    path: path.clone(),
                    source,
                })?;
            write(
                &path,
                &Stored {
                    current: key.key_id.clone(),
                    keys: vec![stored(&key, &created)],
                },
            )?;
            tracing::info!(key_id = %key.key_id, "made the organisation's first sealing key");
        }
        let loaded = read(&path)?;
        Ok(Keyring {
            path: Some(path),
            database: None,
            loaded: RwLock::new(loaded),
        })
    }

    /// Adds a new key and makes it current; returns its ID.
    pub fn rotate(data_dir: &Path) -> Result<String, KeyError> {
        let ring = Keyring::open_or_create(data_dir)?;
        let path = data_dir.join(FILE);
        let (key, created) =
            new_key(time::OffsetDateTime::now_utc()).map_err(|source| KeyError::Io {
                path: path.clone(),
                source,
            })?;
        let key_id = key.key_id.clone();
        let loaded = ring.loaded.read().unwrap_or_else(|e| e.into_inner());
        let mut keys: Vec<StoredKey> = loaded.keys.iter().map(|(k, c)| stored(k, c)).collect();
        keys.push(stored(&key, &created));
        write(
            &path,
            &Stored {
                current: key_id.clone(),
                keys,
            },
        )?;
        Ok(key_id)
    }

    /// Re-reads the file if it changed (a rotation by the command line).
    fn refresh(&self) {
        let Some(path) = &self.path else { return };
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let stale = self
            .loaded
            .read()
            .map(|l| l.modified != modified)
            .unwrap_or(true);
        if stale {
            match read(path) {
                Ok(fresh) => {
                    if let Ok(mut l) = self.loaded.write() {
                        *l = fresh;
                    }
                }
                Err(e) => tracing::error!(error = %e, "re-reading the sealing keys failed"),
            }
        }
    }

    /// The key devices seal to now, then the older ones.
    pub fn public_keys(&self) -> (String, Vec<PublicKey>) {
        self.refresh();
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        (
            l.current.clone(),
            l.keys.iter().map(|(k, _)| k.public()).collect(),
        )
    }

    pub fn list(&self) -> Vec<KeyInfo> {
        self.refresh();
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.keys
            .iter()
            .map(|(k, created)| KeyInfo {
                key_id: k.key_id.clone(),
                created_at: created.clone(),
                current: k.key_id == l.current,
            })
            .collect()
    }

    /// Opens a sealed case body; `None` when no key of ours has that ID.
    pub fn open(
        &self,
        case_id: protocol::CaseId,
        body: &sealed::Sealed,
    ) -> Option<Result<Vec<u8>, SealError>> {
        self.refresh();
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.keys
            .iter()
            .find(|(k, _)| k.key_id == body.key_id)
            .map(|(k, _)| k.open(case_id, body))
    }

    /// Opens a locked case's key sealed for its recovery; `None` when no key of ours has that ID.
    pub fn open_case_key(
        &self,
        case_id: protocol::CaseId,
        sealed: &sealed::Sealed,
    ) -> Option<Result<Vec<u8>, SealError>> {
        self.refresh();
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.keys
            .iter()
            .find(|(k, _)| k.key_id == sealed.key_id)
            .map(|(k, _)| k.open_case_key(case_id, sealed))
    }

    /// Whether a key of ours has this ID (a sealed upload is refused at creation otherwise).
    pub fn knows(&self, key_id: &str) -> bool {
        self.refresh();
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.keys.iter().any(|(k, _)| k.key_id == key_id)
    }

    /// Opens a sealed photo's bytes; `None` when no key of ours has that ID.
    pub fn open_photo(
        &self,
        case_id: protocol::CaseId,
        photo_id: protocol::PhotoId,
        key_id: &str,
        enc: &str,
        ciphertext: &[u8],
    ) -> Option<Result<Vec<u8>, SealError>> {
        self.refresh();
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.keys
            .iter()
            .find(|(k, _)| k.key_id == key_id)
            .map(|(k, _)| k.open_photo(case_id, photo_id, enc, ciphertext))
    }
}

fn stored(key: &PrivateKey, created: &str) -> StoredKey {
    StoredKey {
        key_id: key.key_id.clone(),
        created_at: created.to_owned(),
        suite: sealed::SUITE.to_owned(),
        private_key: key.to_stored(),
    }
}

fn read(path: &Path) -> Result<Loaded, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    parse(&bytes, path, modified)
}

/// The keys of a key document (`path` names where it came from in errors).
fn parse(bytes: &[u8], path: &Path, modified: Option<SystemTime>) -> Result<Loaded, KeyError> {
    let bad = |why: String| KeyError::Unreadable {
        path: path.to_owned(),
        why,
    };
    let stored: Stored = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    let mut keys = Vec::new();
    for k in stored.keys {
        if k.suite != sealed::SUITE {
            return Err(bad(format!("key {} is for another suite", k.key_id)));
        }
        let key = PrivateKey::from_stored(&k.key_id, &k.private_key)
            .map_err(|e| bad(format!("key {}: {e}", k.key_id)))?;
        keys.push((key, k.created_at));
    }
    if !keys.iter().any(|(k, _)| k.key_id == stored.current) {
        return Err(bad(format!(
            "the current key {} is not in it",
            stored.current
        )));
    }
    Ok(Loaded {
        current: stored.current,
        keys,
        modified,
        document: None,
    })
}

fn document_of(stored: &Stored) -> String {
    serde_json::to_string_pretty(stored).unwrap_or_default()
}

/// Writes the whole file beside itself with mode 0600, then renames it into place.
fn write(path: &Path, stored: &Stored) -> Result<(), KeyError> {
    use std::io::Write;
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    let bytes = serde_json::to_vec_pretty(stored).map_err(|e| io(std::io::Error::other(e)))?;
    file.write_all(&bytes).map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    file.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_once_kept_private_and_rotation_keeps_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::open_or_create(dir.path()).unwrap();
        let (first, keys) = ring.public_keys();
        assert_eq!(keys.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Opening again reads the same key.
        let again = Keyring::open_or_create(dir.path()).unwrap();
        assert_eq!(again.public_keys().0, first);

        let case: protocol::CaseId = "0b7c3f0e-9a55-4c7e-8d1f-2f7a1d9e4b10".parse().unwrap();
        let old_seal = sealed::seal(&keys[0], case, b"old", [4; 32]).unwrap();
        let second = Keyring::rotate(dir.path()).unwrap();
        assert_ne!(second, first);
        // The running ring notices the rotation, and still opens what was sealed to the old key.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let (current, keys) = ring.public_keys();
        assert_eq!(current, second);
        assert_eq!(keys.len(), 2);
        assert_eq!(ring.open(case, &old_seal).unwrap().unwrap(), b"old");
        let listed = ring.list();
        assert!(listed.iter().any(|k| k.key_id == second && k.current));
        assert!(listed.iter().any(|k| k.key_id == first && !k.current));
        let unknown = sealed::Sealed {
            key_id: "nobody".into(),
            ..old_seal
        };
        assert!(ring.open(case, &unknown).is_none());
    }

    #[test]
    fn a_damaged_key_file_is_refused_plainly() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{\"current\":\"x\",\"keys\":[]}").unwrap();
        let err = Keyring::open_or_create(dir.path()).err().unwrap();
        assert!(
            err.to_string().contains("the current key x is not in it"),
            "{err}"
        );
    }
}
