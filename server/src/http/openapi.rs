//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, derived from the handlers and the
//! `protocol` types so it cannot drift from the code.

use axum::Json;
use protocol::api::{
    CaseReceipt, DeviceSettings, ErrorBody, ErrorCode, ErrorDetail, FormList, FormSummary, Health,
};
use protocol::case::{Applicant, CaseSubmission, Member, MemberId, PhotoId, PhotoRef};
use protocol::definition::{Choice, ChoiceList, FormDefinition, Item, Page, Roles, Submission};
use protocol::{CaseId, FieldCode, FieldError, ReceiptCode};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Resguardo API",
        description = "Offline-first intake: cases are PUT once under a device-made ID and answered with a receipt. Every failure is `{\"error\":{\"code\",\"message\"}}`.",
    ),
    paths(
        super::health::health,
        super::health::live,
        super::health::ready,
        super::cases::put_case,
        super::appointments::slots,
        super::appointments::case_status,
        super::forms::list,
        super::forms::definition,
        super::keys::keys,
        super::devices::register,
        super::devices::renew,
        super::devices::settings,
        super::uploads::options,
        super::uploads::create,
        super::uploads::head,
        super::uploads::patch,
        super::uploads::terminate,
    ),
    components(schemas(
        super::cases::CaseBody, protocol::sealed::SealedBody, protocol::sealed::Sealed,
        protocol::sealed::SealingKeys, protocol::sealed::PublicKey, Submission, FormList, FormSummary, FormDefinition, Page, Item, ChoiceList, Choice, Roles,
        CaseSubmission, Applicant, Member, MemberId, PhotoId, PhotoRef, CaseId, CaseReceipt, ReceiptCode,
        protocol::appointment::Slot, protocol::appointment::SlotList, protocol::appointment::Appointment,
        protocol::appointment::CaseStatus, protocol::SlotId,
        Health, ErrorBody, ErrorDetail, ErrorCode, FieldError, FieldCode,
        super::devices::Registration, super::devices::Renewal, super::devices::Registered, DeviceSettings, super::uploads::TusResumable
    )),
    modifiers(&DeviceToken),
    tags(
        (name = "cases", description = "Cases for any published form (device token required)"),
        (name = "appointments", description = "Open slots and a sent case's status (device token required)"),
        (name = "forms", description = "Published form definitions (device token required)"),
        (name = "keys", description = "The organisation's public keys for sealed cases"),
        (name = "devices", description = "Device registration: the bearer token for cases and uploads"),
        (name = "uploads", description = "Document photos (tus 1.0.0: creation, creation-with-upload, checksum, expiration, termination)"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

/// The `device_token` security scheme: the bearer token from `POST /api/v1/devices`.
struct DeviceToken;

impl utoipa::Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "The token from `POST /api/v1/devices`; a missing, expired or revoked one is 401",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("device_token", SecurityScheme::Http(scheme));
    }
}

/// The document as JSON, with a complete example case built from the protocol types.
pub fn document_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let example = serde_json::to_value(example_case()).unwrap_or_default();
    if let Some(media) = doc
        .pointer_mut("/paths/~1api~1v1~1cases~1{case_id}/put/requestBody/content/application~1json")
    {
        media["example"] = example;
    }
    doc
}

/// A definition's JSON Schema (draft 2020-12, which OpenAPI 3.1 schemas are): `FormDefinition`
/// with the component schemas it refers to.
pub fn definition_schema() -> serde_json::Value {
    let doc = document_json();
    let schemas = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let mut root = schemas.get("FormDefinition").cloned().unwrap_or_default();
    let text = serde_json::to_string(&schemas)
        .unwrap_or_default()
        .replace("#/components/schemas/", "#/$defs/");
    if let Some(object) = root.as_object_mut() {
        object.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        object.insert("title".into(), "Resguardo form definition".into());
        object.insert(
            "$defs".into(),
            serde_json::from_str(&text).unwrap_or_default(),
        );
    }
    let text = serde_json::to_string(&root)
        .unwrap_or_default()
        .replace("#/components/schemas/", "#/$defs/");
    serde_json::from_str(&text).unwrap_or_default()
}

pub async fn document() -> Json<serde_json::Value> {
    Json(document_json())
}

/// A household that passes validation: an applicant and one child.
pub fn example_case() -> CaseSubmission {
    CaseSubmission {
        applicant: Applicant {
            name: "María José Pérez".into(),
            date_of_birth: "1991-04-17".into(),
            country_of_origin: "HN".into(),
            phone: "+504 9999-1234".into(),
            languages: vec!["es".into()],
            needs: vec!["medical".into()],
            needs_note: "Asthma; needs an inhaler.".into(),
        },
        members: vec![Member {
            member_id: MemberId(uuid::Uuid::from_u128(
                0x6f1c_2b7e_1d2a_4c3b_9a8f_1e2d_3c4b_5a69,
            )),
            name: "Luis Pérez".into(),
            date_of_birth: "2016-09-02".into(),
            relationship: "child".into(),
        }],
        ..CaseSubmission::default()
    }
}
