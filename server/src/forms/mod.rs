//! The forms this server takes cases for: the household form built into it, and the versions the
//! organisation uploads as drafts and publishes (staff pages and `server forms publish`).
//!
//! - [`import`]: reads a definition from JSON, YAML or an XLSForm spreadsheet ([`xlsform`]).
//! - [`tables`]: the export's tables (one per form and per repeat), derived from the versions.
//!
//! A published version never changes, so a case is validated forever against the exact version
//! it names, and a draft begun offline on an old version is still accepted after a newer one.

pub mod import;
pub mod tables;
pub mod xlsform;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use protocol::definition::check::{check, Problem};
use protocol::definition::{household, FormDefinition};

use crate::storage::{now_rfc3339, DraftOutcome, Storage, StorageError, StoredForm};

/// One version of a form, as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormVersion {
    pub form_id: String,
    pub version: u32,
    pub title: String,
    pub published: bool,
    /// Built into the server (the household form).
    pub built_in: bool,
    pub created_at: String,
    pub published_at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the definition has {} problem(s)", .0.len())]
    Invalid(Vec<Problem>),
    #[error("version {version} of {form_id} is published with other content; published versions never change, so give this one a new version")]
    Changed { form_id: String, version: u32 },
    #[error("{form_id} is published up to version {latest}; a new version must be higher")]
    NotNewer { form_id: String, latest: u32 },
    #[error("there is no draft {form_id} version {version}")]
    NotFound { form_id: String, version: u32 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What saving a definition came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// A new draft.
    Draft,
    /// The draft of that version, replaced.
    Replaced,
    /// Exactly this version is already published: nothing to do.
    AlreadyPublished,
}

/// Looks definitions up for validation (published ones are cached: they never change).
pub struct FormRegistry {
    storage: Arc<dyn Storage>,
    cache: Mutex<HashMap<(String, u32), Arc<FormDefinition>>>,
}

fn is_built_in(form_id: &str, version: u32) -> bool {
    let h = household::definition();
    form_id == h.form_id && version == h.version
}

fn title_of(def: &FormDefinition) -> String {
    def.languages
        .first()
        .map(|l| def.text(&def.title, l).to_owned())
        .unwrap_or_default()
}

fn parse_stored(form: &StoredForm) -> Result<FormDefinition, StorageError> {
    serde_json::from_slice(&form.definition).map_err(|e| {
        StorageError::Corrupt(format!(
            "form {} version {}: {e}",
            form.form_id, form.version
        ))
    })
}

impl FormRegistry {
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        FormRegistry {
            storage,
            cache: Mutex::default(),
        }
    }

    fn cached(&self, form_id: &str, version: u32) -> Option<Arc<FormDefinition>> {
        self.cache
            .lock()
            .ok()?
            .get(&(form_id.to_owned(), version))
            .cloned()
    }

    /// The published definition of that exact version, if there is one.
    pub async fn published(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<Arc<FormDefinition>>, StorageError> {
        if let Some(def) = self.cached(form_id, version) {
            return Ok(Some(def));
        }
        let def = if is_built_in(form_id, version) {
            household::definition().clone()
        } else {
            match self.storage.form(form_id, version).await? {
                Some(stored) if stored.published_at.is_some() => parse_stored(&stored)?,
                _ => return Ok(None),
            }
        };
        let def = Arc::new(def);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert((form_id.to_owned(), version), def.clone());
        }
        Ok(Some(def))
    }

    /// A version, draft or published (staff pages show drafts before publishing).
    pub async fn any(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<(FormDefinition, bool)>, StorageError> {
        if is_built_in(form_id, version) {
            return Ok(Some((household::definition().clone(), true)));
        }
        match self.storage.form(form_id, version).await? {
            Some(stored) => Ok(Some((
                parse_stored(&stored)?,
                stored.published_at.is_some(),
            ))),
            None => Ok(None),
        }
    }

    /// Every version of every form, the built-in one first.
    pub async fn versions(&self) -> Result<Vec<FormVersion>, StorageError> {
        let h = household::definition();
        let mut out = vec![FormVersion {
            form_id: h.form_id.clone(),
            version: h.version,
            title: title_of(h),
            published: true,
            built_in: true,
            created_at: String::new(),
            published_at: None,
        }];
        for f in self.storage.forms().await? {
            out.push(FormVersion {
                form_id: f.form_id,
                version: f.version,
                title: f.title,
                published: f.published_at.is_some(),
                built_in: false,
                created_at: f.created_at,
                published_at: f.published_at,
            });
        }
        Ok(out)
    }

    /// Every published version, by form then version.
    pub async fn published_versions(&self) -> Result<Vec<FormVersion>, StorageError> {
        let mut all: Vec<FormVersion> = self
            .versions()
            .await?
            .into_iter()
            .filter(|v| v.published)
            .collect();
        all.sort_by(|a, b| (&a.form_id, a.version).cmp(&(&b.form_id, b.version)));
        Ok(all)
    }

    /// Checks `def` and keeps it as a draft; refuses it, with every problem, if it is invalid.
    pub async fn save_draft(&self, def: &FormDefinition) -> Result<Saved, FormError> {
        let problems = check(def);
        if !problems.is_empty() {
            return Err(FormError::Invalid(problems));
        }
        let bytes = serde_json::to_vec(def).unwrap_or_default();
        if let Some((existing, true)) = self.any(&def.form_id, def.version).await? {
            return if &existing == def {
                Ok(Saved::AlreadyPublished)
            } else {
                Err(FormError::Changed {
                    form_id: def.form_id.clone(),
                    version: def.version,
                })
            };
        }
        let latest = self
            .published_versions()
            .await?
            .into_iter()
            .filter(|v| v.form_id == def.form_id)
            .map(|v| v.version)
            .max();
        if let Some(latest) = latest.filter(|&l| def.version <= l) {
            return Err(FormError::NotNewer {
                form_id: def.form_id.clone(),
                latest,
            });
        }
        let outcome = self
            .storage
            .save_form_draft(StoredForm {
                form_id: def.form_id.clone(),
                version: def.version,
                title: title_of(def),
                definition: bytes,
                created_at: now_rfc3339(),
                published_at: None,
            })
            .await?;
        match outcome {
            DraftOutcome::Created => Ok(Saved::Draft),
            DraftOutcome::Replaced => Ok(Saved::Replaced),
            // Published between the look above and the write.
            DraftOutcome::Published => Err(FormError::Changed {
                form_id: def.form_id.clone(),
                version: def.version,
            }),
        }
    }

    /// Publishes a draft; publishing a published version again is not an error.
    pub async fn publish(&self, form_id: &str, version: u32) -> Result<(), FormError> {
        match self.any(form_id, version).await? {
            Some((_, true)) => Ok(()),
            Some((_, false)) => {
                self.storage.publish_form(form_id, version).await?;
                Ok(())
            }
            None => Err(FormError::NotFound {
                form_id: form_id.to_owned(),
                version,
            }),
        }
    }

    /// Checks, saves and publishes in one go (the command line).
    pub async fn publish_definition(&self, def: &FormDefinition) -> Result<Saved, FormError> {
        let saved = self.save_draft(def).await?;
        self.publish(&def.form_id, def.version).await?;
        Ok(saved)
    }
}
