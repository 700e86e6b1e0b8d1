//! Dates as OGP's commitment dataset writes them.
//!
//! The dataset mixes `1/1/2024` (month first), `31/12/2014` (day first), `12/1/18` (either),
//! `July 2012`, `2017`, `IV quarter of 2020`, `15.03.2019`, spreadsheet serial numbers
//! (`43525`) and spreadsheet accidents (`7/15/1905`, a year typed into a date cell). Each is
//! classified: an exact date, an imprecise one (a month, quarter or year, widened to its
//! first or last day), an ambiguous one (both day-first and month-first readings exist: the
//! caller's order decides, and the ambiguity is reported), missing, or not understood.

use crate::date::Date;

/// Which end of an imprecise period a date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A start date: the first day of the month, quarter or year.
    Start,
    /// An end date: the last day.
    End,
}

/// How `a/b/yyyy` is read when both readings are dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// `M/D/Y`, as in the dataset's most common `12/31/2022`.
    MonthFirst,
    /// `D/M/Y`, as in `31/12/2014`.
    DayFirst,
}

/// How precise an imprecise date was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// `July 2012`, `11/2022`.
    Month,
    /// `Quarter 1 2014`, `IV quarter of 2020`.
    Quarter,
    /// `2017`.
    Year,
}

impl Precision {
    /// The word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Month => "month",
            Precision::Quarter => "quarter",
            Precision::Year => "year",
        }
    }
}

/// What a date cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Empty, `NA`, `ND` or `NR`: the source does not know.
    Missing,
    /// A day.
    Exact(Date),
    /// A month, quarter or year, widened to the day the bound asks for.
    Imprecise(Date, Precision),
    /// Both `D/M` and `M/D` are dates: `chosen` by the order given, `other` the alternative.
    Ambiguous {
        /// The reading taken.
        chosen: Date,
        /// The reading not taken.
        other: Date,
    },
    /// Not a date kept can read, with why.
    Unparsed(String),
}

impl Parsed {
    /// The date taken, if any.
    pub fn date(&self) -> Option<Date> {
        match self {
            Parsed::Exact(d) | Parsed::Imprecise(d, _) | Parsed::Ambiguous { chosen: d, .. } => Some(*d),
            Parsed::Missing | Parsed::Unparsed(_) => None,
        }
    }
}

/// Words that mean the source has no value.
pub fn is_unknown(s: &str) -> bool {
    matches!(s.trim(), "" | "NA" | "N/A" | "ND" | "NR" | "n/a")
}

/// The earliest and latest years a date in an OGP action plan can have: OGP began in 2011,
/// and a few national plans cite earlier start dates of work they continue.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// Which order `a/b/y` dates must be read in, if they show it (`31/12/2014`, `12/31/2014`).
pub fn evident_order(s: &str) -> Option<Order> {
    let (a, b, _) = slashed(s.trim())?;
    match (a > 12, b > 12) {
        (true, false) if b >= 1 => Some(Order::DayFirst),
        (false, true) if a >= 1 => Some(Order::MonthFirst),
        _ => None,
    }
}

/// Parse a date cell; `bound` widens imprecise dates, `order` reads ambiguous `a/b/y`.
pub fn parse(s: &str, bound: Bound, order: Order) -> Parsed {
    let s = s.trim();
    if is_unknown(s) {
        return Parsed::Missing;
    }
    if let Some(d) = Date::parse(s) {
        return Parsed::Exact(d);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return digits(s, bound);
    }
    if let Some((a, b, y)) = slashed(s) {
        return day_month(a, b, y, order, s);
    }
    if let Some(p) = month_slash_year(s).or_else(|| dotted(s)).or_else(|| words(s, bound)) {
        return p;
    }
    Parsed::Unparsed(
        "not a date in a form kept reads (M/D/YYYY, D.M.YYYY, YYYY-MM-DD, Month YYYY, a quarter, a year)".into(),
    )
}

fn digits(s: &str, bound: Bound) -> Parsed {
    let Ok(n) = s.parse::<i64>() else { return Parsed::Unparsed("too many digits for a date".into()) };
    if s.len() == 4 && YEARS.contains(&(n as i32)) {
        return Parsed::Imprecise(widen(n as i32, 1, 12, bound), Precision::Year);
    }
    if (20_000..=80_000).contains(&n) {
        // Days since 1899-12-30, as spreadsheets count: said, never converted, because the
        // cell may as well be a budget or a count.
        let as_serial = Date::from_days(n - 25_569);
        return Parsed::Unparsed(format!("a bare number; as a spreadsheet date serial it would be {as_serial}"));
    }
    Parsed::Unparsed("a bare number, not a date".into())
}

