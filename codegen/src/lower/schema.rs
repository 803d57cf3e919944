//! JSON Schema → Rust types: one `lower_*` per schema form, all types kept in one arena.

use std::collections::HashMap;

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::ir::{
    Constraints, EnumVariant, Field, Number, Struct, TimeFormat, TypeDef, TypeId, TypeKind, TypeRef, Union,
    UnionVariant,
};
use crate::load::Document;
use crate::lower::customize::Custom;
use crate::lower::refs::{last_token, resolve};
use crate::naming::{camel, snake, Scope};

/// What a schema becomes where it is used: a type, the checks on it, and whether `null` is allowed.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub ty: TypeRef,
    pub constraints: Constraints,
    pub nullable: bool,
    pub description: Option<String>,
}

impl Lowered {
    fn of(ty: TypeRef) -> Lowered {
        Lowered { ty, constraints: Constraints::default(), nullable: false, description: None }
    }
}

/// Type names generated code uses unqualified; no schema may take one.
pub const PRELUDE_TYPES: &[&str] = &["Option", "Some", "None", "Result", "Ok", "Err", "Vec", "String", "Box", "Self"];

/// Every named type of the crate, by id, and the component schemas already given one.
pub struct TypeSpace<'a> {
    doc: &'a Document,
    custom: &'a Custom<'a>,
    defs: Vec<Option<TypeDef>>,
    names: Vec<String>,
    by_pointer: HashMap<String, TypeId>,
    /// Named types whose schema says `nullable: true`: every use of them may be `null`.
    nullable: Vec<bool>,
    /// Component schemas named but not yet defined, with where they stand.
    pending: Vec<(TypeId, String)>,
    scope: Scope,
    /// Pointers of unnamed schemas being lowered, to refuse cycles that no struct breaks.
    inlining: Vec<String>,
}

