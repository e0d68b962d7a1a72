//! Receipt codes: short enough to read aloud or write on a hand, hard to mistype unnoticed.
//!
//! A code is 9 symbols of Crockford base32 (45 random bits) followed by Crockford's check symbol
//! (the value modulo 37), shown as two groups of five: `7K3MQ-9XA0Z`. Crockford's check alphabet
//! adds `* ~ $ = U`; codes whose check would be one of the four punctuation marks are never
//! issued, so every code is letters and digits. Reading is forgiving the Crockford way: case is
//! ignored, `O` reads as `0`, `I` and `L` as `1`, and hyphens and spaces are skipped.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_SYMBOLS: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
const DATA_LEN: usize = 9;
const DATA_BITS: u32 = 5 * DATA_LEN as u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptCode(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptCodeError {
    #[error("a receipt code has 10 letters and digits")]
    WrongLength,
    #[error("{0:?} is not a letter or digit a receipt code uses")]
    BadSymbol(char),
    #[error("the code does not check out; one letter or digit is probably wrong")]
    BadCheck,
}

impl ReceiptCode {
    /// A code from 64 random bits, or `None` when its check symbol would be punctuation (about
    /// one draw in nine): draw again.
    pub fn from_random(bits: u64) -> Option<Self> {
        let value = bits & ((1 << DATA_BITS) - 1);
        let check = (value % 37) as usize;
        (check < 32 || check == 36).then_some(ReceiptCode(value))
    }

    /// Draws from `next` until a readable code comes up.
    pub fn generate(mut next: impl FnMut() -> u64) -> Self {
        loop {
            if let Some(code) = Self::from_random(next()) {
                return code;
            }
        }
    }

    fn symbols(self) -> [u8; DATA_LEN + 1] {
        let mut out = [0u8; DATA_LEN + 1];
        for (i, slot) in out[..DATA_LEN].iter_mut().enumerate() {
            let shift = 5 * (DATA_LEN - 1 - i);
            *slot = SYMBOLS[((self.0 >> shift) & 31) as usize];
        }
        out[DATA_LEN] = CHECK_SYMBOLS[(self.0 % 37) as usize];
        out
    }

    /// The 10 symbols without the hyphen, as stored and indexed.
    pub fn compact(self) -> String {
        self.symbols().iter().map(|&b| b as char).collect()
    }
}

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.compact();
        write!(f, "{}-{}", &s[..5], &s[5..])
    }
}

fn decode_symbol(c: char) -> Option<u64> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    SYMBOLS
        .iter()
        .position(|&s| s as char == c)
        .map(|p| p as u64)
}

impl FromStr for ReceiptCode {
    type Err = ReceiptCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let chars: Vec<char> = s.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if chars.len() != DATA_LEN + 1 {
            return Err(ReceiptCodeError::WrongLength);
        }
        let mut value = 0u64;
        for &c in &chars[..DATA_LEN] {
            value = (value << 5) | decode_symbol(c).ok_or(ReceiptCodeError::BadSymbol(c))?;
        }
        let check = chars[DATA_LEN];
        let expected = CHECK_SYMBOLS[(value % 37) as usize] as char;
        let given = match decode_symbol(check) {
            Some(v) => SYMBOLS[v as usize] as char,
            None if check.eq_ignore_ascii_case(&'u') => 'U',
            None => return Err(ReceiptCodeError::BadSymbol(check)),
        };
        if given != expected {
            return Err(ReceiptCodeError::BadCheck);
        }
        Ok(ReceiptCode(value))
    }
}

impl Serialize for ReceiptCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReceiptCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ReceiptCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(
                "^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{4}[0-9A-HJKMNP-TV-Z=U]$",
            ))
            .description(Some("Crockford base32 receipt code with check symbol"))
            .examples(["7K3MQ-9XA0Z"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ReceiptCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(n: u64) -> impl Iterator<Item = ReceiptCode> {
        // A cheap deterministic spread over the 45-bit space.
        (0..n).filter_map(|i| ReceiptCode::from_random(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }

    #[test]
    fn round_trips_through_text() {
        for code in codes(2000) {
            let text = code.to_string();
            assert_eq!(text.len(), 11);
            assert!(
                text.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()),
                "{text}"
            );
            assert_eq!(text.parse::<ReceiptCode>(), Ok(code));
            assert_eq!(
                code.compact().to_lowercase().parse::<ReceiptCode>(),
                Ok(code)
            );
        }
    }

    #[test]
    fn reads_confusable_letters_the_crockford_way() {
        let code = codes(50)
            .find(|c| c.compact().contains('0') || c.compact().contains('1'))
            .unwrap();
        let typed = code.compact().replace('0', "o").replace('1', "l");
        assert_eq!(typed.parse::<ReceiptCode>(), Ok(code));
    }

    #[test]
    fn catches_every_single_symbol_typo() {
        for code in codes(200) {
            let text = code.compact();
            for pos in 0..DATA_LEN {
                for &sym in SYMBOLS.iter() {
                    let mut typo: Vec<u8> = text.clone().into_bytes();
                    if typo[pos] == sym {
                        continue;
                    }
                    typo[pos] = sym;
                    let typo = String::from_utf8(typo).unwrap();
                    assert!(
                        typo.parse::<ReceiptCode>().is_err(),
                        "{text} -> {typo} accepted"
                    );
                }
            }
        }
    }

    #[test]
    fn the_documented_example_is_a_real_code() {
        assert!("7K3MQ-9XA0Z".parse::<ReceiptCode>().is_ok());
    }

    #[test]
    fn refuses_garbage_with_a_reason() {
        assert_eq!(
            "ABC".parse::<ReceiptCode>(),
            Err(ReceiptCodeError::WrongLength)
        );
        assert_eq!(
            "ABCDE-FGH!J".parse::<ReceiptCode>(),
            Err(ReceiptCodeError::BadSymbol('!'))
        );
    }

    #[test]
    fn punctuation_checks_are_never_issued() {
        let mut draws = 0u64;
        let code = ReceiptCode::generate(|| {
            draws += 1;
            32 + draws - 1 // 32 % 37 = 32 ('*'), then 33, 34, 35 are refused; 36 ('U') is fine
        });
        assert_eq!(draws, 5);
        assert!(code.compact().ends_with('U'));
    }
}
