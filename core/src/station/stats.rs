//! Rest-station statistics over a period: visits by trade, by hour of day, by service and
//! by day; card holders and repeat visitors; the busiest hours; the average stay.
//!
//! A visit belongs to the period its check-in falls in (a visit from 23:30 to 00:30
//! counts on the first day).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use crate::config::StationConfig;
use crate::store::{Store, StoreError, Visit};

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// From midnight to midnight.
    Day,
    /// Monday to Sunday.
    Week,
    /// The calendar month.
    Month,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// The period holding `day`: `[start, end)`.
    pub fn bounds(self, day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let (start, end) = match self {
            Period::Day => (day, day + Duration::days(1)),
            Period::Week => {
                let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
                (monday, monday + Duration::days(7))
            }
            Period::Month => {
                let first = day.with_day(1).unwrap_or(day);
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                };
                (first, next.unwrap_or(first + Duration::days(31)))
            }
        };
        (start.and_time(chrono::NaiveTime::MIN), end.and_time(chrono::NaiveTime::MIN))
    }
}

/// Visits for one trade or service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    /// The trade's or service's id.
    pub id: String,
    /// How many visits.
    pub visits: u32,
}

/// Statistics over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Start.
    pub from: NaiveDateTime,
    /// End (exclusive).
    pub to: NaiveDateTime,
    /// Check-ins.
    pub visits: u32,
    /// Check-ins without a card.
    pub anonymous: u32,
    /// Different cards seen.
    pub distinct_cards: u32,
    /// Cards seen more than once in the period.
    pub repeat_visitors: u32,
    /// Visits by trade: every configured trade in configured order (zeros included), then
    /// trades no longer configured.
    pub by_trade: Vec<Count>,
    /// Visits using each service, the same way.
    pub by_service: Vec<Count>,
    /// Check-ins by hour of day (0–23).
    pub by_hour: [u32; 24],
    /// Check-ins on each day of the period.
    pub by_day: Vec<(NaiveDate, u32)>,
    /// Up to three hours of day with the most check-ins, busiest first (ties: earlier hour).
    pub busiest_hours: Vec<u32>,
    /// The average stay of visits that ended, in minutes.
    pub average_minutes: Option<u32>,
}

fn counts<'a>(configured: impl Iterator<Item = &'a str>, seen: BTreeMap<String, u32>) -> Vec<Count> {
    let mut seen = seen;
    let mut out: Vec<Count> =
        configured.map(|id| Count { id: id.to_string(), visits: seen.remove(id).unwrap_or(0) }).collect();
    out.extend(seen.into_iter().map(|(id, visits)| Count { id, visits }));
    out
}

/// Computes statistics over the visits that checked in within `[from, to)`.
pub fn compute(visits: &[Visit], from: NaiveDateTime, to: NaiveDateTime, config: &StationConfig) -> Stats {
    let mut trades = BTreeMap::new();
    let mut services = BTreeMap::new();
    let mut cards: BTreeMap<&str, u32> = BTreeMap::new();
    let mut by_hour = [0u32; 24];
    let mut days: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let (mut total, mut anonymous, mut stayed, mut ended) = (0u32, 0u32, 0i64, 0i64);
    for visit in visits.iter().filter(|v| v.checked_in_at >= from && v.checked_in_at < to) {
        total += 1;
        *trades.entry(visit.trade.clone()).or_insert(0) += 1;
        for service in &visit.services {
            *services.entry(service.clone()).or_insert(0) += 1;
        }
        match &visit.card_hash {
            Some(hash) => *cards.entry(hash.as_str()).or_insert(0) += 1,
            None => anonymous += 1,
        }
        by_hour[chrono::Timelike::hour(&visit.checked_in_at) as usize] += 1;
        *days.entry(visit.checked_in_at.date()).or_insert(0) += 1;
        if let Some(out) = visit.checked_out_at {
            stayed += (out - visit.checked_in_at).num_minutes().max(0);
            ended += 1;
        }
    }
    let mut by_day = Vec::new();
    let mut day = from.date();
    while day.and_time(chrono::NaiveTime::MIN) < to {
        by_day.push((day, days.get(&day).copied().unwrap_or(0)));
        day += Duration::days(1);
    }
    let mut hours: Vec<u32> = (0..24).filter(|&h| by_hour[h as usize] > 0).collect();
    hours.sort_by_key(|&h| (std::cmp::Reverse(by_hour[h as usize]), h));
    hours.truncate(3);
    Stats {
        from,
        to,
        visits: total,
        anonymous,
        distinct_cards: cards.len() as u32,
        repeat_visitors: cards.values().filter(|&&n| n > 1).count() as u32,
        by_trade: counts(config.trades.iter().map(|t| t.id.as_str()), trades),
        by_service: counts(config.services.iter().map(|s| s.id.as_str()), services),
        by_hour,
        by_day,
        busiest_hours: hours,
        average_minutes: (ended > 0).then(|| (stayed / ended) as u32),
    }
}

/// Statistics for the period holding `day`.
pub fn for_period(
    store: &Store,
    config: &StationConfig,
    period: Period,
    day: NaiveDate,
) -> Result<Stats, StoreError> {
    let (from, to) = period.bounds(day);
    Ok(compute(&store.visits_between(from, to)?, from, to, config))
}