/// The shape of a schema, whatever way `openapiv3` parsed it.
enum Form<'s> {
    String { format: Option<String>, values: Vec<Option<String>>, constraints: Constraints },
    Integer { format: Option<String>, constraints: Constraints },
    Number { format: Option<String>, constraints: Constraints },
    Boolean,
    Object(ObjectForm<'s>),
    Array { items: Option<&'s ReferenceOr<Box<Schema>>>, constraints: Constraints },
    OneOf(&'s [ReferenceOr<Schema>]),
    AnyOf(&'s [ReferenceOr<Schema>]),
    /// The members, and the schema's own properties when it has some beside `allOf`.
    AllOf(&'s [ReferenceOr<Schema>], Option<ObjectForm<'s>>),
    Any,
}

#[derive(Clone, Copy)]
struct ObjectForm<'s> {
    properties: &'s indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    /// `oneOf`/`anyOf` members beside the properties that only say which of them are
    /// required (GitHub: `oneOf: [{required: [type, id]}, {required: [owner, repo]}]`).
    alternatives: &'s [ReferenceOr<Schema>],
}

impl<'a> TypeSpace<'a> {
    pub fn new(doc: &'a Document, custom: &'a Custom<'a>) -> TypeSpace<'a> {
        // Names the settings give are kept for the schemas they are given to.
        let mut scope = Scope::with_reserved(PRELUDE_TYPES);
        for name in custom.schema_name_targets() {
            scope.claim(name);
        }
        TypeSpace {
            doc,
            custom,
            defs: Vec::new(),
            names: Vec::new(),
            by_pointer: HashMap::new(),
            nullable: Vec::new(),
            pending: Vec::new(),
            scope,
            inlining: Vec::new(),
        }
    }

    /// The finished arena. A type whose definition failed (lenient generation goes on past
    /// such failures) stays as opaque JSON.
    pub fn into_types(self) -> Vec<TypeDef> {
        self.defs
            .into_iter()
            .zip(self.names)
            .map(|(def, name)| def.unwrap_or(TypeDef { name, description: None, kind: TypeKind::Opaque, validated: false, features: Vec::new(), pointer: None, derives: Vec::new(), alias_of: None }))
            .collect()
    }

    pub fn def(&self, id: TypeId) -> Option<&TypeDef> {
        self.defs[id.0].as_ref()
    }

    /// Gives every component schema that needs a Rust type of its own a name, in document
    /// order, before anything else claims one (component names are the ones users know),
    /// then defines them.
    ///
    /// A component that cannot be lowered is reported in `problems` and, when `lenient`,
    /// kept as opaque JSON so that the rest of the API is still generated.
    pub fn declare_components(&mut self, lenient: bool, problems: &mut Vec<Diagnostic>) -> Result<(), Diagnostic> {
        let Some(components) = &self.doc.api.components else { return Ok(()) };
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for name in &names {
            let pointer = format!("#/components/schemas/{}", crate::source_map::escape_token(name));
            let reference = ReferenceOr::<Schema>::Reference { reference: pointer.clone() };
            let (schema, resolved_at) = resolve(self.doc, &reference, &pointer)?;
            if resolved_at == pointer && needs_named_type(&schema) && self.one_of_all_of(&schema).is_none() && !self.is_replaced(&pointer) {
                let id = self.reserve(&camel(name), schema.schema_data.nullable, &pointer);
                self.by_pointer.insert(pointer.clone(), id);
                self.pending.push((id, pointer));
            }
        }
        let mut outcome = |result: Result<(), Diagnostic>| match result {
            Err(problem) if lenient => {
                problems.push(problem);
                Ok(())
            }
            other => other,
        };
        for (id, pointer) in std::mem::take(&mut self.pending) {
            let reference = ReferenceOr::<Schema>::Reference { reference: pointer.clone() };
            let defined = resolve(self.doc, &reference, &pointer).and_then(|(schema, _)| {
                let schema = schema.into_owned();
                self.define(&schema, &pointer, id)
            });
            outcome(defined.map(|def| self.defs[id.0] = Some(def)))?;
        }
        for name in &names {
            let pointer = format!("#/components/schemas/{}", crate::source_map::escape_token(name));
            outcome(self.lower_ref(&pointer, &pointer).map(|_| ()))?;
        }
        Ok(())
    }

    /// Lowers a schema found at `pointer`; `hint` names it if it needs a type of its own.
    pub fn lower(&mut self, schema: &ReferenceOr<Schema>, pointer: &str, hint: &str) -> Result<Lowered, Diagnostic> {
        match schema {
            ReferenceOr::Reference { reference } => {
                let target = crate::lower::refs::target_pointer(self.doc, reference, pointer)?;
                self.lower_ref(&target, pointer)
            }
            ReferenceOr::Item(schema) => self.lower_item(schema, pointer, hint),
        }
    }

    fn lower_boxed(&mut self, schema: &ReferenceOr<Box<Schema>>, pointer: &str, hint: &str) -> Result<Lowered, Diagnostic> {
        match schema {
            ReferenceOr::Reference { reference } => {
                let target = crate::lower::refs::target_pointer(self.doc, reference, pointer)?;
                self.lower_ref(&target, pointer)
            }
            ReferenceOr::Item(schema) => self.lower_item(schema, pointer, hint),
        }
    }

    /// A `$ref` to `target`: a named type when the target needs one, else the target inlined.
    fn lower_ref(&mut self, target: &str, at: &str) -> Result<Lowered, Diagnostic> {
        if let Some(id) = self.by_pointer.get(target) {
            return Ok(self.named(*id));
        }
        let reference = ReferenceOr::<Schema>::Reference { reference: target.to_string() };
        let (schema, resolved_at) = resolve(self.doc, &reference, at)?;
        let schema = schema.into_owned();
        if let Some(path) = self.custom.schema_type(target).or_else(|| self.custom.schema_type(&resolved_at)) {
            return Ok(Lowered { nullable: schema.schema_data.nullable, ..Lowered::of(replaced_schema(path)) });
        }
        if let Some(id) = self.by_pointer.get(&resolved_at).copied() {
            self.by_pointer.insert(target.to_string(), id);
            return Ok(self.named(id));
        }
        let name = last_token(&resolved_at);
        if needs_named_type(&schema) && self.one_of_all_of(&schema).is_none() {
            let id = self.reserve(&camel(&name), schema.schema_data.nullable, &resolved_at);
            self.by_pointer.insert(resolved_at.clone(), id);
            self.by_pointer.insert(target.to_string(), id);
            let def = self.define(&schema, &resolved_at, id)?;
            self.defs[id.0] = Some(def);
            return Ok(self.named(id));
        }
        if self.inlining.contains(&resolved_at) {
            return Err(self.doc.locator().error(
                &resolved_at,
                "this schema contains itself without an object in between, so it has no finite Rust type",
            ));
        }
        self.inlining.push(resolved_at.clone());
        let lowered = self.lower_item(&schema, &resolved_at, &camel(&name));
        self.inlining.pop();
        lowered
    }

    /// The settings that name parts of the spec.
    pub fn custom(&self) -> &'a Custom<'a> {
        self.custom
    }

    fn is_replaced(&self, pointer: &str) -> bool {
        self.custom.schema_type(pointer).is_some()
    }

    /// A new type for the schema at `pointer`: named as the settings say, else `wanted`
    /// made unique.
    fn reserve(&mut self, wanted: &str, nullable: bool, pointer: &str) -> TypeId {
        let name = match self.custom.schema_name(pointer) {
            Some(name) => name.to_string(),
            None => self.scope.claim(wanted),
        };
        self.defs.push(None);
        self.names.push(name);
        self.nullable.push(nullable);
        TypeId(self.defs.len() - 1)
    }

    /// A use of a named type; `null` is allowed wherever the type's schema allows it.
    fn named(&self, id: TypeId) -> Lowered {
        Lowered { nullable: self.nullable[id.0], ..Lowered::of(TypeRef::Named(id)) }
    }

    /// Lowers an inline schema.
    fn lower_item(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Result<Lowered, Diagnostic> {
        let nullable = schema.schema_data.nullable;
        if let Some(path) = self.custom.schema_type(pointer) {
            return Ok(Lowered { nullable, ..Lowered::of(replaced_schema(path)) });
        }
        let description = description_of(schema);
        if needs_named_type(schema) {
            // A single-member `allOf` is the usual way to put a description beside a `$ref`.
            if let Some(single) = self.one_of_all_of(schema) {
                let mut lowered = self.lower(single.only, &format!("{pointer}/allOf/{}", single.index), hint)?;
                lowered.nullable |= nullable || single.nullable;
                lowered.description = description.or(single.description).or(lowered.description);
                return Ok(lowered);
            }
            // Keyed by where the schema stands, so that a schema reached again while it is
            // being defined (an `allOf` that includes its own container) is the same type.
            let id = match self.by_pointer.get(pointer) {
                Some(id) => *id,
                None => {
                    let id = self.reserve(&camel(hint), nullable, pointer);
                    self.by_pointer.insert(pointer.to_string(), id);
                    let def = self.define(schema, pointer, id)?;
                    self.defs[id.0] = Some(def);
                    id
                }
            };
            return Ok(Lowered { ty: TypeRef::Named(id), constraints: Constraints::default(), nullable, description });
        }
        let mut lowered = self.lower_unnamed(schema, pointer, hint)?;
        lowered.nullable |= nullable;
        lowered.description = description;
        Ok(lowered)
    }

    /// The one schema an `allOf` stands for, when it merges nothing: one member and others
    /// that only describe it ([`single_all_of`]), or members that are all the same scalar once
    /// references are followed (DigitalOcean's `allOf: [{$ref: Slug}, {type: string,
    /// nullable: true}]`), which is the first of them; later members' bounds are not checked.
    fn one_of_all_of<'s>(&self, schema: &'s Schema) -> Option<SingleAllOf<'s>> {
        if let Some(single) = single_all_of(schema) {
            return Some(single);
        }
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else { return None };
        let (mut kind, mut first, mut nullable, mut description) = (None, None, false, None);
        for (index, member) in all_of.iter().enumerate() {
            let (resolved, _) = resolve(self.doc, member, "#").ok()?;
            nullable |= resolved.schema_data.nullable;
            let form = form_of(&resolved);
            let this = match (&form, scalar_kind(&form)) {
                (Form::Any, _) => {
                    description = description.or_else(|| description_of(&resolved));
                    continue;
                }
                (_, Some(kind)) => kind,
                (_, None) => return None,
            };
            if kind.is_some_and(|k| k != this) {
                return None;
            }
            kind = Some(this);
            first = first.or(Some((index, member)));
        }
        let (index, only) = first?;
        Some(SingleAllOf { index, only, nullable, description })
    }

    /// Schemas that are a Rust primitive or container, with their checks.
    fn lower_unnamed(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Result<Lowered, Diagnostic> {
        let lowered = self.lower_primitive(schema, pointer, hint)?;
        // A `format` the settings replace: the user's type, which carries its own checks.
        let format = match form_of(schema) {
            Form::String { format, .. } | Form::Integer { format, .. } | Form::Number { format, .. } => format,
            _ => None,
        };
        match format.as_deref().and_then(|f| self.custom.format_type(f)) {
            Some(path) => Ok(Lowered::of(TypeRef::External { path: path.to_string(), wire: Box::new(lowered.ty) })),
            None => Ok(lowered),
        }
    }

    fn lower_primitive(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Result<Lowered, Diagnostic> {
        let sensitive = schema.schema_data.extensions.get("x-sensitive") == Some(&Value::Bool(true));
        let lowered = match form_of(schema) {
            Form::String { format, values, constraints } => {
                let ty = match format.as_deref() {
                    _ if sensitive => TypeRef::Secret,
                    Some("password") => TypeRef::Secret,
                    Some("date-time") => TypeRef::DateTime(TimeFormat::Rfc3339),
                    Some("binary") => TypeRef::Bytes,
                    _ => TypeRef::String,
                };
                let nullable = values.iter().any(Option::is_none);
                let constraints = if ty == TypeRef::String || ty == TypeRef::Secret { constraints } else { Constraints::default() };
                Lowered { ty, constraints, nullable, description: None }
            }
            Form::Integer { format, constraints } => match format.as_deref() {
                Some("epoch-seconds") => Lowered::of(TypeRef::DateTime(TimeFormat::EpochSeconds)),
                Some("epoch-millis") => Lowered::of(TypeRef::DateTime(TimeFormat::EpochMillis)),
                Some("int32") | Some("int16") | Some("int8") => Lowered { constraints, ..Lowered::of(TypeRef::I32) },
                _ => Lowered { constraints, ..Lowered::of(TypeRef::I64) },
            },
            Form::Number { format, constraints } => match format.as_deref() {
                Some("epoch-seconds") => Lowered::of(TypeRef::DateTime(TimeFormat::EpochSeconds)),
                Some("epoch-millis") => Lowered::of(TypeRef::DateTime(TimeFormat::EpochMillis)),
                Some("float") => Lowered { constraints, ..Lowered::of(TypeRef::F32) },
                _ => Lowered { constraints, ..Lowered::of(TypeRef::F64) },
            },
            Form::Boolean => Lowered::of(TypeRef::Bool),
            Form::Array { items, mut constraints } => {
                let item = match items {
                    Some(items) => {
                        let item = self.lower_boxed(items, &format!("{pointer}/items"), &format!("{hint}Item"))?;
                        item
                    }
                    None => Lowered::of(TypeRef::Json),
                };
                if !item.constraints.is_empty() {
                    constraints.items = Some(Box::new(item.constraints));
                }
                Lowered { ty: TypeRef::Vec(Box::new(in_container(item.ty))), constraints, nullable: false, description: None }
            }
            Form::Object(object) => {
                // Only maps and free-form objects come here; objects with properties are named.
                let value = self.lower_additional(object.additional, pointer, hint)?.unwrap_or(TypeRef::Json);
                Lowered::of(TypeRef::Map(Box::new(value)))
            }
            Form::Any => Lowered::of(TypeRef::Json),
            Form::OneOf(_) | Form::AnyOf(_) | Form::AllOf(..) => {
                unreachable!("compositions always get a named type")
            }
        };
        Ok(lowered)
    }

    fn lower_additional(
        &mut self,
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        hint: &str,
    ) -> Result<Option<TypeRef>, Diagnostic> {
        Ok(match additional {
            None | Some(AdditionalProperties::Any(false)) => None,
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(schema)) => {
                let value = self.lower(schema, &format!("{pointer}/additionalProperties"), &format!("{hint}Value"))?;
                Some(in_container(value.ty))
            }
        })
    }

    /// The definition of a named type.
    fn define(&mut self, schema: &Schema, pointer: &str, id: TypeId) -> Result<TypeDef, Diagnostic> {
        let name = self.names[id.0].clone();
        let kind = match form_of(schema) {
            Form::String { values, .. } => TypeKind::Enum(enum_variants(&values)),
            Form::Object(object) => TypeKind::Struct(self.lower_struct(&[(object, pointer.to_string())], &name, pointer)?),
            // The form says which keyword the members are under; the schema kind does not when
            // `type` stands beside them (GitHub's `repository-rule`: `type: object`, `oneOf`).
            Form::OneOf(members) => TypeKind::Union(self.lower_union(schema, members, &format!("{pointer}/oneOf"), &name)?),
            Form::AnyOf(members) => TypeKind::Union(self.lower_union(schema, members, &format!("{pointer}/anyOf"), &name)?),
            Form::AllOf(members, own) => {
                let mut objects = Vec::new();
                self.collect_all_of(members, &format!("{pointer}/allOf"), &mut objects, &mut vec![pointer.to_string()])?;
                if let Some(own) = own {
                    objects.push((OwnedObject::from(own), pointer.to_string()));
                }
                TypeKind::Struct(self.lower_struct_owned(&objects, &name, pointer)?)
            }
            _ => unreachable!("only enums, objects and compositions are named"),
        };
        Ok(TypeDef { name, description: description_of(schema), kind, validated: false, features: Vec::new(), pointer: Some(pointer.to_string()), derives: Vec::new(), alias_of: None })
    }

    /// The struct of the type defined at `type_pointer`, merging `objects` (its own
    /// properties, or the members of its `allOf`).
    fn lower_struct(&mut self, objects: &[(ObjectForm<'_>, String)], name: &str, type_pointer: &str) -> Result<Struct, Diagnostic> {
        let mut fields: Vec<Field> = Vec::new();
        let mut scope = Scope::default();
        let mut additional = None;
        let property_pointer = |pointer: &str, wire_name: &str| format!("{pointer}/properties/{}", crate::source_map::escape_token(wire_name));
        // Names the settings give are kept for their properties.
        let mut renamed: HashMap<&str, String> = HashMap::new();
        for (object, pointer) in objects {
            for wire_name in object.properties.keys() {
                if let Some(rust_name) = self.custom.property_name(type_pointer, &property_pointer(pointer, wire_name), wire_name) {
                    scope.claim(rust_name);
                    renamed.insert(wire_name, rust_name.to_string());
                }
            }
        }
        for (object, pointer) in objects {
            for (wire_name, property) in object.properties {
                let property_pointer = property_pointer(pointer, wire_name);
                let lowered = self.lower_boxed(property, &property_pointer, &format!("{name}{}", camel(wire_name)))?;
                let required = object.required.contains(wire_name);
                // allOf members may repeat a property: the later one refines it.
                if let Some(existing) = fields.iter_mut().find(|f| &f.wire_name == wire_name) {
                    existing.ty = lowered.ty;
                    existing.required |= required;
                    existing.constraints = lowered.constraints;
                    continue;
                }
                fields.push(Field {
                    wire_name: wire_name.clone(),
                    rust_name: renamed.get(wire_name.as_str()).cloned().unwrap_or_else(|| scope.claim(&snake(wire_name))),
                    ty: lowered.ty,
                    required,
                    nullable: lowered.nullable,
                    boxed: false,
                    description: lowered.description,
                    constraints: lowered.constraints,
                    pointer: property_pointer,
                });
            }
            if let Some(value) = self.lower_additional(object.additional, pointer, name)? {
                additional = Some(value);
            }
        }
        // `required` may name a property that an earlier allOf member declared.
        for (object, _) in objects {
            for field in fields.iter_mut() {
                if object.required.contains(&field.wire_name) {
                    field.required = true;
                }
            }
        }
        // Alternatives by Rust field name; a name no property has is dropped (it could
        // never be set), and an alternative left empty holds always.
        let required_one_of: Vec<Vec<String>> = objects
            .iter()
            .flat_map(|(object, _)| required_lists(object.alternatives))
            .map(|names| names.iter().filter_map(|n| fields.iter().find(|f| &f.wire_name == n)).map(|f| f.rust_name.clone()).collect::<Vec<_>>())
            .collect();
        let required_one_of = if required_one_of.iter().any(Vec::is_empty) { Vec::new() } else { required_one_of };
        Ok(Struct { fields, additional, required_one_of })
    }

    fn lower_struct_owned(&mut self, objects: &[(OwnedObject, String)], name: &str, type_pointer: &str) -> Result<Struct, Diagnostic> {
        let borrowed: Vec<(ObjectForm<'_>, String)> =
            objects.iter().map(|(o, p)| (o.as_form(), p.clone())).collect();
        self.lower_struct(&borrowed, name, type_pointer)
    }

    /// Flattens an `allOf` into the objects it merges, following `$ref`s and nested `allOf`s.
    /// `expanding` holds the schemas being flattened, outermost first: meeting one of them
    /// again is a cycle, which no merge can end.
    fn collect_all_of(
        &mut self,
        members: &[ReferenceOr<Schema>],
        pointer: &str,
        out: &mut Vec<(OwnedObject, String)>,
        expanding: &mut Vec<String>,
    ) -> Result<(), Diagnostic> {
        for (i, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/{i}");
            let (schema, at) = resolve(self.doc, member, &member_pointer)?;
            let schema = schema.into_owned();
            match form_of(&schema) {
                Form::Object(object) => out.push((OwnedObject::from(object), at)),
                Form::AllOf(..) if expanding.contains(&at) => {
                    return Err(self.doc.locator().error(
                        &member_pointer,
                        format!("this `allOf` includes {at}, which includes this `allOf` again: the merge would never end"),
                    ))
                }
                Form::AllOf(inner, own) => {
                    expanding.push(at.clone());
                    self.collect_all_of(inner, &format!("{at}/allOf"), out, expanding)?;
                    expanding.pop();
                    if let Some(own) = own {
                        out.push((OwnedObject::from(own), at));
                    }
                }
                // A member that adds no properties (a description, `nullable`, a bare `{}`).
                Form::Any => {}
                _ => {
                    return Err(self.doc.locator().error(
                        &member_pointer,
                        "an `allOf` member that is not an object cannot be merged; make every member an object schema",
                    ))
                }
            }
        }
        Ok(())
    }

    fn lower_union(
        &mut self,
        schema: &Schema,
        members: &[ReferenceOr<Schema>],
        pointer: &str,
        name: &str,
    ) -> Result<Union, Diagnostic> {
        let mut variants = Vec::new();
        let mut scope = Scope::default();
        for (i, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/{i}");
            let lowered = self.lower(member, &member_pointer, &format!("{name}Variant{i}"))?;
            let ty = in_container(lowered.ty);
            // A member listed twice (stream-io's `ChatEvent` names `AnyEvent` twice) adds no
            // value: it would be a second variant no value ever reaches.
            if variants.iter().any(|v: &UnionVariant| v.ty == ty) {
                continue;
            }
            let rust_name = scope.claim(&self.variant_name(&ty));
            let tag_value = match member {
                ReferenceOr::Reference { reference } => Some(last_token(reference)),
                ReferenceOr::Item(_) => None,
            };
            variants.push(UnionVariant { rust_name, ty, boxed: false, tag_value, pointer: member_pointer });
        }
        let tag = match &schema.schema_data.discriminator {
            Some(discriminator) if variants.iter().all(|v| v.tag_value.is_some() && matches!(v.ty, TypeRef::Named(_))) => {
                for variant in &mut variants {
                    let target = variant.tag_value.clone().unwrap_or_default();
                    if let Some((value, _)) =
                        discriminator.mapping.iter().find(|(_, reference)| last_token(reference) == target)
                    {
                        variant.tag_value = Some(value.clone());
                    }
                }
                Some(discriminator.property_name.clone())
            }
            _ => None,
        };
        if tag.is_none() {
            for variant in &mut variants {
                variant.tag_value = None;
            }
        }
        Ok(Union { tag, variants })
    }

    /// A union variant is named after what it holds.
    fn variant_name(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Bool => "Bool".into(),
            TypeRef::I32 | TypeRef::I64 => "Integer".into(),
            TypeRef::F32 | TypeRef::F64 => "Number".into(),
            TypeRef::String => "String".into(),
            TypeRef::Secret => "Secret".into(),
            TypeRef::DateTime(_) => "DateTime".into(),
            TypeRef::Json => "Value".into(),
            TypeRef::Unit => "Empty".into(),
            TypeRef::Bytes => "Bytes".into(),
            TypeRef::Vec(_) => "Array".into(),
            TypeRef::Map(_) => "Object".into(),
            TypeRef::Named(id) => self.names[id.0].clone(),
            TypeRef::External { path, .. } => camel(path.rsplit("::").next().unwrap_or(path)),
        }
    }

    /// Marks the struct fields and union variants that must be boxed: those that lead back
    /// to their own type without passing through a `Vec` or map, which already allocate.
    pub fn break_cycles(&mut self) {
        let direct: Vec<Vec<TypeId>> = (0..self.defs.len()).map(|i| self.direct_edges(TypeId(i))).collect();
        let reaches = |from: TypeId, to: TypeId| -> bool {
            let mut seen = vec![false; direct.len()];
            let mut stack = vec![from];
            while let Some(next) = stack.pop() {
                if next == to {
                    return true;
                }
                if !std::mem::replace(&mut seen[next.0], true) {
                    stack.extend(direct[next.0].iter().copied());
                }
            }
            false
        };
        for index in 0..self.defs.len() {
            let me = TypeId(index);
            let mut decisions = Vec::new();
            if let Some(def) = &self.defs[index] {
                match &def.kind {
                    TypeKind::Struct(s) => {
                        for field in &s.fields {
                            decisions.push(matches!(field.ty, TypeRef::Named(t) if reaches(t, me)));
                        }
                    }
                    TypeKind::Union(u) => {
                        for variant in &u.variants {
                            decisions.push(matches!(variant.ty, TypeRef::Named(t) if reaches(t, me)));
                        }
                    }
                    TypeKind::Enum(_) | TypeKind::Opaque => {}
                }
            }
            if let Some(def) = &mut self.defs[index] {
                match &mut def.kind {
                    TypeKind::Struct(s) => s.fields.iter_mut().zip(&decisions).for_each(|(f, b)| f.boxed = *b),
                    TypeKind::Union(u) => u.variants.iter_mut().zip(&decisions).for_each(|(v, b)| v.boxed = *b),
                    TypeKind::Enum(_) | TypeKind::Opaque => {}
                }
            }
        }
    }

    /// Sets `validated` on every type that has checks of its own or holds one that does,
    /// through any nesting: a fixpoint, since types may refer to each other in cycles.
    pub fn mark_validated(&mut self) {
        let mut validated = vec![false; self.defs.len()];
        loop {
            let mut changed = false;
            for (index, def) in self.defs.iter().enumerate() {
                let known = |id: TypeId| validated[id.0];
                let none = Constraints::default();
                let now = match def.as_ref().map(|d| &d.kind) {
                    Some(TypeKind::Struct(s)) => {
                        !s.required_one_of.is_empty() || s.fields.iter().any(|f| f.constraints.check_anything(&f.ty, &known))
                    }
                    Some(TypeKind::Union(u)) => u.variants.iter().any(|v| none.check_anything(&v.ty, &known)),
                    _ => false,
                };
                if now && !validated[index] {
                    validated[index] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (def, validated) in self.defs.iter_mut().zip(validated) {
            if let Some(def) = def {
                def.validated = validated;
            }
        }
    }

    fn direct_edges(&self, id: TypeId) -> Vec<TypeId> {
        let named = |ty: &TypeRef| if let TypeRef::Named(t) = ty { Some(*t) } else { None };
        match self.defs[id.0].as_ref().map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => s.fields.iter().filter_map(|f| named(&f.ty)).collect(),
            Some(TypeKind::Union(u)) => u.variants.iter().filter_map(|v| named(&v.ty)).collect(),
            _ => Vec::new(),
        }
    }
}

/// Epoch timestamps need a serde `with` module, which cannot reach inside a container:
/// there they stay plain numbers.
/// A schema the settings replace with the user's type: what it was on the wire is not
/// lowered (the user's serde impls decide), so it stands as any JSON.
fn replaced_schema(path: &str) -> TypeRef {
    TypeRef::External { path: path.to_string(), wire: Box::new(TypeRef::Json) }
}

fn in_container(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::DateTime(TimeFormat::EpochSeconds) => TypeRef::F64,
        TypeRef::DateTime(TimeFormat::EpochMillis) => TypeRef::I64,
        other => other,
    }
}

/// An object schema's parts, owned, for objects reached through `$ref`s in an `allOf`.
struct OwnedObject {
    properties: indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: Vec<String>,
    additional: Option<AdditionalProperties>,
    alternatives: Vec<ReferenceOr<Schema>>,
}

impl OwnedObject {
    fn from(object: ObjectForm<'_>) -> OwnedObject {
        OwnedObject {
            properties: object.properties.clone(),
            required: object.required.to_vec(),
            additional: object.additional.cloned(),
            alternatives: object.alternatives.to_vec(),
        }
    }

    fn as_form(&self) -> ObjectForm<'_> {
        ObjectForm { properties: &self.properties, required: &self.required, additional: self.additional.as_ref(), alternatives: &self.alternatives }
    }
}

/// An `allOf` of written-out scalar schemas (`[{type: string}, {type: string, minLength: 1}]`)
/// is that scalar: the last member, which refines the others; members of different kinds
/// (a string and an integer) admit no value a client could build, so any JSON value.
/// `None` when a member is an object, a composition or a reference: those merge as objects.
fn scalar_all_of(members: &[ReferenceOr<Schema>]) -> Option<Form<'_>> {
    let mut kind = None;
    let mut last = None;
    for member in members {
        let ReferenceOr::Item(schema) = member else { return None };
        let form = form_of(schema);
        let this = match (&form, scalar_kind(&form)) {
            (Form::Any, _) => continue,
            (_, Some(kind)) => kind,
            (_, None) => return None,
        };
        if kind.is_some_and(|k| k != this) {
            return Some(Form::Any);
        }
        kind = Some(this);
        last = Some(form);
    }
    last
}

/// The JSON type of a scalar form, for merging `allOf` members that are all one scalar.
fn scalar_kind(form: &Form<'_>) -> Option<&'static str> {
    match form {
        Form::String { .. } => Some("string"),
        Form::Integer { .. } => Some("integer"),
        Form::Number { .. } => Some("number"),
        Form::Boolean => Some("boolean"),
        _ => None,
    }
}

/// A schema that only lists required properties (and maybe describes itself).
fn only_requires(member: &ReferenceOr<Schema>) -> bool {
    match member {
        ReferenceOr::Item(schema) => matches!(&schema.schema_kind, SchemaKind::Any(a)
            if a.typ.is_none() && a.properties.is_empty() && a.additional_properties.is_none()
                && a.all_of.is_empty() && a.one_of.is_empty() && a.any_of.is_empty() && a.not.is_none()
                && a.items.is_none() && a.enumeration.is_empty() && a.format.is_none()),
        ReferenceOr::Reference { .. } => false,
    }
}

/// The required lists of `only_requires` members.
fn required_lists(members: &[ReferenceOr<Schema>]) -> Vec<Vec<String>> {
    members
        .iter()
        .filter_map(|m| match m {
            ReferenceOr::Item(Schema { schema_kind: SchemaKind::Any(a), .. }) => Some(a.required.clone()),
            _ => None,
        })
        .collect()
}

fn description_of(schema: &Schema) -> Option<String> {
    schema.schema_data.description.clone().or_else(|| schema.schema_data.title.clone())
}

/// The one member of an `allOf` that says what the value is, when any others only describe
/// it: `allOf: [{$ref: X}]` or `allOf: [{$ref: X}, {description: ...}]` is the usual way to
/// put a description or `nullable` beside a `$ref` (Plaid, AWS).
fn single_all_of(schema: &Schema) -> Option<SingleAllOf<'_>> {
    let members = match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => all_of,
        // `type: string` beside the `allOf`, and nothing that adds to it.
        SchemaKind::Any(a)
            if a.properties.is_empty() && a.required.is_empty() && a.additional_properties.is_none()
                && a.one_of.is_empty() && a.any_of.is_empty() && a.not.is_none() && a.items.is_none()
                && a.enumeration.is_empty() && a.format.is_none() =>
        {
            &a.all_of
        }
        _ => return None,
    };
    // A member with words and no keywords; a bare `{}` is not one (it keeps the merge, and so
    // the named type that lets a schema hold itself).
    let describes = |member: &ReferenceOr<Schema>| match member {
        ReferenceOr::Item(schema) => schema.schema_data != Default::default() && matches!(&schema.schema_kind, SchemaKind::Any(a)
            if a.typ.is_none() && a.properties.is_empty() && a.required.is_empty() && a.additional_properties.is_none()
                && a.all_of.is_empty() && a.one_of.is_empty() && a.any_of.is_empty() && a.not.is_none()
                && a.items.is_none() && a.enumeration.is_empty() && a.format.is_none()),
        ReferenceOr::Reference { .. } => false,
    };
    let mut what = members.iter().enumerate().filter(|(_, m)| !describes(m));
    let (index, only) = what.next()?;
    if what.next().is_some() {
        return None;
    }
    let described = || members.iter().filter_map(|m| m.as_item());
    Some(SingleAllOf {
        index,
        only,
        nullable: described().any(|schema| schema.schema_data.nullable),
        description: described().find_map(description_of),
    })
}

/// The member of an `allOf` that is the value, and what the others say of it.
struct SingleAllOf<'s> {
    index: usize,
    only: &'s ReferenceOr<Schema>,
    nullable: bool,
    description: Option<String>,
}

/// Objects with properties, string enums and compositions get a Rust type of their own;
/// everything else is a primitive or a container used in place.
fn needs_named_type(schema: &Schema) -> bool {
    match form_of(schema) {
        Form::String { values, .. } => values.iter().any(Option::is_some),
        Form::Object(object) => !object.properties.is_empty(),
        Form::OneOf(_) | Form::AnyOf(_) | Form::AllOf(..) => true,
        _ => false,
    }
}

/// An object schema with nothing in it: AWS's `{}` outputs. As a response body it means
/// "no data", whatever bytes come.
pub fn is_empty_object(schema: &Schema) -> bool {
    matches!(form_of(schema), Form::Object(o) if o.properties.is_empty() && matches!(o.additional, None | Some(AdditionalProperties::Any(false))))
        && matches!(schema.schema_kind, SchemaKind::Type(Type::Object(_)) | SchemaKind::Any(_))
}

fn enum_variants(values: &[Option<String>]) -> Vec<EnumVariant> {
    let mut scope = Scope::with_reserved(&["Unknown"]);
    let mut variants: Vec<EnumVariant> = Vec::new();
    for value in values.iter().flatten() {
        if variants.iter().any(|v| &v.wire == value) {
            continue;
        }
        let wanted = if value.is_empty() { "Empty".to_string() } else { camel(value) };
        let wanted = if wanted == "Unknown" { "UnknownValue".to_string() } else { wanted };
        variants.push(EnumVariant { rust_name: scope.claim(&wanted), wire: value.clone() });
    }
    variants
}

fn form_of(schema: &Schema) -> Form<'_> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => Form::String {
            format: format_name(&s.format),
            values: s.enumeration.clone(),
            constraints: Constraints {
                min_length: s.min_length.map(|v| v as u64),
                max_length: s.max_length.map(|v| v as u64),
                pattern: s.pattern.clone(),
                ..Constraints::default()
            },
        },
        SchemaKind::Type(Type::Integer(i)) => Form::Integer {
            format: format_name(&i.format),
            constraints: Constraints {
                minimum: i.minimum.map(Number::Int),
                maximum: i.maximum.map(Number::Int),
                exclusive_minimum: i.exclusive_minimum,
                exclusive_maximum: i.exclusive_maximum,
                ..Constraints::default()
            },
        },
        SchemaKind::Type(Type::Number(n)) => Form::Number {
            format: format_name(&n.format),
            constraints: Constraints {
                minimum: n.minimum.map(Number::Float),
                maximum: n.maximum.map(Number::Float),
                exclusive_minimum: n.exclusive_minimum,
                exclusive_maximum: n.exclusive_maximum,
                ..Constraints::default()
            },
        },
        SchemaKind::Type(Type::Boolean(_)) => Form::Boolean,
        SchemaKind::Type(Type::Object(o)) => Form::Object(ObjectForm {
            properties: &o.properties,
            required: &o.required,
            additional: o.additional_properties.as_ref(),
            alternatives: &[],
        }),
        SchemaKind::Type(Type::Array(a)) => Form::Array {
            items: a.items.as_ref(),
            constraints: Constraints {
                min_items: a.min_items.map(|v| v as u64),
                max_items: a.max_items.map(|v| v as u64),
                ..Constraints::default()
            },
        },
        // A composition of nothing (Cohere's `oneOf: []` beside a discriminator) constrains
        // nothing: any JSON value.
        SchemaKind::OneOf { one_of } if one_of.is_empty() => Form::Any,
        SchemaKind::AnyOf { any_of } if any_of.is_empty() => Form::Any,
        SchemaKind::AllOf { all_of } if all_of.is_empty() => Form::Any,
        SchemaKind::OneOf { one_of } => Form::OneOf(one_of),
        SchemaKind::AnyOf { any_of } => Form::AnyOf(any_of),
        SchemaKind::AllOf { all_of } => scalar_all_of(all_of).unwrap_or(Form::AllOf(all_of, None)),
        SchemaKind::Not { .. } => Form::Any,
        SchemaKind::Any(any) => form_of_any(any),
    }
}

