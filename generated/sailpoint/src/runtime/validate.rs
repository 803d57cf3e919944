//! Client-side checks of the spec's constraints, run in `send()` before anything goes out.
//!
//! Refusing early gives the caller a precise message ("`body.name` must be at most 64
//! characters") instead of a vague 400 from the server, and it never costs a round trip.
//! Messages name the field and the broken rule but never the value: the value may be a
//! secret, and errors end up in logs.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A value that breaks the spec's constraints, or a required value that is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The user-facing name of the value: a parameter (`organization_id`) or a path into the
    /// body (`body.scopes[2]`).
    pub field: String,
    /// What is wrong, without the value itself.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value for `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Unwraps a required value, so that a missing one is a typed error instead of a panic.
pub fn required<T>(field: &str, value: Option<T>) -> Result<T, ValidationError> {
    value.ok_or_else(|| ValidationError::new(field, "is required but was not set"))
}

/// Unwraps a required property of a request body: the error names the builder's setter
/// (`field`, as `body.organization_id`) and the property as it goes on the wire.
pub fn required_property<T>(
    field: &str,
    wire: &str,
    value: Option<T>,
) -> Result<T, ValidationError> {
    value.ok_or_else(|| {
        ValidationError::new(field, format!("the required property `{wire}` is not set"))
    })
}

/// `minLength` / `maxLength`. JSON Schema counts characters (code points), not bytes.
pub fn length(
    field: &str,
    value: &str,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    let len = value.chars().count() as u64;
    if let Some(min) = min {
        if len < min {
            return Err(ValidationError::new(
                field,
                format!("must be at least {min} character{} long", plural(min)),
            ));
        }
    }
    if let Some(max) = max {
        if len > max {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max} character{} long", plural(max)),
            ));
        }
    }
    Ok(())
}

/// `pattern`. JSON Schema patterns are not anchored, so this is `is_match`, not a full match.
pub fn pattern(field: &str, value: &str, re: &regex::Regex) -> Result<(), ValidationError> {
    if re.is_match(value) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            format!("must match the pattern `{}`", re.as_str()),
        ))
    }
}

/// `minimum` / `maximum`, both inclusive.
pub fn range<T: PartialOrd + fmt::Display + Copy>(
    field: &str,
    value: T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), ValidationError> {
    if let Some(min) = min {
        // Comparisons that are not ordered (NaN) fail too, hence not a plain `value < min`.
        if !is(value, min, &[Ordering::Greater, Ordering::Equal]) {
            return Err(ValidationError::new(
                field,
                format!("must be at least {min}"),
            ));
        }
    }
    if let Some(max) = max {
        if !is(value, max, &[Ordering::Less, Ordering::Equal]) {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max}"),
            ));
        }
    }
    Ok(())
}

/// `exclusiveMinimum` / `exclusiveMaximum` (OpenAPI 3.0 flags turned into bounds).
pub fn exclusive_range<T: PartialOrd + fmt::Display + Copy>(
    field: &str,
    value: T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), ValidationError> {
    if let Some(min) = min {
        if !is(value, min, &[Ordering::Greater]) {
            return Err(ValidationError::new(
                field,
                format!("must be greater than {min}"),
            ));
        }
    }
    if let Some(max) = max {
        if !is(value, max, &[Ordering::Less]) {
            return Err(ValidationError::new(
                field,
                format!("must be less than {max}"),
            ));
        }
    }
    Ok(())
}

/// `minItems` / `maxItems`.
pub fn items(
    field: &str,
    len: usize,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    let len = len as u64;
    if let Some(min) = min {
        if len < min {
            return Err(ValidationError::new(
                field,
                format!("must have at least {min} item{}", plural(min)),
            ));
        }
    }
    if let Some(max) = max {
        if len > max {
            return Err(ValidationError::new(
                field,
                format!("must have at most {max} item{}", plural(max)),
            ));
        }
    }
    Ok(())
}

fn is<T: PartialOrd>(value: T, bound: T, allowed: &[Ordering]) -> bool {
    value
        .partial_cmp(&bound)
        .is_some_and(|o| allowed.contains(&o))
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Checks a whole value against its schema's constraints.
///
/// Generated types implement it field by field; the blanket impls below let them call
/// `self.field.validate("body.field")` whatever the field's container, so the generator
/// never has to special-case `Option`, `Vec` or maps.
pub trait Validate {
    /// `field` is the user-facing path of `self`, extended for nested values.
    fn validate(&self, field: &str) -> Result<(), ValidationError>;
}

impl<T: Validate + ?Sized> Validate for &T {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        (**self).validate(field)
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        (**self).validate(field)
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        match self {
            Some(v) => v.validate(field),
            None => Ok(()),
        }
    }
}

impl<T: Validate> Validate for [T] {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        for (i, v) in self.iter().enumerate() {
            v.validate(&format!("{field}[{i}]"))?;
        }
        Ok(())
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        self.as_slice().validate(field)
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        for (k, v) in self {
            v.validate(&format!("{field}[{k:?}]"))?;
        }
        Ok(())
    }
}

impl<T: Validate, S> Validate for HashMap<String, T, S> {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        for (k, v) in self {
            v.validate(&format!("{field}[{k:?}]"))?;
        }
        Ok(())
    }
}

/// Types with nothing to check of their own: constraints on them live in the parent's
/// generated `validate`, which knows the schema.
macro_rules! no_constraints {
    ($($t:ty),* $(,)?) => {
        $(
            impl Validate for $t {
                fn validate(&self, _field: &str) -> Result<(), ValidationError> {
                    Ok(())
                }
            }
        )*
    };
}

no_constraints!(
    (),
    bool,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    char,
    str,
    String,
    super::secret::Secret,
    chrono::DateTime<chrono::Utc>,
    chrono::NaiveDate,
    serde_json::Value,
    bytes::Bytes,
);

