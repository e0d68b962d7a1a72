//! CLDR plural categories natively (the server's staff pages), from the `intl_pluralrules`
//! crate; the app asks the browser's `Intl.PluralRules` instead.

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};

/// A function naming the plural category of a number in `lang` (`other` for languages CLDR
/// gives no plural rules, such as Haitian Creole).
pub fn rules(lang: &str) -> impl Fn(f64) -> &'static str {
    let rules = lang
        .parse::<unic_langid::LanguageIdentifier>()
        .ok()
        .and_then(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok());
    move |n: f64| {
        let Some(rules) = &rules else {
            return "other";
        };
        match rules.select(n) {
            Ok(PluralCategory::ZERO) => "zero",
            Ok(PluralCategory::ONE) => "one",
            Ok(PluralCategory::TWO) => "two",
            Ok(PluralCategory::FEW) => "few",
            Ok(PluralCategory::MANY) => "many",
            _ => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arabic_has_six_forms_and_french_counts_zero_as_one() {
        let ar = super::rules("ar");
        let got: Vec<&str> = [0.0, 1.0, 2.0, 3.0, 11.0, 100.0]
            .iter()
            .map(|n| ar(*n))
            .collect();
        assert_eq!(got, ["zero", "one", "two", "few", "many", "other"]);
        let fr = super::rules("fr");
        assert_eq!((fr(0.0), fr(1.0), fr(2.0)), ("one", "one", "other"));
        assert_eq!(super::rules("en")(1.0), "one");
        assert_eq!(super::rules("ht")(1.0), "other");
    }
}
