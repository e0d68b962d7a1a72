//! An appointment as an iCalendar file (RFC 5545), for "add to calendar": one event, its start
//! and end in UTC (the slot's offset applied, so every calendar shows the right moment in the
//! phone's own zone), its text escaped and its lines folded as the format requires. Written by
//! hand: the format is this small, and a calendar crate would cost the phone's download more
//! than this whole file.

use crate::appointment::Appointment;

/// What the file says beside the time and place, in the person's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventText<'a> {
    pub title: &'a str,
    pub description: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a start time the calendar file can carry: {0}")]
pub struct BadStart(pub String);

/// The `.ics` text of `appointment`. `uid` names the event for good (the case ID: a moved
/// appointment added again replaces the old one where the calendar supports it); `stamp_ms`:
/// when the file is made (ms since the epoch).
pub fn ics(
    appointment: &Appointment,
    text: &EventText<'_>,
    uid: &str,
    stamp_ms: f64,
) -> Result<String, BadStart> {
    let start = unix_seconds(&appointment.starts_at)
        .ok_or_else(|| BadStart(appointment.starts_at.clone()))?;
    let end = start + i64::from(appointment.minutes) * 60;
    let stamp = (stamp_ms / 1000.0).floor() as i64;
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Resguardo//Appointment//EN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(uid)),
        format!("DTSTAMP:{}", utc(stamp)),
        format!("DTSTART:{}", utc(start)),
        format!("DTEND:{}", utc(end)),
        format!("SUMMARY:{}", escape(text.title)),
        format!("LOCATION:{}", escape(&appointment.place)),
        format!("DESCRIPTION:{}", escape(text.description)),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ] {
        fold_into(&mut out, &line);
    }
    Ok(out)
}

/// TEXT values: backslash, semicolon, comma and line breaks escaped (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line, folded at 75 octets without splitting a character, ended with CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `YYYY-MM-DDTHH:MM[:SS](Z|±HH:MM)` as seconds since the epoch.
fn unix_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 17 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let (second, zone) = if b[16] == b':' {
        (num(17..19)?, 19)
    } else {
        (0, 16)
    };
    let offset = match text.get(zone..)? {
        "Z" => 0,
        z if z.len() == 6
            && (z.starts_with('+') || z.starts_with('-'))
            && z.as_bytes()[3] == b':' =>
        {
            let minutes = num(zone + 1..zone + 3)? * 60 + num(zone + 4..zone + 6)?;
            if z.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let date = crate::date::Date::new(year as u16, month as u8, day as u8).ok()?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(date.year), date.month.into(), date.day.into());
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appointment(starts_at: &str, place: &str) -> Appointment {
        Appointment {
            slot_id: crate::SlotId(uuid::Uuid::from_u128(1)),
            starts_at: starts_at.into(),
            minutes: 30,
            place: place.into(),
        }
    }

    const TEXT: EventText<'static> = EventText {
        title: "Cita: 7K3MQ-9XA0Z",
        description: "Lleve su código, para toda la familia",
    };

    #[test]
    fn the_event_starts_and_ends_in_utc_whatever_the_offset() {
        let file = ics(
            &appointment("2026-12-10T09:00:00-07:00", "Casa del Migrante"),
            &TEXT,
            "case-1",
            1_796_000_000_000.0,
        )
        .unwrap();
        assert!(
            file.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{file}"
        );
        assert!(file.contains("\r\nDTSTART:20261210T160000Z\r\n"), "{file}");
        assert!(file.contains("\r\nDTEND:20261210T163000Z\r\n"), "{file}");
        assert!(file.contains("\r\nUID:case-1\r\n"), "{file}");
        assert!(file.contains("\r\nDTSTAMP:20261130T"), "{file}");
        assert!(file.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        // Across midnight and the year, east of Greenwich, without seconds.
        let east = ics(&appointment("2027-01-01T00:15+05:30", "x"), &TEXT, "u", 0.0).unwrap();
        assert!(east.contains("DTSTART:20261231T184500Z"), "{east}");
        assert!(east.contains("DTSTAMP:19700101T000000Z"), "{east}");
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_without_splitting_a_letter() {
        let place = "Casa del Migrante; Calle 5, #120\nPuerta azul \\ timbre";
        let file = ics(&appointment("2026-12-10T09:00:00Z", place), &TEXT, "u", 0.0).unwrap();
        let unfolded = file.replace("\r\n ", "");
        assert!(
            unfolded
                .contains(r"LOCATION:Casa del Migrante\; Calle 5\, #120\nPuerta azul \\ timbre"),
            "{unfolded}"
        );
        assert!(unfolded.contains(r"DESCRIPTION:Lleve su código\, para toda la familia"));
        let arabic = EventText {
            title: "موعد العائلة كلها في مركز الاستقبال، أحضروا رمز الإيصال معكم من فضلكم",
            description: "",
        };
        let file = ics(&appointment("2026-12-10T09:00:00Z", "x"), &arabic, "u", 0.0).unwrap();
        for line in file.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        assert!(file.replace("\r\n ", "").contains(arabic.title));
    }

    #[test]
    fn a_start_it_cannot_read_is_an_error() {
        for bad in [
            "",
            "2026-12-10",
            "2026-13-10T09:00:00Z",
            "2026-02-30T09:00:00Z",
            "2026-12-10T25:00:00Z",
            "2026-12-10T09:00:00",
            "2026-12-10T09:00:00+0700",
            "2026-12-10T09:00:00 +07:00",
            "2026-12-10T09:00:00+0é:00",
        ] {
            assert!(
                ics(&appointment(bad, "x"), &TEXT, "u", 0.0).is_err(),
                "{bad:?} was read"
            );
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-719_468, -1, 0, 1, 20_000, 20_797, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(20_797), (2026, 12, 10));
    }
}