/// Statistics for the `days` days ending with `day`.
pub fn last_days(
    store: &Store,
    config: &StationConfig,
    day: NaiveDate,
    days: u32,
) -> Result<Stats, StoreError> {
    let to = (day + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
    let from = to - Duration::days(i64::from(days.max(1)));
    Ok(compute(&store.visits_between(from, to)?, from, to, config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::station::Station;
    use crate::station::tests::station_config;
    use crate::store::VisitId;
    use crate::store::test_support::temp_store;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn time(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, min, 0).unwrap()
    }

    fn visit(
        id: i64,
        trade: &str,
        card: Option<&str>,
        services: &[&str],
        at: NaiveDateTime,
        minutes: Option<i64>,
    ) -> Visit {
        Visit {
            id: VisitId(id),
            trade: trade.into(),
            card_hash: card.map(str::to_string),
            services: services.iter().map(|s| s.to_string()).collect(),
            checked_in_at: at,
            checked_out_at: minutes.map(|m| at + Duration::minutes(m)),
            checkout_method: None,
        }
    }

    #[test]
    fn periods_across_midnight_week_and_month_ends() {
        assert_eq!(Period::Day.bounds(date(2026, 7, 31)), (time(2026, 7, 31, 0, 0), time(2026, 8, 1, 0, 0)));
        // 2026-07-01 is a Wednesday: its week runs Monday 06-29 to Monday 07-06.
        assert_eq!(Period::Week.bounds(date(2026, 7, 1)), (time(2026, 6, 29, 0, 0), time(2026, 7, 6, 0, 0)));
        assert_eq!(Period::Week.bounds(date(2026, 7, 5)).0, time(2026, 6, 29, 0, 0), "Sunday ends the week");
        assert_eq!(
            Period::Month.bounds(date(2026, 12, 31)),
            (time(2026, 12, 1, 0, 0), time(2027, 1, 1, 0, 0))
        );
        assert_eq!(Period::Month.bounds(date(2028, 2, 29)), (time(2028, 2, 1, 0, 0), time(2028, 3, 1, 0, 0)));
    }

    #[test]
    fn a_visit_counts_on_the_day_it_checked_in() {
        let config = station_config(20);
        let visits = [
            visit(1, "sanitation", None, &[], time(2026, 7, 31, 23, 30), Some(60)),
            visit(2, "courier", None, &[], time(2026, 8, 1, 0, 10), Some(20)),
        ];
        let (from, to) = Period::Day.bounds(date(2026, 7, 31));
        let july = compute(&visits, from, to, &config);
        assert_eq!(july.visits, 1);
        assert_eq!(july.by_hour[23], 1);
        let (from, to) = Period::Month.bounds(date(2026, 8, 15));
        let august = compute(&visits, from, to, &config);
        assert_eq!(august.visits, 1);
        assert_eq!(august.by_day.len(), 31);
        assert_eq!(august.by_day[0], (date(2026, 8, 1), 1));
        assert_eq!(august.by_trade.iter().find(|c| c.id == "courier").unwrap().visits, 1);
    }

    #[test]
    fn trades_services_cards_hours_and_stays() {
        let config = station_config(20);
        let day = |h, m| time(2026, 7, 15, h, m);
        let visits = [
            visit(1, "courier", Some("aa"), &["water", "charging"], day(11, 0), Some(30)),
            visit(2, "courier", Some("aa"), &["water"], day(12, 5), Some(10)),
            visit(3, "delivery", Some("bb"), &["charging"], day(12, 30), Some(50)),
            visit(4, "sanitation", None, &[], day(12, 45), None),
            visit(5, "retired-trade", None, &["water"], day(7, 0), Some(30)),
            visit(6, "delivery", None, &[], day(11, 59), Some(0)),
        ];
        let (from, to) = Period::Day.bounds(date(2026, 7, 15));
        let stats = compute(&visits, from, to, &config);
        assert_eq!(
            (stats.visits, stats.anonymous, stats.distinct_cards, stats.repeat_visitors),
            (6, 3, 2, 1)
        );
        let trades: Vec<(&str, u32)> = stats.by_trade.iter().map(|c| (c.id.as_str(), c.visits)).collect();
        assert_eq!(
            trades,
            [
                ("courier", 2),
                ("delivery", 2),
                ("sanitation", 1),
                ("traffic-police", 0),
                ("other", 0),
                ("retired-trade", 1)
            ]
        );
        assert_eq!(stats.by_service.iter().find(|c| c.id == "water").unwrap().visits, 3);
        assert_eq!(stats.by_service.iter().find(|c| c.id == "charging").unwrap().visits, 2);
        assert_eq!(stats.busiest_hours, [12, 11, 7]);
        assert_eq!(stats.average_minutes, Some(24), "(30+10+50+30+0)/5");
    }

    #[test]
    fn the_last_thirty_days_from_the_store() {
        let (_dir, store) = temp_store();
        let config = station_config(20);
        let station = Station::open(&store, &config).unwrap();
        station.check_in("courier", None, &[], time(2026, 6, 15, 9, 0)).unwrap();
        station.check_in("courier", None, &[], time(2026, 6, 16, 9, 0)).unwrap();
        station.check_in("delivery", None, &[], time(2026, 7, 15, 18, 0)).unwrap();
        let stats = last_days(&store, &config, date(2026, 7, 15), 30).unwrap();
        assert_eq!(stats.by_day.len(), 30);
        assert_eq!(stats.by_day.first().unwrap().0, date(2026, 6, 16));
        assert_eq!(stats.visits, 2, "06-15 is 31 days back");
        let week = for_period(&store, &config, Period::Week, date(2026, 7, 15)).unwrap();
        assert_eq!(week.visits, 1);
    }
}
