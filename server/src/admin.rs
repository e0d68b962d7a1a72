//! Command-line administration of devices, enrolment codes, forms and appointment slots
//! (`server enrolment ...`, `server slots ...`,
//! `server devices ...`, `server forms ...`).

use std::io::Write;
use std::path::Path;

use crate::storage::{now_rfc3339, now_unix, EnrolmentCode, Location};
use crate::StartError;

fn fail(message: String) -> StartError {
    StartError::Io(std::io::Error::other(message))
}

/// Creates an enrolment code and prints it (and the install link's query) once.
pub async fn create_enrolment_code(
    at: &Location,
    label: &str,
    expires_in_days: Option<u32>,
    shared: bool,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let storage = at.open().await?;
    let code = crate::http::devices::new_enrolment_code().map_err(|e| fail(e.to_string()))?;
    let expires_at = expires_in_days.map(|d| now_unix() + i64::from(d) * 86_400);
    storage
        .add_enrolment_code(EnrolmentCode {
            code: code.clone(),
            label: label.to_owned(),
            created_at: now_rfc3339(),
            expires_at,
            revoked: false,
            uses: 0,
            shared,
        })
        .await?;
    writeln!(
        out,
        "{}-{}\t{}",
        &code[..4],
        &code[4..],
        install_query(&code, shared)
    )?;
    Ok(())
}

/// The install link's path and query for a code. A shared code's link says so, so that a tablet
/// opened with it locks its first form behind a PIN even before it could register (a link can
/// only ever make a device stricter; the server's answer decides once it has one).
pub fn install_query(code: &str, shared: bool) -> String {
    if shared {
        format!("/?code={code}&shared=1")
    } else {
        format!("/?code={code}")
    }
}

pub async fn list_enrolment_codes(at: &Location, out: &mut impl Write) -> Result<(), StartError> {
    let storage = at.open().await?;
    let now = now_unix();
    for c in storage.enrolment_codes().await? {
        let state = c.status_at(now);
        let kind = if c.shared { "shared" } else { "personal" };
        writeln!(
            out,
            "{}\t{state}\t{kind}\tuses={}\tcreated={}\t{}",
            c.code, c.uses, c.created_at, c.label
        )?;
    }
    Ok(())
}

pub async fn revoke_enrolment_code(
    at: &Location,
    code: &str,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let storage = at.open().await?;
    let code = crate::http::devices::normalize_code(code);
    if !storage.revoke_enrolment_code(&code).await? {
        return Err(fail(format!("no enrolment code {code}")));
    }
    writeln!(out, "revoked {code}")?;
    Ok(())
}

pub async fn list_devices(at: &Location, out: &mut impl Write) -> Result<(), StartError> {
    let storage = at.open().await?;
    let now = now_unix();
    for d in storage.devices().await? {
        let state = d.status_at(now);
        let code = d.enrolment_code.unwrap_or_default();
        let kind = if d.shared { "shared" } else { "personal" };
        writeln!(
            out,
            "{}\t{state}\t{kind}\tcreated={}\tcode={code}",
            d.device_id, d.created_at
        )?;
    }
    Ok(())
}

pub async fn revoke_device(
    at: &Location,
    device_id: &str,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let storage = at.open().await?;
    let id = device_id
        .parse()
        .map_err(|_| fail(format!("{device_id} is not a device ID")))?;
    if !storage.revoke_device(id).await? {
        return Err(fail(format!("no device {device_id}")));
    }
    writeln!(out, "revoked {device_id}")?;
    Ok(())
}

