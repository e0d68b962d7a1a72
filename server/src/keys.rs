//! The organisation's key pairs for sealed cases (`protocol::sealed`), kept in the data directory
//! as `org-keys.json` (mode 0600, written whole and renamed into place). Made on first start;
//! `server keys rotate` adds a new current key and keeps every old one, so cases sealed to an
//! older key still open. A running server notices a rotation the next time it reads the keys.

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
}

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
}

/// Every key pair, the current one first for sealing.
pub struct Keyring {
    path: Option<PathBuf>,
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
            loaded: RwLock::new(Loaded {
                current: key.key_id.clone(),
                keys: vec![(key, created)],
                modified: None,
            }),
        })
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
    let bad = |why: String| KeyError::Unreadable {
        path: path.to_owned(),
        why,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
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
    })
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
