//! Every word the app shows. One table, one column per language, so a missing translation is a
//! compile error rather than an English word in a Spanish form. Placeholders like `{n}` are
//! filled by the caller.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// Each language named in itself, as the picker shows it.
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    pub fn is_rtl(self) -> bool {
        false
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $es:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        pub fn tr(lang: Lang, msg: Msg) -> &'static str {
            match lang {
                Lang::En => match msg { $(Msg::$key => $en),* },
                Lang::Es => match msg { $(Msg::$key => $es),* },
            }
        }
    };
}

messages! {
    AppName => "Resguardo", "Resguardo";
    Tagline => "Everything you type is saved on this device, even without internet.",
        "Todo lo que escribe se guarda en este dispositivo, incluso sin internet.";
    LanguageLabel => "Language", "Idioma";
    Online => "Online", "Con conexión";
    Offline => "Offline — your work is safe on this device", "Sin conexión — su trabajo está seguro en este dispositivo";
    UpdateReady => "A new version of the app is ready.", "Hay una nueva versión de la aplicación.";
    UpdateNow => "Update now", "Actualizar ahora";
    MyCases => "My cases", "Mis casos";
    NewCase => "Start a new form", "Empezar un formulario nuevo";
    NoCases => "No forms on this device yet.", "Todavía no hay formularios en este dispositivo.";
    Unnamed => "(no name yet)", "(todavía sin nombre)";
    People => "{n} people", "{n} personas";
    OnePerson => "1 person", "1 persona";
    StorageUsage => "This device holds {used} of app data (about {quota} available).",
        "Este dispositivo guarda {used} de datos de la aplicación (unos {quota} disponibles).";
    CaseNotFound => "This form is not on this device.", "Este formulario no está en este dispositivo.";
    Loading => "Loading…", "Cargando…";

    StepOf => "Step {n} of {total}", "Paso {n} de {total}";
    StepAbout => "About you", "Sobre usted";
    StepLanguages => "Languages and needs", "Idiomas y necesidades";
    StepFamily => "Family travelling with you", "Familia que viaja con usted";
    StepReview => "Check and send", "Revisar y enviar";
    Next => "Next", "Siguiente";
    Back => "Back", "Atrás";
    Send => "Send", "Enviar";
    EditAgain => "Correct and send again", "Corregir y enviar de nuevo";
    DeleteDraft => "Delete this draft", "Borrar este borrador";
    ConfirmDelete => "Delete this draft from the device? This cannot be undone.",
        "¿Borrar este borrador del dispositivo? No se puede deshacer.";

    FullName => "Full name", "Nombre completo";
    DateOfBirth => "Date of birth", "Fecha de nacimiento";
    CountryOfOrigin => "Country of origin", "País de origen";
    ChooseCountry => "Choose a country", "Elija un país";
    Stateless => "Stateless or unknown", "Apátrida o desconocido";
    Phone => "Phone number (optional)", "Número de teléfono (opcional)";
    LanguagesSpoken => "Languages you speak", "Idiomas que habla";
    NeedsQuestion => "Do you or your family need any of these?", "¿Usted o su familia necesitan algo de esto?";
    NeedsNote => "Anything else we should know? (optional)", "¿Algo más que debamos saber? (opcional)";
    NeedMedical => "Medical care", "Atención médica";
    NeedDisability => "Disability support", "Apoyo por discapacidad";
    NeedPregnancy => "Pregnancy care", "Atención por embarazo";
    NeedUnaccompaniedChild => "A child travelling alone", "Un niño o niña que viaja solo";
    NeedShelter => "Shelter", "Albergue";
    NeedLegalAid => "Legal help", "Ayuda legal";
    NeedInterpreter => "An interpreter", "Un intérprete";
    NeedSafety => "Protection from danger", "Protección contra un peligro";

    MemberN => "Family member {n}", "Familiar {n}";
    AddMember => "Add a family member", "Agregar un familiar";
    RemoveMember => "Remove", "Quitar";
    NoMembers => "No family members added. Add everyone travelling with you so you stay together.",
        "No hay familiares. Agregue a todas las personas que viajan con usted para que sigan juntas.";
    Relationship => "Relationship to you", "Parentesco con usted";
    ChooseRelationship => "Choose", "Elija";
    RelSpouse => "Spouse or partner", "Esposo, esposa o pareja";
    RelChild => "Son or daughter", "Hijo o hija";
    RelParent => "Mother or father", "Madre o padre";
    RelSibling => "Brother or sister", "Hermano o hermana";
    RelGrandparent => "Grandparent", "Abuelo o abuela";
    RelGrandchild => "Grandchild", "Nieto o nieta";
    RelOtherRelative => "Other relative", "Otro familiar";
    RelOther => "Not related", "Sin parentesco";

    ReviewIntro => "Check your answers. You can go back to change anything.",
        "Revise sus respuestas. Puede volver atrás para cambiar cualquier cosa.";
    FixProblems => "Some answers need attention before sending.", "Algunas respuestas necesitan atención antes de enviar.";
    None_ => "None", "Ninguno";

    Saving => "Saving…", "Guardando…";
    SavedOnDevice => "Saved on this device", "Guardado en este dispositivo";
    SaveFailed => "Could not save on this device.", "No se pudo guardar en este dispositivo.";
    StorageUnavailable => "This browser cannot keep your answers (a private window, perhaps?). Open the app in a normal window.",
        "Este navegador no puede guardar sus respuestas (¿una ventana privada?). Abra la aplicación en una ventana normal.";
    QuotaExceeded => "This device is out of space. What you typed is still on screen; free some space and it will be saved.",
        "Este dispositivo no tiene espacio. Lo que escribió sigue en pantalla; libere espacio y se guardará.";

    StateDraft => "Draft", "Borrador";
    StateSaved => "Saved on this device", "Guardado en este dispositivo";
    StateSending => "Sending", "Enviando";
    StateDelivered => "Delivered", "Entregado";
    StateAttention => "Needs your attention", "Necesita su atención";
    ExplainQueued => "It will be sent by itself as soon as there is a connection. You can close the app.",
        "Se enviará solo en cuanto haya conexión. Puede cerrar la aplicación.";
    ExplainSending => "Sending now. If the connection drops, nothing is lost.",
        "Enviando ahora. Si se corta la conexión, no se pierde nada.";
    ExplainWaitingAuth => "Your data is safe on this device. Please sign in again so it can be sent.",
        "Sus datos están seguros en este dispositivo. Vuelva a iniciar sesión para poder enviarlos.";
    ExplainDelivered => "The organisation has received your form.", "La organización recibió su formulario.";
    ReceiptLabel => "Your receipt code", "Su código de recibo";
    ReceiptHint => "Write this code down or take a photo of it. Staff can find your form with it.",
        "Anote este código o tómele una foto. El personal puede encontrar su formulario con él.";
    ReceivedAt => "Received", "Recibido";
    RejectedInvalid => "The server found problems in some answers. Please correct them and send again.",
        "El servidor encontró problemas en algunas respuestas. Corríjalas y envíe de nuevo.";
    RejectedConflict => "A different form was already sent with this number. Please ask a staff member for help.",
        "Ya se envió otro formulario con este número. Pida ayuda a una persona del personal.";
    RejectedOutdated => "This app is out of date. Update it, then your form will be sent.",
        "Esta aplicación está desactualizada. Actualícela y su formulario se enviará.";
    RejectedOther => "The server could not accept this form. Please ask a staff member for help.",
        "El servidor no pudo aceptar este formulario. Pida ayuda a una persona del personal.";

    ErrRequired => "Please fill this in.", "Por favor complete este dato.";
    ErrTooLong => "This is too long.", "Es demasiado largo.";
    ErrInvalidDate => "This is not a valid date.", "No es una fecha válida.";
    ErrDateInFuture => "This date is in the future.", "Esta fecha está en el futuro.";
    ErrDateTooOld => "This date is too long ago.", "Esta fecha es demasiado antigua.";
    ErrInvalidPhone => "Use only digits, spaces, dashes and an optional + at the start.",
        "Use solo números, espacios, guiones y un + opcional al inicio.";
    ErrInvalidChoice => "Please choose one of the options.", "Elija una de las opciones.";
    ErrDuplicate => "This appears twice.", "Esto aparece dos veces.";
    ErrTooMany => "Too many family members in one form.", "Demasiados familiares en un formulario.";
    ErrUnsupportedForm => "This form version is no longer accepted; update the app.",
        "Esta versión del formulario ya no se acepta; actualice la aplicación.";
    NotFound => "Page not found.", "Página no encontrada.";

    StepDocuments => "Documents", "Documentos";
    DocumentsIntro => "Take a photo of each document (passport or ID page, birth certificate…). Photos stay on this device until they are sent; their location data is removed.",
        "Tome una foto de cada documento (pasaporte o página de identificación, acta de nacimiento…). Las fotos quedan en este dispositivo hasta enviarse; se les quitan los datos de ubicación.";
    You => "You", "Usted";
    PhotoKind => "Kind of document", "Tipo de documento";
    KindIdDocument => "Passport or ID page", "Pasaporte o página de identificación";
    KindBirthCertificate => "Birth certificate", "Acta de nacimiento";
    KindOther => "Other document", "Otro documento";
    TakePhoto => "Take a photo", "Tomar una foto";
    ChoosePhoto => "Choose from gallery", "Elegir de la galería";
    Retake => "Retake", "Repetir";
    DeletePhoto => "Delete", "Borrar";
    PhotoProcessing => "Preparing the photo…", "Preparando la foto…";
    PhotosNotReady => "Wait until every photo is ready, then send.", "Espere a que todas las fotos estén listas y luego envíe.";
    PhotoUnreadable => "This picture could not be read. Please take it again or delete it.",
        "No se pudo leer esta imagen. Tómela de nuevo o bórrela.";
    PhotoCount => "{n} photos", "{n} fotos";
    PhotosProgress => "{sent} of {total} photos sent, {percent} %", "{sent} de {total} fotos enviadas, {percent} %";
    SignInAgain => "Sign in again", "Iniciar sesión de nuevo";
    EnrolmentCodeLabel => "Organisation code", "Código de la organización";
    EnrolmentCodeHint => "Type the code the organisation gave you (on the poster or the card).",
        "Escriba el código que le dio la organización (en el cartel o la tarjeta).";
    EnrolmentCodeInvalid => "This code is not valid. Check it and try again.", "Este código no es válido. Revíselo e intente de nuevo.";
    SignInNoConnection => "There is no connection right now. Your data is safe; try again when you are online.",
        "No hay conexión ahora. Sus datos están seguros; intente de nuevo cuando tenga conexión.";
    SigningIn => "Signing in… your forms will be sent once it is done.", "Iniciando sesión… sus formularios se enviarán cuando termine.";
    ConfirmRemoveMember => "Remove {name} from this form? Their {n} document photos will be deleted too.",
        "¿Quitar a {name} de este formulario? También se borrarán sus {n} fotos de documentos.";
    ThisForm => "This form", "Este formulario";
    ServerFoundProblems => "The organisation's server could not accept this form. Correct what it found and send again:",
        "El servidor de la organización no pudo aceptar este formulario. Corrija lo que encontró y envíe de nuevo:";
    ServerProblemSendAgain => "Check the answers and the photos, then send again.", "Revise las respuestas y las fotos y envíe de nuevo.";
    OrphanPhotos => "Documents of someone no longer in this form", "Documentos de alguien que ya no está en este formulario";
    OrphanPhotosHint => "Delete these photos, or they cannot be sent.", "Borre estas fotos; si no, no se pueden enviar.";
    PhotoMissingOnDevice => "A photo of this form is no longer on this device. Correct the form and send again.",
        "Una foto de este formulario ya no está en este dispositivo. Corrija el formulario y envíe de nuevo.";
    UpdateApp => "Update the app", "Actualizar la aplicación";
    PhotoUnreadableSend => "A photo could not be read. Delete it or take it again, then send.",
        "No se pudo leer una foto. Bórrela o tómela de nuevo y luego envíe.";
}

