//! Serde adapters for timestamps sent as numbers.
//!
//! RFC 3339 strings need nothing here: chrono's own serde support handles them. AWS JSON
//! sends epoch seconds (often fractional) and LaunchDarkly sends epoch milliseconds, and
//! both must surface as `chrono::DateTime<Utc>` so users see one timestamp type whatever the
//! wire form. Use them as `#[serde(with = "crate::runtime::timestamp::epoch_seconds")]`, or
//! with the `option` submodule for `Option<DateTime<Utc>>` fields.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Which number the wire carries; shared so that seconds and milliseconds cannot drift apart.
#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
}

impl Unit {
    fn datetime_from_i64(self, n: i64) -> Option<DateTime<Utc>> {
        match self {
            Unit::Seconds => DateTime::from_timestamp(n, 0),
            Unit::Millis => DateTime::from_timestamp_millis(n),
        }
    }

    fn datetime_from_f64(self, n: f64) -> Option<DateTime<Utc>> {
        if !n.is_finite() {
            return None;
        }
        // Seconds are kept to the millisecond and milliseconds to the microsecond: an f64
        // holding a current epoch value has no more precision than that, and rounding here
        // turns 1.7e9 + 0.001 into exactly one millisecond instead of 999_999 ns.
        let scaled = (n * 1e3).round();
        if scaled < i64::MIN as f64 || scaled > i64::MAX as f64 {
            return None;
        }
        match self {
            Unit::Seconds => DateTime::from_timestamp_millis(scaled as i64),
            Unit::Millis => DateTime::from_timestamp_micros(scaled as i64),
        }
    }

    fn serialize<S: Serializer>(
        self,
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match self {
            Unit::Seconds => {
                let nanos = value.timestamp_subsec_nanos();
                if nanos == 0 {
                    serializer.serialize_i64(value.timestamp())
                } else {
                    serializer.serialize_f64(value.timestamp() as f64 + f64::from(nanos) / 1e9)
                }
            }
            Unit::Millis => serializer.serialize_i64(value.timestamp_millis()),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "a timestamp in seconds since the Unix epoch",
            Unit::Millis => "a timestamp in milliseconds since the Unix epoch",
        }
    }
}

struct TimestampVisitor(Unit);

impl<'de> Visitor<'de> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0
            .datetime_from_i64(v)
            .ok_or_else(|| E::custom(format_args!("timestamp {v} is out of range")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        let v = i64::try_from(v)
            .map_err(|_| E::custom(format_args!("timestamp {v} is out of range")))?;
        self.visit_i64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0
            .datetime_from_f64(v)
            .ok_or_else(|| E::custom(format_args!("timestamp {v} is out of range")))
    }
}

/// `Option` support: `null` (or an absent field, with `#[serde(default)]`) is `None`.
struct OptionVisitor(Unit);

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or {}", self.0.name())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TimestampVisitor(self.0)).map(Some)
    }
}

fn serialize_option<S: Serializer>(
    unit: Unit,
    value: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => unit.serialize(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// Seconds since the Unix epoch, a JSON number that may be fractional (AWS JSON protocols).
/// Whole seconds are written as an integer, anything finer as a float, as the AWS SDKs do.
pub mod epoch_seconds {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    use super::{TimestampVisitor, Unit};

    pub fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Unit::Seconds.serialize(value, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        deserializer.deserialize_any(TimestampVisitor(Unit::Seconds))
    }

    /// For `Option<DateTime<Utc>>` fields.
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserializer, Serializer};

        use super::super::{serialize_option, OptionVisitor, Unit};

        pub fn serialize<S: Serializer>(
            value: &Option<DateTime<Utc>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serialize_option(Unit::Seconds, value, serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            deserializer.deserialize_option(OptionVisitor(Unit::Seconds))
        }
    }
}

/// Milliseconds since the Unix epoch, a JSON integer (LaunchDarkly's `UnixMillis`). Floats
/// are accepted on input because nothing stops a server from sending `1.7e12`.
pub mod epoch_millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    use super::{TimestampVisitor, Unit};

    pub fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Unit::Millis.serialize(value, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        deserializer.deserialize_any(TimestampVisitor(Unit::Millis))
    }

    /// For `Option<DateTime<Utc>>` fields.
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserializer, Serializer};

        use super::super::{serialize_option, OptionVisitor, Unit};

        pub fn serialize<S: Serializer>(
            value: &Option<DateTime<Utc>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serialize_option(Unit::Millis, value, serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            deserializer.deserialize_option(OptionVisitor(Unit::Millis))
        }
    }
}

