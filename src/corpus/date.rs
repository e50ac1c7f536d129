//! Dates that keep their precision: `2024`, `2024-01` or `2024-01-15`.
//!
//! A partial date is an interval of days (2024-01 is 1 to 31 January), so dates
//! of different precision compare without inventing a day nobody wrote.

use std::fmt;

use jiff::civil::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialDate {
    Year(i16),
    YearMonth(i16, i8),
    Day(i16, i8, i8),
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking the calendar.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() > 10
            && s.as_bytes()
                .get(10)
                .is_some_and(|&b| b == b'T' || b == b' ')
        {
            return Err(format!(
                "`{s}` has a time of day; write the day only (`{}`)",
                &s[..10]
            ));
        }
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, what: &str, len: usize| -> Result<i64, String> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{s}` is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD ({what} should be {len} digits)"
                ));
            }
            p.parse().map_err(|_| format!("`{s}` is not a date"))
        };
        let year = number(parts[0], "the year", 4)? as i16;
        if year < 1 {
            return Err(format!("`{s}`: year 0 does not exist"));
        }
        let date = match parts.len() {
            1 => PartialDate::Year(year),
            2 => {
                let month = number(parts[1], "the month", 2)?;
                if !(1..=12).contains(&month) {
                    return Err(format!("`{s}`: there is no month {month}"));
                }
                PartialDate::YearMonth(year, month as i8)
            }
            3 => {
                let month = number(parts[1], "the month", 2)?;
                if !(1..=12).contains(&month) {
                    return Err(format!("`{s}`: there is no month {month}"));
                }
                let day = number(parts[2], "the day", 2)?;
                Date::new(year, month as i8, day as i8)
                    .map_err(|_| format!("`{s}` is not a day of the calendar"))?;
                PartialDate::Day(year, month as i8, day as i8)
            }
            _ => {
                return Err(format!(
                    "`{s}` is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"
                ))
            }
        };
        Ok(date)
    }

    /// The first day of the interval.
    pub fn first_day(self) -> Date {
        let built = match self {
            PartialDate::Year(y) => Date::new(y, 1, 1),
            PartialDate::YearMonth(y, m) => Date::new(y, m, 1),
            PartialDate::Day(y, m, d) => Date::new(y, m, d),
        };
        built.unwrap_or(Date::MIN)
    }

    /// The last day of the interval.
    pub fn last_day(self) -> Date {
        match self {
            PartialDate::Year(y) => Date::new(y, 12, 31).unwrap_or(Date::MAX),
            PartialDate::YearMonth(..) => self.first_day().last_of_month(),
            PartialDate::Day(..) => self.first_day(),
        }
    }

    /// Days between the two intervals: 0 when they overlap (2024-01 and
    /// 2024-01-15), otherwise from the end of the earlier to the start of the later.
    pub fn gap_days(self, other: PartialDate) -> i64 {
        let (a, b) = if self.first_day() <= other.first_day() {
            (self, other)
        } else {
            (other, self)
        };
        if b.first_day() <= a.last_day() {
            return 0;
        }
        let span = a.last_day().until(b.first_day()).map(|s| s.get_days());
        i64::from(span.unwrap_or(i32::MAX))
    }

    /// A sort key: earlier intervals first, and among those that start together,
    /// the more precise first.
    pub fn sort_key(self) -> u64 {
        // The first and the last day as `(year, month, day)` packed into one
        // number, in the order of (first_day, last_day) without building
        // calendar dates: the end of a month is written as day 32, which
        // sorts where its real last day would against any other date.
        let (first, last) = match self {
            PartialDate::Year(y) => ((y, 1, 1), (y, 12, 31)),
            PartialDate::YearMonth(y, m) => ((y, m, 1), (y, m, 32)),
            PartialDate::Day(y, m, d) => ((y, m, d), (y, m, d)),
        };
        let pack = |(y, m, d): (i16, i8, i8)| {
            (u64::from(y.wrapping_add(i16::MIN) as u16) << 16)
                | (u64::from(m as u8) << 8)
                | u64::from(d as u8)
        };
        (pack(first) << 32) | pack(last)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartialDate::Year(y) => write!(f, "{y:04}"),
            PartialDate::YearMonth(y, m) => write!(f, "{y:04}-{m:02}"),
            PartialDate::Day(y, m, d) => write!(f, "{y:04}-{m:02}-{d:02}"),
        }
    }
}

impl serde::Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_orders_as_first_then_last_day() {
        let mut dates = Vec::new();
        for y in [1999, 2000, 2024] {
            dates.push(PartialDate::Year(y));
            for m in 1..=12 {
                dates.push(PartialDate::YearMonth(y, m));
                for d in 1..=31 {
                    if Date::new(y, m, d).is_ok() {
                        dates.push(PartialDate::Day(y, m, d));
                    }
                }
            }
        }
        for a in &dates {
            for b in dates.iter().step_by(7) {
                let by_days = (a.first_day(), a.last_day()).cmp(&(b.first_day(), b.last_day()));
                assert_eq!(a.sort_key().cmp(&b.sort_key()), by_days, "{a} against {b}");
            }
        }
    }

    #[test]
    fn keeps_precision() {
        assert_eq!(PartialDate::parse("2024").unwrap().to_string(), "2024");
        assert_eq!(
            PartialDate::parse("2024-01").unwrap().to_string(),
            "2024-01"
        );
        assert_eq!(
            PartialDate::parse("2024-01-15").unwrap().to_string(),
            "2024-01-15"
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(PartialDate::parse("2024-13").is_err());
        assert!(PartialDate::parse("2023-02-29").is_err());
        assert!(PartialDate::parse("2024-02-29").is_ok());
        assert!(PartialDate::parse("24-01").is_err());
        assert!(PartialDate::parse("janvier 2024").is_err());
        assert!(PartialDate::parse("2024-1-5").is_err());
        assert!(PartialDate::parse("2024-13-01")
            .unwrap_err()
            .contains("no month 13"));
        assert!(PartialDate::parse("2024-01-15T10:00:00Z")
            .unwrap_err()
            .contains("time of day"));
    }

    #[test]
    fn intervals_overlap_across_precisions() {
        let month = PartialDate::parse("2024-01").unwrap();
        let day = PartialDate::parse("2024-01-15").unwrap();
        let year = PartialDate::parse("2024").unwrap();
        assert_eq!(month.gap_days(day), 0);
        assert_eq!(day.gap_days(year), 0);
        let feb = PartialDate::parse("2024-02-10").unwrap();
        assert_eq!(month.gap_days(feb), 10);
        assert_eq!(feb.gap_days(month), 10);
    }

    #[test]
    fn sorts_by_interval() {
        let mut dates: Vec<PartialDate> = ["2024-01-15", "2024", "2023-12", "2024-01"]
            .iter()
            .map(|d| PartialDate::parse(d).unwrap())
            .collect();
        dates.sort_by_key(|d| d.sort_key());
        let shown: Vec<String> = dates.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2023-12", "2024-01", "2024", "2024-01-15"]);
    }
}
