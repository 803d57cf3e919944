//! The settings that name parts of the spec (renames, replaced schemas and formats, derives on
//! schemas), keyed the way lowering meets those parts: by JSON pointer.
//!
//! Each lookup that matches is noted, so that a key naming nothing in the spec (a typo, or a
//! schema the spec no longer has) is reported at its line of the settings file instead of being
//! ignored.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use crate::diagnostics::Diagnostic;
use crate::settings::{pointer as at, Settings};
use crate::source_map::escape_token;

/// A setting's value and where the settings file gives it.
struct Entry {
    value: String,
    at: String,
}

pub struct Custom<'s> {
    pub settings: &'s Settings,
    /// Schema pointer → type name.
    schema_names: HashMap<String, Entry>,
    /// Schema pointer → the Rust type that replaces it.
    schema_types: HashMap<String, Entry>,
    /// `<type pointer>\0<wire name>`, or the property's pointer → field name.
    property_names: HashMap<String, Entry>,
    /// operationId → method name.
    operation_names: HashMap<String, Entry>,
    formats: HashMap<String, Entry>,
    /// Settings pointers of the entries that matched.
    used: RefCell<BTreeSet<String>>,
    /// Problems found in the settings themselves (two renames to one name).
    pub problems: Vec<Diagnostic>,
}

/// Renames to a name that another component schema already has: that schema would quietly
/// become `Name2`, a rename the user did not ask for.
pub fn rename_clashes(doc: &crate::load::Document, settings: &Settings) -> Vec<Diagnostic> {
    let Some(components) = &doc.api.components else { return Vec::new() };
    let mut out = Vec::new();
    for (key, target) in &settings.rename.schemas {
        let taken = components.schemas.keys().find(|c| *c != key && crate::naming::camel(c) == *target && !settings.rename.schemas.contains_key(*c));
        if let Some(other) = taken {
            out.push(settings.error(&at(&["rename", "schemas", key]), format!("schema `{other}` is already named `{target}`: rename it too, or choose another name")));
        }
    }
    out
}

/// The pointer of a schema named in the settings: a component's name or a JSON pointer.
pub fn schema_pointer(key: &str) -> String {
    if key.starts_with("#/") {
        key.to_string()
    } else {
        format!("#/components/schemas/{}", escape_token(key))
    }
}

impl<'s> Custom<'s> {
    pub fn new(settings: &'s Settings) -> Custom<'s> {
        let mut problems = Vec::new();
        let entry = |value: &String, path: &[&str]| Entry { value: value.clone(), at: at(path) };
        let mut schema_names = HashMap::new();
        let mut targets: HashMap<&str, &str> = HashMap::new();
        for (key, name) in &settings.rename.schemas {
            if let Some(first) = targets.insert(name, key) {
                problems.push(settings.error(&at(&["rename", "schemas", key]), format!("`{first}` is renamed to `{name}` too: two types cannot share a name")));
            }
            if crate::lower::schema::PRELUDE_TYPES.contains(&name.as_str()) {
                problems.push(settings.error(&at(&["rename", "schemas", key]), format!("`{name}` is a name generated code uses for itself; choose another")));
            }
            schema_names.insert(schema_pointer(key), entry(name, &["rename", "schemas", key]));
        }
        let schema_types = settings.replace.schemas.iter().map(|(key, path)| (schema_pointer(key), entry(path, &["replace", "schemas", key]))).collect();
        let property_names = settings
            .rename
            .properties
            .iter()
            .map(|(key, name)| {
                let lookup = match key.strip_prefix("#/") {
                    Some(_) => key.clone(),
                    None => {
                        let (schema, property) = key.split_once('.').unwrap_or((key, ""));
                        format!("{}\0{property}", schema_pointer(schema))
                    }
                };
                (lookup, entry(name, &["rename", "properties", key]))
            })
            .collect();
        let mut operation_names = HashMap::new();
        let mut methods: HashMap<&str, &str> = HashMap::new();
        for (id, name) in &settings.rename.operations {
            if let Some(first) = methods.insert(name, id) {
                problems.push(settings.error(&at(&["rename", "operations", id]), format!("`{first}` is renamed to `{name}` too: two methods cannot share a name")));
            }
            operation_names.insert(id.clone(), entry(name, &["rename", "operations", id]));
        }
        let formats = settings.replace.formats.iter().map(|(format, path)| (format.clone(), entry(path, &["replace", "formats", format]))).collect();
        Custom { settings, schema_names, schema_types, property_names, operation_names, formats, used: RefCell::default(), problems }
    }

    fn take<'a>(&self, entry: Option<&'a Entry>) -> Option<&'a str> {
        let entry = entry?;
        self.used.borrow_mut().insert(entry.at.clone());
        Some(&entry.value)
    }

    /// The type name the settings give the schema at `pointer`.
    pub fn schema_name(&self, pointer: &str) -> Option<&str> {
        self.take(self.schema_names.get(pointer))
    }

    /// Type names the settings give, to keep generated names off them.
    pub fn schema_name_targets(&self) -> impl Iterator<Item = &str> {
        self.schema_names.values().map(|e| e.value.as_str())
    }

    /// The Rust type that replaces the schema at `pointer`.
    pub fn schema_type(&self, pointer: &str) -> Option<&str> {
        self.take(self.schema_types.get(pointer))
    }

    /// The field name for property `wire` of the type defined at `type_pointer`, declared at
    /// `property_pointer`.
    pub fn property_name(&self, type_pointer: &str, property_pointer: &str, wire: &str) -> Option<&str> {
        self.take(self.property_names.get(&format!("{type_pointer}\0{wire}")).or_else(|| self.property_names.get(property_pointer)))
    }

    pub fn operation_name(&self, id: &str) -> Option<&str> {
        self.take(self.operation_names.get(id))
    }

    pub fn operation_name_targets(&self) -> impl Iterator<Item = &str> {
        self.operation_names.values().map(|e| e.value.as_str())
    }

    /// The Rust type that replaces every schema of this `format`.
    pub fn format_type(&self, format: &str) -> Option<&str> {
        self.take(self.formats.get(format))
    }

    /// A diagnostic for every entry that matched nothing: an error for names (a rename of a
    /// schema the spec lacks is a mistake), a warning for formats (a spec may not use one yet).
    pub fn unmatched(&self) -> Vec<Diagnostic> {
        let used = self.used.borrow();
        let mut out = Vec::new();
        let mut report = |entries: &HashMap<String, Entry>, what: &str, warn: bool| {
            let mut missing: Vec<&Entry> = entries.values().filter(|e| !used.contains(&e.at)).collect();
            missing.sort_by(|a, b| a.at.cmp(&b.at));
            for e in missing {
                let message = format!("{what}: check the spelling against the spec");
                out.push(if warn { self.settings.warning(&e.at, message) } else { self.settings.error(&e.at, message) });
            }
        };
        report(&self.schema_names, "no schema here gets a Rust type of its own (it is inlined, replaced, or not in the spec)", false);
        report(&self.schema_types, "no schema of the spec is here", false);
        report(&self.property_names, "no property of the spec is here", false);
        report(&self.operation_names, "no operation of the spec (after the filters) has this operationId", false);
        report(&self.formats, "no schema of the spec has this format", true);
        out
    }
}
