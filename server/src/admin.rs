//! Command-line administration of devices and enrolment codes (`server enrolment ...`,
//! `server devices ...`), for the organisation's staff until the staff pages take this over.

use std::io::Write;
use std::path::Path;

use crate::storage::sqlite::SqliteStorage;
use crate::storage::{now_rfc3339, now_unix, EnrolmentCode, Storage};
use crate::StartError;

fn fail(message: String) -> StartError {
    StartError::Io(std::io::Error::other(message))
}

/// Creates an enrolment code and prints it (and the install link's query) once.
pub async fn create_enrolment_code(
    data_dir: &Path,
    label: &str,
    expires_in_days: Option<u32>,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let storage = SqliteStorage::open(data_dir).await?;
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
        })
        .await?;
    writeln!(out, "{}-{}\t/?code={code}", &code[..4], &code[4..])?;
    Ok(())
}

pub async fn list_enrolment_codes(data_dir: &Path, out: &mut impl Write) -> Result<(), StartError> {
    let storage = SqliteStorage::open(data_dir).await?;
    let now = now_unix();
    for c in storage.enrolment_codes().await? {
        let state = c.status_at(now);
        writeln!(
            out,
            "{}\t{state}\tuses={}\tcreated={}\t{}",
            c.code, c.uses, c.created_at, c.label
        )?;
    }
    Ok(())
}

pub async fn revoke_enrolment_code(
    data_dir: &Path,
    code: &str,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let storage = SqliteStorage::open(data_dir).await?;
    let code = crate::http::devices::normalize_code(code);
    if !storage.revoke_enrolment_code(&code).await? {
        return Err(fail(format!("no enrolment code {code}")));
    }
    writeln!(out, "revoked {code}")?;
    Ok(())
}

pub async fn list_devices(data_dir: &Path, out: &mut impl Write) -> Result<(), StartError> {
    let storage = SqliteStorage::open(data_dir).await?;
    let now = now_unix();
    for d in storage.devices().await? {
        let state = d.status_at(now);
        let code = d.enrolment_code.unwrap_or_default();
        writeln!(
            out,
            "{}\t{state}\tcreated={}\tcode={code}",
            d.device_id, d.created_at
        )?;
    }
    Ok(())
}

pub async fn revoke_device(
    data_dir: &Path,
    device_id: &str,
    out: &mut impl Write,
) -> Result<(), StartError> {
    let storage = SqliteStorage::open(data_dir).await?;
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
    data_dir: &Path,
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
    let storage = SqliteStorage::open(data_dir).await?;
    crate::http::staff::auth::create_user(&storage, username, &password, role)
        .await
        .map_err(fail)?;
    writeln!(out, "created {} ({})", username.trim(), role.as_str())?;
    Ok(())
}
