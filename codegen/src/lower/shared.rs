//! Finds the parameters that many operations declare alike: the same name, place, type,
//! constraints, requiredness and description. Every one of bunq's 429 operations declares
//! the same seven headers, and GitHub's `owner` and `per_page` are on hundreds of
//! operations: written out per builder, their setters and typed-mock matchers were a third
//! of bunq's crate. A shared parameter's setter is emitted once, and each builder keeps its
//! value in one struct; the builders' API and the requests they send stay the same.

use std::collections::{HashMap, HashSet};

use crate::ir::{Api, Param};

/// How many operations must declare a parameter alike before its setter is shared. Below
/// this, one setter per builder is as short and easier to read.
pub const MIN_OPERATIONS: usize = 8;

pub fn assign(api: &mut Api) {
    // Each distinct parameter, in the order first met, with the operations declaring it.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut users: Vec<Vec<(usize, usize)>> = Vec::new();
    for (op_index, op) in api.operations.iter().enumerate() {
        for (param_index, param) in op.params.iter().enumerate() {
            if param.constant.is_some() {
                continue;
            }
            let next = users.len();
            let at = *seen.entry(likeness(param)).or_insert(next);
            if at == next {
                users.push(Vec::new());
            }
            users[at].push((op_index, param_index));
        }
    }
    let mut fields: HashSet<String> = HashSet::new();
    for declared in users.into_iter().filter(|declared| declared.len() >= MIN_OPERATIONS) {
        let (op_index, param_index) = declared[0];
        let mut param = api.operations[op_index].params[param_index].clone();
        // Two shared parameters of one name (GitHub's `owner` of a repository and of a
        // project, documented differently) need two fields.
        let mut field = param.rust_name.clone();
        let mut count = 1;
        while !fields.insert(field.clone()) {
            count += 1;
            field = format!("{}_{count}", param.rust_name);
        }
        param.shared = Some(field.clone());
        for (op_index, param_index) in declared {
            api.operations[op_index].params[param_index].shared = Some(field.clone());
        }
        api.shared_params.push(param);
    }
}

/// What must be equal for two operations' parameters to share a setter: all of it but
/// where it is declared.
fn likeness(p: &Param) -> String {
    format!(
        "{:?} {:?} {:?} {} {:?} {:?} {:?} {}",
        p.location, p.wire_name, p.rust_name, p.required, p.ty, p.constraints, p.description, p.deep_object
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ParamLocation, TypeRef};

    fn param(name: &str, description: &str) -> Param {
        Param {
            wire_name: name.to_string(),
            rust_name: name.to_string(),
            location: ParamLocation::Header,
            required: false,
            ty: TypeRef::String,
            constraints: Default::default(),
            constant: None,
            description: Some(description.to_string()),
            deep_object: false,
            pointer: None,
            shared: None,
        }
    }

    #[test]
    fn parameters_are_alike_in_everything_but_where_they_are_declared() {
        let mut key = param("key", "a key");
        key.required = true;
        assert_ne!(likeness(&key), likeness(&param("key", "a key")), "requiredness differs");
        assert_ne!(likeness(&param("key", "a key")), likeness(&param("key", "another key")));
        let mut elsewhere = param("key", "a key");
        elsewhere.pointer = Some("#/components/parameters/Key".to_string());
        assert_eq!(likeness(&elsewhere), likeness(&param("key", "a key")));
    }
}
