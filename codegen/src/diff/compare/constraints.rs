//! Validation keywords, one finding per keyword: a lowered `maxLength` is not the same news as
//! a new `pattern`. Reported here when the value's type is unchanged (the type rules take
//! changes that come with a new type), in the direction the value travels: a tighter bound on
//! what requests send may be refused (and the generated `send()` checks it, so Rust code that
//! passed it may now fail), a looser bound on what responses carry may surprise decoders.

use crate::ir::Number;

use super::*;

/// One keyword's two values, as numbers where it has one: (old, new), `None` when absent.
type Bound = (Option<f64>, Option<f64>);

/// A bound keyword: its name, its two values, whether a larger value is tighter, and the
/// (tighter, looser) rules for requests and for responses.
type BoundKeyword = (&'static str, Bound, bool, (Rule, Rule), (Rule, Rule));

fn number(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

fn text(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

impl Walk<'_> {
    /// Every keyword that differs between `old` and `new`, at `site` (recursing into the
    /// constraints on an array's items).
    pub(super) fn constraint_changes(&mut self, site: &Site, old: &Constraints, new: &Constraints, items: bool) {
        let request = site.direction == Direction::Request;
        let of = if items { "items: " } else { "" };
        // (keyword, old, new, whether a larger value is tighter, tighter rule, looser rule) per direction.
        let bounds: [BoundKeyword; 6] = [
            ("maxLength", (old.max_length.map(|v| v as f64), new.max_length.map(|v| v as f64)), false,
                (Rule::RequestMaxLengthDecreased, Rule::RequestMaxLengthIncreased), (Rule::ResponseMaxLengthDecreased, Rule::ResponseMaxLengthIncreased)),
            ("minLength", (old.min_length.map(|v| v as f64), new.min_length.map(|v| v as f64)), true,
                (Rule::RequestMinLengthIncreased, Rule::RequestMinLengthDecreased), (Rule::ResponseMinLengthIncreased, Rule::ResponseMinLengthDecreased)),
            ("maximum", (old.maximum.map(number), new.maximum.map(number)), false,
                (Rule::RequestMaxDecreased, Rule::RequestMaxIncreased), (Rule::ResponseMaxDecreased, Rule::ResponseMaxIncreased)),
            ("minimum", (old.minimum.map(number), new.minimum.map(number)), true,
                (Rule::RequestMinIncreased, Rule::RequestMinDecreased), (Rule::ResponseMinIncreased, Rule::ResponseMinDecreased)),
            ("maxItems", (old.max_items.map(|v| v as f64), new.max_items.map(|v| v as f64)), false,
                (Rule::RequestMaxItemsDecreased, Rule::RequestMaxItemsIncreased), (Rule::ResponseMaxItemsDecreased, Rule::ResponseMaxItemsIncreased)),
            ("minItems", (old.min_items.map(|v| v as f64), new.min_items.map(|v| v as f64)), true,
                (Rule::RequestMinItemsIncreased, Rule::RequestMinItemsDecreased), (Rule::ResponseMinItemsIncreased, Rule::ResponseMinItemsDecreased)),
        ];
        for (keyword, (a, b), larger_is_tighter, request_rules, response_rules) in bounds {
            if a == b {
                continue;
            }
            // An absent lower bound is no bound (0); an absent upper bound is unbounded.
            let (x, y) = if larger_is_tighter { (a.unwrap_or(0.0), b.unwrap_or(0.0)) } else { (a.unwrap_or(f64::INFINITY), b.unwrap_or(f64::INFINITY)) };
            let tighter = if larger_is_tighter { y > x } else { y < x };
            let (tight_rule, loose_rule) = if request { request_rules } else { response_rules };
            let rule = if tighter { tight_rule } else { loose_rule };
            let message = format!("{}: {of}{keyword} {} → {}", site.what, text(a), text(b));
            self.constraint_change(site, rule, message, tighter);
        }
        let exclusive = |flag: bool| if flag { "exclusive" } else { "inclusive" };
        for (keyword, a, b, bound, rules) in [
            ("exclusiveMinimum", old.exclusive_minimum, new.exclusive_minimum, old.minimum.is_some() && old.minimum == new.minimum,
                if request { (Rule::RequestMinIncreased, Rule::RequestMinDecreased) } else { (Rule::ResponseMinIncreased, Rule::ResponseMinDecreased) }),
            ("exclusiveMaximum", old.exclusive_maximum, new.exclusive_maximum, old.maximum.is_some() && old.maximum == new.maximum,
                if request { (Rule::RequestMaxDecreased, Rule::RequestMaxIncreased) } else { (Rule::ResponseMaxDecreased, Rule::ResponseMaxIncreased) }),
        ] {
            // The same bound, now excluded (tighter) or included (looser).
            if bound && a != b {
                let message = format!("{}: {of}{keyword}: the bound is now {}", site.what, exclusive(b));
                self.constraint_change(site, if b { rules.0 } else { rules.1 }, message, b);
            }
        }
        match (&old.pattern, &new.pattern) {
            (None, Some(p)) => {
                let rule = if request { Rule::RequestPatternAdded } else { Rule::ResponsePatternAdded };
                self.constraint_change(site, rule, format!("{}: {of}pattern `{p}` added", site.what), true);
            }
            (Some(p), None) => {
                let rule = if request { Rule::RequestPatternRemoved } else { Rule::ResponsePatternRemoved };
                self.constraint_change(site, rule, format!("{}: {of}pattern `{p}` removed", site.what), false);
            }
            (Some(p), Some(q)) if p != q => {
                let rule = if request { Rule::RequestPatternChanged } else { Rule::ResponsePatternChanged };
                // Neither contains the other in general: values that matched may not match now.
                self.constraint_change(site, rule, format!("{}: {of}pattern `{p}` → `{q}`", site.what), true);
            }
            _ => {}
        }
        if old.items.is_some() || new.items.is_some() {
            let empty = Constraints::default();
            self.constraint_changes(site, old.items.as_deref().unwrap_or(&empty), new.items.as_deref().unwrap_or(&empty), true);
        }
    }

    /// One keyword's change. The rule's table verdicts hold; `send()` checks the keywords of
    /// requests, so a tighter one there is a change Rust callers can meet at run time.
    fn constraint_change(&mut self, site: &Site, rule: Rule, message: String, tighter: bool) {
        let request = site.direction == Direction::Request;
        let effect = if request && tighter {
            format!("{}: Rust type unchanged, but `send()` now refuses values outside the new bound", site.rust_what)
        } else {
            NO_API_CHANGE.to_string()
        };
        let change = self.push(rule, message, effect);
        change.old = site.old.clone();
        change.new = site.new.clone();
        change.used_by = site.used_by.clone();
    }
}
