//! Lifecycle: deprecation of operations, parameters and properties, sunset dates, and removals
//! judged by them. Removing an operation before its announced sunset date breaks callers who
//! were promised it until then; removing it once it was deprecated (and its date, if any, has
//! passed) is what the deprecation announced.
//!
//! A sunset date is an operation's `x-sunset` (as oasdiff reads it), or the example date of a
//! `Sunset` response header it documents (RFC 8594). A documented `Deprecation` response header
//! (RFC 9745) marks an operation deprecated, like `deprecated: true`. Dates are compared with
//! the day the comparison runs (UTC).

use chrono::{NaiveDate, Utc};

use super::*;

/// A sunset date and where the spec gives it.
pub(super) struct Sunset {
    pub date: NaiveDate,
    pub pointer: String,
}

/// `2025-06-30`, `2025-06-30T00:00:00Z` or an HTTP date (`Mon, 30 Jun 2025 00:00:00 GMT`).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d")
        .ok()
        .or_else(|| chrono::DateTime::parse_from_rfc2822(text).ok().map(|d| d.date_naive()))
}

/// The operation's sunset date, when it announces one.
pub(super) fn sunset(side: &Side, op_pointer: &str) -> Option<Sunset> {
    let op = side.value_at(op_pointer)?;
    if let Some(date) = op.get("x-sunset").and_then(Value::as_str).and_then(parse_date) {
        return Some(Sunset { date, pointer: format!("{op_pointer}/x-sunset") });
    }
    let responses = op.get("responses")?.as_object()?;
    for (status, response) in responses {
        let Some(headers) = response.get("headers").and_then(Value::as_object) else { continue };
        for (name, header) in headers {
            if !name.eq_ignore_ascii_case("sunset") {
                continue;
            }
            let example = header
                .get("example")
                .or_else(|| header.pointer("/schema/example"))
                .or_else(|| header.pointer("/schema/default"))
                .and_then(Value::as_str);
            if let Some(date) = example.and_then(parse_date) {
                let pointer = format!("{op_pointer}/responses/{}/headers/{}", escape_token(status), escape_token(name));
                return Some(Sunset { date, pointer });
            }
        }
    }
    None
}

/// Whether the operation documents a `Deprecation` response header.
fn deprecation_header(side: &Side, op_pointer: &str) -> bool {
    let Some(responses) = side.value_at(op_pointer).and_then(|op| op.get("responses")).and_then(Value::as_object) else { return false };
    responses
        .values()
        .filter_map(|r| r.get("headers").and_then(Value::as_object))
        .any(|headers| headers.keys().any(|k| k.eq_ignore_ascii_case("deprecation")))
}

/// Deprecated by the spec: `deprecated: true`, or a documented `Deprecation` header.
pub(super) fn operation_deprecated(side: &Side, op: &Operation, op_pointer: &str) -> bool {
    op.deprecated || deprecation_header(side, op_pointer)
}

/// The day the comparison runs.
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