/// `openapiv3` keeps schemas that mix keywords, or have no `type`, as `AnySchema`: read what
/// they mean from the keywords present.
fn form_of_any(any: &openapiv3::AnySchema) -> Form<'_> {
    let mut object = ObjectForm { properties: &any.properties, required: &any.required, additional: any.additional_properties.as_ref(), alternatives: &[] };
    let has_object_keywords = !any.properties.is_empty() || any.additional_properties.is_some();
    if !any.all_of.is_empty() {
        if !has_object_keywords {
            if let Some(scalar) = scalar_all_of(&any.all_of) {
                return scalar;
            }
        }
        return Form::AllOf(&any.all_of, has_object_keywords.then_some(object));
    }
    // Members that only require some of the properties beside them: the object, whose
    // check in `send()` is that one of the alternatives holds.
    for members in [&any.one_of, &any.any_of] {
        if has_object_keywords && !members.is_empty() && members.iter().all(only_requires) {
            object.alternatives = members;
            return Form::Object(object);
        }
    }
    if !any.one_of.is_empty() {
        return Form::OneOf(&any.one_of);
    }
    if !any.any_of.is_empty() {
        return Form::AnyOf(&any.any_of);
    }
    let string_values = || -> Vec<Option<String>> {
        any.enumeration.iter().map(|v| v.as_str().map(str::to_string)).collect()
    };
    // Whole bounds stay integers so that integer fields compare with integer literals.
    let number = |v: f64| if v.fract() == 0.0 && v.abs() < 9.0e15 { Number::Int(v as i64) } else { Number::Float(v) };
    let numeric = Constraints {
        minimum: any.minimum.map(number),
        maximum: any.maximum.map(number),
        exclusive_minimum: any.exclusive_minimum.unwrap_or(false),
        exclusive_maximum: any.exclusive_maximum.unwrap_or(false),
        ..Constraints::default()
    };
    let string = Constraints {
        min_length: any.min_length.map(|v| v as u64),
        max_length: any.max_length.map(|v| v as u64),
        pattern: any.pattern.clone(),
        ..Constraints::default()
    };
    match any.typ.as_deref() {
        Some("string") => Form::String { format: any.format.clone(), values: string_values(), constraints: string },
        Some("integer") => Form::Integer { format: any.format.clone(), constraints: numeric },
        Some("number") => Form::Number { format: any.format.clone(), constraints: numeric },
        Some("boolean") => Form::Boolean,
        Some("object") => Form::Object(object),
        Some("array") => Form::Array {
            items: any.items.as_ref(),
            constraints: Constraints {
                min_items: any.min_items.map(|v| v as u64),
                max_items: any.max_items.map(|v| v as u64),
                ..Constraints::default()
            },
        },
        _ if has_object_keywords => Form::Object(object),
        _ if any.items.is_some() => Form::Array { items: any.items.as_ref(), constraints: Constraints::default() },
        _ if !any.enumeration.is_empty() && any.enumeration.iter().all(|v| v.is_string() || v.is_null()) => {
            Form::String { format: any.format.clone(), values: string_values(), constraints: string }
        }
        _ => Form::Any,
    }
}

fn format_name<T: std::fmt::Debug>(format: &openapiv3::VariantOrUnknownOrEmpty<T>) -> Option<String> {
    use openapiv3::VariantOrUnknownOrEmpty as F;
    match format {
        F::Item(known) => Some(kebab_of_known(&format!("{known:?}"))),
        F::Unknown(other) => Some(other.clone()),
        F::Empty => None,
    }
}

/// `openapiv3` parses well-known formats into enums (`DateTime`, `Int32`, `Password`); turn
/// them back into the spec's spelling so that one table of format names decides types.
fn kebab_of_known(debug: &str) -> String {
    match debug {
        "DateTime" => "date-time".into(),
        other => other.to_lowercase(),
    }
}