/// The translated message for a validation code.
pub fn field_code(code: protocol::FieldCode) -> Msg {
    use protocol::FieldCode as C;
    match code {
        C::Required => Msg::ErrRequired,
        C::TooLong => Msg::ErrTooLong,
        C::InvalidDate => Msg::ErrInvalidDate,
        C::DateInFuture => Msg::ErrDateInFuture,
        C::DateTooOld => Msg::ErrDateTooOld,
        C::InvalidPhone => Msg::ErrInvalidPhone,
        C::InvalidChoice => Msg::ErrInvalidChoice,
        C::Duplicate => Msg::ErrDuplicate,
        C::TooMany => Msg::ErrTooMany,
        C::UnsupportedForm => Msg::ErrUnsupportedForm,
    }
}

pub fn need(code: &str) -> Msg {
    match code {
        "medical" => Msg::NeedMedical,
        "disability" => Msg::NeedDisability,
        "pregnancy" => Msg::NeedPregnancy,
        "unaccompanied_child" => Msg::NeedUnaccompaniedChild,
        "shelter" => Msg::NeedShelter,
        "legal_aid" => Msg::NeedLegalAid,
        "interpreter" => Msg::NeedInterpreter,
        _ => Msg::NeedSafety,
    }
}

pub fn photo_kind(code: &str) -> Msg {
    match code {
        "id_document" => Msg::KindIdDocument,
        "birth_certificate" => Msg::KindBirthCertificate,
        _ => Msg::KindOther,
    }
}

pub fn relationship(code: &str) -> Msg {
    match code {
        "spouse" => Msg::RelSpouse,
        "child" => Msg::RelChild,
        "parent" => Msg::RelParent,
        "sibling" => Msg::RelSibling,
        "grandparent" => Msg::RelGrandparent,
        "grandchild" => Msg::RelGrandchild,
        "other_relative" => Msg::RelOtherRelative,
        _ => Msg::RelOther,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn every_choice_code_has_its_own_words() {
        let needs: std::collections::HashSet<_> =
            protocol::form::NEEDS.iter().map(|c| need(c)).collect();
        assert_eq!(needs.len(), protocol::form::NEEDS.len());
        let rels: std::collections::HashSet<_> = protocol::form::RELATIONSHIPS
            .iter()
            .map(|c| relationship(c))
            .collect();
        assert_eq!(rels.len(), protocol::form::RELATIONSHIPS.len());
    }

    #[test]
    fn language_codes_from_the_browser() {
        assert_eq!(Lang::from_code("es-MX"), Some(Lang::Es));
        assert_eq!(Lang::from_code("EN_us"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
    }
}