/// `a/b/yyyy` or `a/b/yy` with numbers.
fn slashed(s: &str) -> Option<(u32, u32, i32)> {
    let mut it = s.split('/');
    let (a, b, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || [a, b].iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    let year = year_of(y)?;
    Some((a.parse().ok()?, b.parse().ok()?, year))
}

fn year_of(y: &str) -> Option<i32> {
    if !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match y.len() {
        4 => y.parse().ok(),
        // OGP plans start in 2011: two-digit years are this century.
        2 => y.parse::<i32>().ok().map(|v| 2000 + v),
        _ => None,
    }
}

fn day_month(a: u32, b: u32, year: i32, order: Order, s: &str) -> Parsed {
    if !YEARS.contains(&year) {
        return Parsed::Unparsed(format!(
            "year {year} is outside {}..{}; a spreadsheet probably turned a number into this date",
            YEARS.start(),
            YEARS.end()
        ));
    }
    let md = u8::try_from(a).ok().zip(u8::try_from(b).ok()).and_then(|(m, d)| Date::new(year, m, d));
    let dm = u8::try_from(b).ok().zip(u8::try_from(a).ok()).and_then(|(m, d)| Date::new(year, m, d));
    match (md, dm) {
        (Some(x), Some(y)) if x == y => Parsed::Exact(x),
        (Some(x), Some(y)) => match order {
            Order::MonthFirst => Parsed::Ambiguous { chosen: x, other: y },
            Order::DayFirst => Parsed::Ambiguous { chosen: y, other: x },
        },
        (Some(x), None) | (None, Some(x)) => Parsed::Exact(x),
        (None, None) => Parsed::Unparsed(format!("`{s}` is no day of the calendar, day first or month first")),
    }
}

/// `11/2022`: a month.
fn month_slash_year(s: &str) -> Option<Parsed> {
    let (m, y) = s.split_once('/')?;
    if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) || y.len() != 4 {
        return None;
    }
    let (m, y) = (m.parse::<u8>().ok()?, year_of(y)?);
    // The first day; `at_bound` moves an end date to the month's last day.
    Some(month(y, m))
}

fn month(y: i32, m: u8) -> Parsed {
    match Date::new(y, m, 1) {
        Some(d) if YEARS.contains(&y) => Parsed::Imprecise(d, Precision::Month),
        _ => Parsed::Unparsed(format!("no month {m} in {y}")),
    }
}

/// `15.03.2019`: day first, as every country writing dates with dots does.
fn dotted(s: &str) -> Option<Parsed> {
    let mut it = s.split('.');
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some()
        || [d, m].iter().any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let year = year_of(y)?;
    Some(match Date::new(year, m.parse().ok()?, d.parse().ok()?) {
        Some(date) if YEARS.contains(&year) => Parsed::Exact(date),
        _ => Parsed::Unparsed(format!("`{s}` is no day of the calendar")),
    })
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_word(w: &str) -> Option<u8> {
    let w = w.trim_end_matches(['.', ',']).to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| *m == w || (w.len() == 3 && m.starts_with(w.as_str()))).map(|i| i as u8 + 1)
}

fn roman(w: &str) -> Option<u8> {
    match w.to_ascii_uppercase().as_str() {
        "I" | "1" | "Q1" | "1ST" | "FIRST" => Some(1),
        "II" | "2" | "Q2" | "2ND" | "SECOND" => Some(2),
        "III" | "3" | "Q3" | "3RD" | "THIRD" => Some(3),
        "IV" | "4" | "Q4" | "4TH" | "FOURTH" => Some(4),
        _ => None,
    }
}

/// `July 2012`, `31 August 2018`, `August 31, 2018`, `Quarter 1 2014`, `IV quarter of 2020`, `Q3 2021`.
fn words(s: &str, bound: Bound) -> Option<Parsed> {
    let tokens: Vec<&str> = s.split_whitespace().filter(|t| !t.eq_ignore_ascii_case("of")).collect();
    let year = year_of(tokens.last()?.trim_end_matches(['.', ',']))?;
    if !YEARS.contains(&year) {
        return None;
    }
    let head = &tokens[..tokens.len() - 1];
    match head {
        [m] => {
            if let Some(m) = month_word(m) {
                return Some(Parsed::Imprecise(widen(year, m, m, bound), Precision::Month));
            }
            let q = roman(m)?.min(4);
            q_of(year, q, bound, m.to_ascii_uppercase().starts_with('Q'))
        }
        [a, b] => {
            if let (Some(m), Ok(d)) = (month_word(a), b.trim_end_matches(',').parse::<u8>()) {
                return Some(exact(year, m, d, s));
            }
            if let (Ok(d), Some(m)) = (a.trim_end_matches('.').parse::<u8>(), month_word(b)) {
                return Some(exact(year, m, d, s));
            }
            let q = match (roman(a), roman(b)) {
                (Some(q), None) if b.eq_ignore_ascii_case("quarter") => q,
                (None, Some(q)) if a.eq_ignore_ascii_case("quarter") => q,
                _ => return None,
            };
            q_of(year, q, bound, true)
        }
        _ => None,
    }
}

fn q_of(year: i32, q: u8, bound: Bound, is_quarter: bool) -> Option<Parsed> {
    is_quarter.then(|| Parsed::Imprecise(widen(year, q * 3 - 2, q * 3, bound), Precision::Quarter))
}

