//! The household intake form: its identity, the closed sets of choices, and the limits. The UI
//! builds its pickers from these lists and the server validates against the same ones.

pub const FORM_ID: &str = "household-intake";
pub const FORM_VERSION: u32 = 1;

/// Names, notes and other free text are capped so one case can never grow without bound.
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_NOTE_CHARS: usize = 2000;
/// A household larger than this is almost certainly an input error.
pub const MAX_MEMBERS: usize = 40;
/// Nobody alive was born before this year.
pub const MIN_BIRTH_YEAR: u16 = 1900;

/// How each family member relates to the applicant.
pub const RELATIONSHIPS: &[&str] = &[
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandparent",
    "grandchild",
    "other_relative",
    "other",
];

/// Kinds of document photo.
pub const PHOTO_KINDS: &[&str] = &["id_document", "birth_certificate", "other"];
/// Photos one person may carry in a case.
pub const MAX_PHOTOS_PER_PERSON: usize = 12;
/// Image types a photo upload may declare.
pub const PHOTO_CONTENT_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

pub fn is_photo_kind(code: &str) -> bool {
    PHOTO_KINDS.contains(&code)
}

pub fn is_photo_content_type(code: &str) -> bool {
    PHOTO_CONTENT_TYPES.contains(&code)
}

/// Lowercase hex SHA-256.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Needs the organisation can act on; several may apply.
pub const NEEDS: &[&str] = &[
    "medical",
    "disability",
    "pregnancy",
    "unaccompanied_child",
    "shelter",
    "legal_aid",
    "interpreter",
    "safety",
];

/// Languages a person may say they speak (ISO 639-1/639-3 codes; the browser names them in the
/// reader's language with `Intl.DisplayNames`).
pub const LANGUAGES: &[&str] = &[
    "es", "en", "fr", "pt", "ht", "ar", "qu", "ay", "gn", "nah", "mam", "quc", "kek", "ru", "uk",
    "tr", "fa", "ps", "ur", "hi", "bn", "zh", "vi", "ti", "am", "so", "sw", "wo", "ln", "ff", "yo",
    "ig", "ha", "tw", "ka", "hy", "uz", "ne", "ta", "pa",
];

/// ISO 3166-1 alpha-2 codes for country of origin (including "XX" for stateless or unknown).
pub const COUNTRIES: &[&str] = &[
    "AF", "AX", "AL", "DZ", "AS", "AD", "AO", "AI", "AQ", "AG", "AR", "AM", "AW", "AU", "AT", "AZ",
    "BS", "BH", "BD", "BB", "BY", "BE", "BZ", "BJ", "BM", "BT", "BO", "BQ", "BA", "BW", "BV", "BR",
    "IO", "BN", "BG", "BF", "BI", "CV", "KH", "CM", "CA", "KY", "CF", "TD", "CL", "CN", "CX", "CC",
    "CO", "KM", "CG", "CD", "CK", "CR", "CI", "HR", "CU", "CW", "CY", "CZ", "DK", "DJ", "DM", "DO",
    "EC", "EG", "SV", "GQ", "ER", "EE", "SZ", "ET", "FK", "FO", "FJ", "FI", "FR", "GF", "PF", "TF",
    "GA", "GM", "GE", "DE", "GH", "GI", "GR", "GL", "GD", "GP", "GU", "GT", "GG", "GN", "GW", "GY",
    "HT", "HM", "VA", "HN", "HK", "HU", "IS", "IN", "ID", "IR", "IQ", "IE", "IM", "IL", "IT", "JM",
    "JP", "JE", "JO", "KZ", "KE", "KI", "KP", "KR", "KW", "KG", "LA", "LV", "LB", "LS", "LR", "LY",
    "LI", "LT", "LU", "MO", "MG", "MW", "MY", "MV", "ML", "MT", "MH", "MQ", "MR", "MU", "YT", "MX",
    "FM", "MD", "MC", "MN", "ME", "MS", "MA", "MZ", "MM", "NA", "NR", "NP", "NL", "NC", "NZ", "NI",
    "NE", "NG", "NU", "NF", "MK", "MP", "NO", "OM", "PK", "PW", "PS", "PA", "PG", "PY", "PE", "PH",
    "PN", "PL", "PT", "PR", "QA", "RE", "RO", "RU", "RW", "BL", "SH", "KN", "LC", "MF", "PM", "VC",
    "WS", "SM", "ST", "SA", "SN", "RS", "SC", "SL", "SG", "SX", "SK", "SI", "SB", "SO", "ZA", "GS",
    "SS", "ES", "LK", "SD", "SR", "SJ", "SE", "CH", "SY", "TW", "TJ", "TZ", "TH", "TL", "TG", "TK",
    "TO", "TT", "TN", "TR", "TM", "TC", "TV", "UG", "UA", "AE", "GB", "US", "UM", "UY", "UZ", "VU",
    "VE", "VN", "VG", "VI", "WF", "EH", "YE", "ZM", "ZW", "XX",
];

/// Countries shown first, under "Most chosen here", for the household form (the organisation
/// sets its own in its form definition).
pub const FREQUENT_COUNTRIES: &[&str] =
    &["HN", "GT", "SV", "VE", "HT", "MX", "NI", "CU", "CO", "EC"];

/// Spoken languages shown first.
pub const FREQUENT_LANGUAGES: &[&str] = &[
    "es", "ht", "fr", "pt", "en", "ar", "mam", "quc", "kek", "nah",
];

pub fn is_country(code: &str) -> bool {
    COUNTRIES.contains(&code)
}

pub fn is_language(code: &str) -> bool {
    LANGUAGES.contains(&code)
}

pub fn is_relationship(code: &str) -> bool {
    RELATIONSHIPS.contains(&code)
}

pub fn is_need(code: &str) -> bool {
    NEEDS.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_lists_have_no_duplicates() {
        for list in [COUNTRIES, LANGUAGES, RELATIONSHIPS, NEEDS] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len());
        }
        assert_eq!(COUNTRIES.len(), 250);
        assert!(FREQUENT_COUNTRIES.iter().all(|c| is_country(c)));
        assert!(FREQUENT_LANGUAGES.iter().all(|c| is_language(c)));
    }
}