/// `server admin create-user`: the password comes from `RESGUARDO_PASSWORD` or standard input.
pub async fn create_user(
    at: &Location,
    username: &str,
    role: &str,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let role = crate::storage::staff::Role::parse(role)
        .ok_or_else(|| fail("the role is reviewer or admin".into()))?;
    let password = match std::env::var("RESGUARDO_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let storage = at.open().await?;
    crate::http::staff::auth::create_user(&*storage, username, &password, role)
        .await
        .map_err(fail)?;
    writeln!(out, "created {} ({})", username.trim(), role.as_str())?;
    Ok(())
}

/// `server forms publish FILE` (or `draft`): reads, checks and keeps a definition. Every
/// problem goes to `err`, one per line, and the command fails.
pub async fn publish_form(
    at: &Location,
    file: &Path,
    publish: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), StartError> {
    use crate::forms::{FormError, FormRegistry, Saved};
    let name = file.to_string_lossy();
    let bytes = std::fs::read(file).map_err(|e| fail(format!("{name}: {e}")))?;
    let def = match crate::forms::import::read(&name, &bytes) {
        Ok(def) => def,
        Err(e) => {
            writeln!(err, "{name}: {e}")?;
            return Err(fail(format!("{name} was not read")));
        }
    };
    let storage = at.open().await?;
    let forms = FormRegistry::new(storage);
    let saved = if publish {
        forms.publish_definition(&def).await
    } else {
        forms.save_draft(&def).await
    };
    match saved {
        Ok(saved) => {
            let what = match (saved, publish) {
                (Saved::AlreadyPublished, _) => "already published, unchanged",
                (_, true) => "published",
                (Saved::Replaced, false) => "draft replaced",
                (Saved::Draft, false) => "draft saved",
            };
            writeln!(out, "{}\tversion {}\t{what}", def.form_id, def.version)?;
            Ok(())
        }
        Err(FormError::Invalid(problems)) => {
            writeln!(err, "{name}: {} problem(s):", problems.len())?;
            for p in &problems {
                writeln!(err, "  {p}")?;
            }
            Err(fail(format!("{name} was refused")))
        }
        Err(FormError::Storage(e)) => Err(e.into()),
        Err(e) => {
            writeln!(err, "{name}: {e}")?;
            Err(fail(format!("{name} was refused")))
        }
    }
}

/// `server forms list`: each form and version, published or draft.
pub async fn list_forms(at: &Location, out: &mut impl Write) -> Result<(), StartError> {
    let storage = at.open().await?;
    let forms = crate::forms::FormRegistry::new(storage);
    for v in forms.versions().await? {
        let state = match (v.built_in, v.published) {
            (true, _) => "published (built in)",
            (false, true) => "published",
            (false, false) => "draft",
        };
        writeln!(
            out,
            "{}\tversion {}\t{state}\t{}",
            v.form_id, v.version, v.title
        )?;
    }
    Ok(())
}

/// `server forms schema`: the definition's JSON Schema, from the same types the server reads.
pub fn form_schema(out: &mut impl Write) -> Result<(), StartError> {
    let schema = crate::http::openapi::definition_schema();
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    )?;
    Ok(())
}

/// `keys list`: each sealing key, its creation time, and which one devices seal to now.
pub async fn list_keys(at: &Location, out: &mut impl Write) -> Result<(), StartError> {
    let ring = if at.shares_database() {
        crate::keys::Keyring::open_or_create_in(at.open().await?, &at.data_dir).await?
    } else {
        crate::keys::Keyring::open_or_create(&at.data_dir)?
    };
    for k in ring.list() {
        let mark = if k.current { "current" } else { "kept" };
        writeln!(out, "{}\t{}\t{mark}", k.key_id, k.created_at)?;
    }
    Ok(())
}

/// `keys rotate`: a new current key; the old ones are kept so what was sealed to them opens.
pub async fn rotate_keys(at: &Location, out: &mut impl Write) -> Result<(), StartError> {
    let key_id = if at.shares_database() {
        crate::keys::Keyring::rotate_in(at.open().await?, &at.data_dir).await?
    } else {
        crate::keys::Keyring::rotate(&at.data_dir)?
    };
    writeln!(
        out,
        "{key_id}\tcurrent (devices seal to it once they fetch the keys again)"
    )?;
    Ok(())
}

/// Publishes a slot and prints it (`slot_id`, start, length, capacity, place).
pub async fn create_slot(
    at: &Location,
    place: &str,
    starts_at: &str,
    minutes: u32,
    capacity: u32,
    out: &mut impl Write,
) -> Result<(), StartError> {
    use crate::storage::appointments::{parse_starts_at, NewSlot};
    let place = place.trim();
    if place.is_empty() {
        return Err(fail("a slot needs a place".into()));
    }
    if minutes == 0 || capacity == 0 {
        return Err(fail(
            "a slot needs at least 1 minute and room for 1 person".into(),
        ));
    }
    let (starts_at, starts_unix) = parse_starts_at(starts_at).map_err(|e| fail(e.to_string()))?;
    let storage = at.open().await?;
    let slot = storage
        .create_slot(NewSlot {
            place: place.to_owned(),
            starts_at,
            starts_unix,
            minutes,
            capacity,
        })
        .await?;
    writeln!(
        out,
        "{}\t{}\t{} min\t{} people\t{}",
        slot.slot_id, slot.starts_at, slot.minutes, slot.capacity, slot.place
    )?;
    Ok(())
}

/// Every slot from now on (or all of them), earliest first, with who is booked.
pub async fn list_slots(at: &Location, all: bool, out: &mut impl Write) -> Result<(), StartError> {
    let storage = at.open().await?;
    let from = if all { i64::MIN } else { now_unix() - 86_400 };
    for slot in storage.slots(from, i64::MAX).await? {
        let households = storage.bookings(slot.slot_id).await?.len();
        writeln!(
            out,
            "{}\t{}\t{} min\t{}/{} people\t{households} households\t{}\t{}",
            slot.slot_id,
            slot.starts_at,
            slot.minutes,
            slot.booked,
            slot.capacity,
            slot.state.as_str(),
            slot.place
        )?;
    }
    Ok(())
}