fn exact(year: i32, m: u8, d: u8, s: &str) -> Parsed {
    Date::new(year, m, d).map_or_else(|| Parsed::Unparsed(format!("`{s}` is no day of the calendar")), Parsed::Exact)
}

/// The first day of `first_month` or the last day of `last_month` in `year`.
fn widen(year: i32, first_month: u8, last_month: u8, bound: Bound) -> Date {
    let first = Date::new(year, first_month, 1).expect("months 1 to 12 have a first day");
    match bound {
        Bound::Start => first,
        Bound::End => Date::from_days(Date::new(year, last_month, 1).expect("a month").add_months(1).to_days() - 1),
    }
}

/// Widen a month-precision start date to its last day when it ends a period.
pub fn at_bound(p: Parsed, bound: Bound) -> Parsed {
    match (p, bound) {
        (Parsed::Imprecise(d, Precision::Month), Bound::End) if d.day() == 1 => {
            Parsed::Imprecise(Date::from_days(d.add_months(1).to_days() - 1), Precision::Month)
        }
        (p, _) => p,
    }
}

/// Split a milestone's date cell into its start and end parts: `A – B`, `A - B`, `A-B`, `A to B`.
pub fn split_range(s: &str) -> Option<(&str, &str)> {
    for sep in ["–", "—", " - ", " to ", "-"] {
        if let Some((a, b)) = s.split_once(sep) {
            // `2019-03-01` is one date, not a range.
            if sep == "-" && Date::parse(s.trim()).is_some() {
                return None;
            }
            return Some((a.trim(), b.trim()));
        }
    }
    None
}

/// Parse a cell, widening by the bound, reading `a/b/y` in `order`.
pub fn parse_at(s: &str, bound: Bound, order: Order) -> Parsed {
    at_bound(parse(s, bound, order), bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn reads_the_forms_of_the_dataset() {
        let m = Order::MonthFirst;
        assert_eq!(parse_at("1/1/2024", Bound::Start, m), Parsed::Exact(d("2024-01-01")));
        assert_eq!(parse_at("31/12/2014", Bound::End, m), Parsed::Exact(d("2014-12-31")));
        assert_eq!(parse_at("12/31/19", Bound::End, m), Parsed::Exact(d("2019-12-31")));
        assert_eq!(
            parse_at("12/1/18", Bound::Start, m),
            Parsed::Ambiguous { chosen: d("2018-12-01"), other: d("2018-01-12") }
        );
        assert_eq!(
            parse_at("12/1/18", Bound::Start, Order::DayFirst),
            Parsed::Ambiguous { chosen: d("2018-01-12"), other: d("2018-12-01") }
        );
        assert_eq!(parse_at("July 2012", Bound::Start, m), Parsed::Imprecise(d("2012-07-01"), Precision::Month));
        assert_eq!(parse_at("July 2012", Bound::End, m), Parsed::Imprecise(d("2012-07-31"), Precision::Month));
        assert_eq!(parse_at("2017", Bound::End, m), Parsed::Imprecise(d("2017-12-31"), Precision::Year));
        assert_eq!(parse_at("11/2022", Bound::End, m), Parsed::Imprecise(d("2022-11-30"), Precision::Month));
        assert_eq!(
            parse_at("IV quarter of 2020", Bound::End, m),
            Parsed::Imprecise(d("2020-12-31"), Precision::Quarter)
        );
        assert_eq!(parse_at("Quarter 1 2014", Bound::Start, m), Parsed::Imprecise(d("2014-01-01"), Precision::Quarter));
        assert_eq!(parse_at("15.03.2019", Bound::Start, m), Parsed::Exact(d("2019-03-15")));
        assert_eq!(parse_at("31 August 2018", Bound::Start, m), Parsed::Exact(d("2018-08-31")));
        assert_eq!(parse_at("2025-06-30", Bound::End, m), Parsed::Exact(d("2025-06-30")));
        assert_eq!(parse_at("NA", Bound::End, m), Parsed::Missing);
        for bad in ["43525", "7/15/1905", "Ongoing", "Spring 2015", "31/31/2020", "5.0999999999999996"] {
            assert!(matches!(parse_at(bad, Bound::Start, m), Parsed::Unparsed(_)), "{bad}");
        }
    }

    #[test]
    fn evident_order_and_ranges() {
        assert_eq!(evident_order("31/12/2014"), Some(Order::DayFirst));
        assert_eq!(evident_order("12/31/2014"), Some(Order::MonthFirst));
        assert_eq!(evident_order("1/12/2014"), None);
        assert_eq!(split_range("November 2018 – December 2018"), Some(("November 2018", "December 2018")));
        assert_eq!(split_range("01.05.2019 - 30.06.2019"), Some(("01.05.2019", "30.06.2019")));
        assert_eq!(split_range("September 2019-2019"), Some(("September 2019", "2019")));
        assert_eq!(split_range("2019-03-01"), None);
    }
}
