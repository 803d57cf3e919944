//! Request bodies assembled property by property.
//!
//! A builder's property setters store JSON values as they come; `send()` turns the object
//! back into the typed body, so a missing required property is caught before sending.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::validate::ValidationError;

/// The JSON form of a body or property value.
///
/// Generated types serialize to JSON without fail (string keys only, no foreign
/// `Serialize` impls), so a failure cannot happen; `Null` stands in if it ever did.
pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The typed body from the properties set so far.
pub fn from_json_object<T: DeserializeOwned>(
    field: &str,
    object: Map<String, Value>,
) -> Result<T, ValidationError> {
    serde_json::from_value(Value::Object(object)).map_err(|error| {
        // serde's message may quote a value (a secret, say); keep only what names a field.
        let message = error.to_string();
        let message = match message.strip_prefix("missing field ") {
            Some(name) => format!("the required property {name} is not set"),
            None => "does not match the schema".to_string(),
        };
        ValidationError::new(field, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, serde::Serialize, PartialEq)]
    struct Body {
        name: String,
        #[serde(default)]
        size: Option<u32>,
    }

    #[test]
    fn names_the_missing_property() {
        let error = from_json_object::<Body>("body", Map::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid value for `body`: the required property `name` is not set"
        );
    }

    #[test]
    fn does_not_echo_values() {
        let mut object = Map::new();
        object.insert("name".into(), Value::from(42));
        let error = from_json_object::<Body>("body", object).unwrap_err();
        assert!(!error.to_string().contains("42"), "{error}");
    }

    #[test]
    fn round_trips() {
        let body = Body {
            name: "ci".into(),
            size: Some(3),
        };
        let Value::Object(object) = to_json(&body) else {
            panic!("an object")
        };
        assert_eq!(from_json_object::<Body>("body", object).unwrap(), body);
    }
}