impl Walk<'_> {
    /// An operation that is gone, judged by what its deprecation announced.
    pub(super) fn operation_removed(&mut self, old_index: usize) {
        let side = self.old;
        let Some(op) = side.op(old_index) else { return };
        let pointer = side.op_pointer(old_index);
        let effect = format!("method `Client::{}()` removed", op.method_name);
        let deprecated = operation_deprecated(side, op, &pointer);
        let at = self.old_at(&pointer);
        match (deprecated, sunset(side, &pointer)) {
            (_, Some(sunset)) if today() < sunset.date => {
                let message = format!("{}: operation removed before its sunset date {}", op_label(op), sunset.date);
                let at = self.old_at(&sunset.pointer);
                self.push(Rule::OperationRemovedBeforeSunset, message, effect).old = at;
            }
            (true, sunset) => {
                let when = match sunset {
                    Some(s) => format!("deprecated, sunset date {} passed", s.date),
                    None => "deprecated, with no sunset date".to_string(),
                };
                let message = format!("{}: operation removed ({when})", op_label(op));
                self.push(Rule::OperationRemovedAfterDeprecation, message, effect).old = at;
            }
            (false, _) => {
                let message = format!("{}: operation removed", op_label(op));
                self.push(Rule::OperationRemoved, message, effect).old = at;
            }
        }
    }

    /// Deprecation and sunset changes of an operation present on both sides.
    pub(super) fn operation_lifecycle(&mut self, i: usize, j: usize, label: &str) {
        let (old, new) = (self.old, self.new);
        let (Some(a), Some(b)) = (old.op(i), new.op(j)) else { return };
        let (old_pointer, new_pointer) = (old.op_pointer(i), new.op_pointer(j));
        let (was, is) = (operation_deprecated(old, a, &old_pointer), operation_deprecated(new, b, &new_pointer));
        if !was && is {
            let at = self.new_at(&format!("{new_pointer}/deprecated"));
            let effect = if b.deprecated { format!("`Client::{}()` is `#[deprecated]`", b.method_name) } else { NO_API_CHANGE.to_string() };
            let change = self.push(Rule::OperationDeprecated, format!("{label}: deprecated"), effect);
            change.rust = pick(b.deprecated, Level::Warning, Level::Info);
            change.new = at;
        } else if was && !is {
            let at = self.old_at(&format!("{old_pointer}/deprecated"));
            let effect = if a.deprecated { format!("`#[deprecated]` removed from `Client::{}()`", b.method_name) } else { NO_API_CHANGE.to_string() };
            self.push(Rule::OperationReactivated, format!("{label}: no longer deprecated"), effect).old = at;
        }
        match (sunset(old, &old_pointer), sunset(new, &new_pointer)) {
            (Some(x), Some(y)) if y.date < x.date => {
                let message = format!("{label}: sunset date moved earlier, {} → {}", x.date, y.date);
                let (at_old, at_new) = (self.old_at(&x.pointer), self.new_at(&y.pointer));
                let change = self.push(Rule::OperationSunsetChanged, message, NO_API_CHANGE.into());
                change.old = at_old;
                change.new = at_new;
            }
            (Some(x), Some(y)) if y.date > x.date => {
                let message = format!("{label}: sunset date moved later, {} → {}", x.date, y.date);
                let (at_old, at_new) = (self.old_at(&x.pointer), self.new_at(&y.pointer));
                let change = self.push(Rule::OperationSunsetChanged, message, NO_API_CHANGE.into());
                change.wire = Level::Info;
                change.old = at_old;
                change.new = at_new;
            }
            (None, Some(y)) => {
                let message = format!("{label}: sunset date {} announced", y.date);
                let at = self.new_at(&y.pointer);
                self.push(Rule::OperationSunsetAnnounced, message, NO_API_CHANGE.into()).new = at;
            }
            (Some(x), None) => {
                let message = format!("{label}: sunset date {} withdrawn", x.date);
                let at = self.old_at(&x.pointer);
                let change = self.push(Rule::OperationSunsetChanged, message, NO_API_CHANGE.into());
                change.wire = Level::Info;
                change.old = at;
            }
            _ => {}
        }
    }

    /// Whether the node at `new_pointer` says `deprecated: true` and the one at `old_pointer`
    /// did not.
    fn newly_deprecated(&self, old_pointer: Option<&str>, new_pointer: Option<&str>) -> bool {
        let flag = |side: &Side, pointer: Option<&str>| {
            pointer.and_then(|p| side.value_at(p)).and_then(|v| v.get("deprecated")).and_then(Value::as_bool).unwrap_or(false)
        };
        !flag(self.old, old_pointer) && flag(self.new, new_pointer)
    }

    /// A parameter newly marked `deprecated`.
    pub(super) fn parameter_deprecated(&mut self, what: &str, old_pointer: Option<&str>, new_pointer: Option<&str>) {
        if self.newly_deprecated(old_pointer, new_pointer) {
            let at = new_pointer.and_then(|p| self.new_at(&format!("{p}/deprecated")));
            self.push(Rule::ParameterDeprecated, format!("{what} is deprecated"), NO_API_CHANGE.into()).new = at;
        }
    }

    /// A property newly marked `deprecated`.
    pub(super) fn property_deprecated(&mut self, what: &str, old_pointer: Option<&str>, new_pointer: Option<&str>, used_by: &[String]) {
        if self.newly_deprecated(old_pointer, new_pointer) {
            let at = new_pointer.and_then(|p| self.new_at(&format!("{p}/deprecated")));
            let change = self.push(Rule::PropertyDeprecated, format!("{what} is deprecated"), NO_API_CHANGE.into());
            change.new = at;
            change.used_by = used_by.to_vec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date;
    use chrono::NaiveDate;

    #[test]
    fn sunset_dates_in_the_usual_forms() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 30);
        assert_eq!(parse_date("2025-06-30"), day);
        assert_eq!(parse_date("2025-06-30T12:00:00Z"), day);
        assert_eq!(parse_date("Mon, 30 Jun 2025 00:00:00 GMT"), day);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(parse_date(""), None);
    }
}
