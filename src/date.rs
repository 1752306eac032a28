//! Calendar dates (`YYYY-MM-DD`, proleptic Gregorian, UTC) for the expiry of suppressions.
//! A dozen lines of arithmetic do not justify a date-time crate.

use std::fmt;

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year, 1 to 9999.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 28–31.
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD` and checks that the day exists (`2027-02-29` does not).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a date of the form YYYY-MM-DD, such as 2027-03-01");
        let b = text.as_bytes();
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !b
                .iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        {
            return Err(bad());
        }
        let year: u16 = text[..4].parse().map_err(|_| bad())?;
        let month: u8 = text[5..7].parse().map_err(|_| bad())?;
        let day: u8 = text[8..].parse().map_err(|_| bad())?;
        if year == 0 || !(1..=12).contains(&month) {
            return Err(bad());
        }
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            return Err(format!(
                "`{text}` is not a real day: {year}-{month:02} has {last} days"
            ));
        }
        Ok(Self { year, month, day })
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year: u16::try_from(year.clamp(1, 9999)).unwrap_or(9999),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

/// A `--today` / `VRT_TODAY` value: a date, or `None` for an empty value, so that an empty
/// `VRT_TODAY=` means the same as an unset one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateOrUnset(pub Option<Date>);

impl DateOrUnset {
    /// Parses a date as [`Date::parse`] does; an empty text is no date.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            Ok(Self(None))
        } else {
            Date::parse(text).map(|d| Self(Some(d)))
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_real_days() {
        let d = Date::parse("2027-03-01").unwrap();
        assert_eq!((d.year, d.month, d.day), (2027, 3, 1));
        assert_eq!(d.to_string(), "2027-03-01");
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2000-02-29").is_ok());
    }

    #[test]
    fn rejects_malformed_and_impossible_dates() {
        for bad in [
            "2027-3-1",
            "2027/03/01",
            "27-03-01",
            "2027-13-01",
            "2027-00-10",
            "2027-02-29",
            "1900-02-29",
            "2027-04-31",
            "0000-01-01",
            "2027-03-01T00:00",
            "２027-03-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Date::parse("2027-02-29")
                .unwrap_err()
                .contains("has 28 days")
        );
    }

    #[test]
    fn days_since_epoch_convert_to_civil_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(59).to_string(), "1970-03-01");
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_513).to_string(),
            "2026-03-01"
        );
    }

    #[test]
    fn an_empty_value_is_no_date() {
        assert_eq!(DateOrUnset::parse(""), Ok(DateOrUnset(None)));
        assert_eq!(
            DateOrUnset::parse("2027-03-01")
                .unwrap()
                .0
                .unwrap()
                .to_string(),
            "2027-03-01"
        );
        assert!(DateOrUnset::parse(" ").is_err());
        assert!(DateOrUnset::parse("2027-02-29").is_err());
    }

    #[test]
    fn dates_order_chronologically() {
        assert!(Date::parse("2026-12-31").unwrap() < Date::parse("2027-01-01").unwrap());
    }
}
