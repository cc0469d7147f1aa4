//! JSON views as CEL values that are cheap to copy.
//!
//! The `cel` crate copies a value whenever a comprehension binds an element
//! (`account.trails.exists(t, ...)`) or a variable is resolved into an owned
//! result. Its built-in maps and lists copy deeply, so iterating over the
//! trails of an account copied every trail view with its bucket, key and
//! policy documents, once per element, per check and per item. [`Shared`]
//! wraps a built-in map or list in an `Arc` and delegates every operation to
//! it, so a copy costs one reference-count increment; to CEL it is the same
//! map or list (equality, `in`, `size()`, indexing, `+` and type all come
//! from the wrapped value).

use cel::common::traits::{Adder, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, Type,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};
use cel::ExecutionError;
use serde_json::Value;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

/// A built-in CEL map or list shared by reference count.
#[derive(Debug)]
pub struct Shared<T: 'static>(Arc<T>);

impl<T: Val + Clone + 'static> Val for Shared<T> {
    fn get_type(&self) -> &Type {
        self.0.get_type()
    }

    fn cel_type() -> &'static Type
    where
        Self: Sized,
    {
        T::cel_type()
    }

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        self.0.as_adder()
    }

    fn as_container(&self) -> Option<&dyn Container> {
        self.0.as_container()
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        self.0.as_indexer()
    }

    fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
    where
        Self: 'v,
    {
        self.0.as_indexer()?;
        Some(self)
    }

    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        self.0.as_iterable()
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.0.as_sizer()
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.0.as_zeroer()
    }

    fn equals(&self, other: &dyn Val) -> bool {
        self.0.equals(other)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(Shared(Arc::clone(&self.0)))
    }

    fn as_any(&self) -> Option<&dyn Any> {
        self.0.as_any()
    }

    fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
    where
        Self: 'v,
    {
        self.0.as_builtin()
    }

    fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
    where
        Self: 'v,
    {
        Box::new(Arc::unwrap_or_clone(self.0)).into_builtin()
    }
}

impl<T: Val + Clone + 'static> Indexer for Shared<T> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match self.0.as_indexer() {
            Some(indexer) => indexer.get(idx),
            None => Err(ExecutionError::function_error(
                "index",
                "value cannot be indexed",
            )),
        }
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

/// Converts a JSON view into a CEL value. Integers become `int`, so
/// comparisons with literals just work; maps and lists are [`Shared`].
pub fn from_json(value: &Value) -> Box<dyn Val> {
    match value {
        Value::Null => Box::new(CelNull),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => Box::new(CelString::from(s.clone())),
        Value::Array(items) => {
            let list: Vec<Box<dyn Val>> = items.iter().map(from_json).collect();
            Box::new(Shared(Arc::new(CelList::from(list))))
        }
        Value::Object(map) => {
            let map: HashMap<CelMapKey<'static>, Box<dyn Val>> = map
                .iter()
                .map(|(k, v)| (CelMapKey::from(k.clone()), from_json(v)))
                .collect();
            Box::new(Shared(Arc::new(CelMap::from(map))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(expr: &str, var: Value) -> cel::Value {
        let program = cel::Program::compile(expr).expect("compiles");
        let mut context = cel::Context::default();
        context.add_variable_as_val("v", from_json(&var));
        program.execute(&context).expect("evaluates")
    }

    #[test]
    fn shared_values_behave_like_builtin_ones() {
        let v = json!({"trails": [{"arn": "a", "on": true, "tags": ["x"]}, {"arn": "b", "on": false, "tags": []}],
                       "n": 3, "f": 1.5, "s": "text", "none": null});
        let cases = [
            ("v.trails.exists(t, t.on && t.arn == 'a')", true),
            ("v.trails.all(t, t.on)", false),
            ("v.trails.filter(t, t.on).map(t, t.arn) == ['a']", true),
            ("['a'] == v.trails.filter(t, t.on).map(t, t.arn)", true),
            (
                "v.trails[0].tags == ['x'] && ['x'] == v.trails[0].tags",
                true,
            ),
            (
                "v.trails[0] == {'arn': 'a', 'on': true, 'tags': ['x']}",
                true,
            ),
            (
                "{'arn': 'a', 'on': true, 'tags': ['x']} == v.trails[0]",
                true,
            ),
            ("size(v.trails) == 2 && v.trails.size() == 2", true),
            ("'x' in v.trails[0].tags && 'trails' in v", true),
            ("has(v.n) && !has(v.missing) && v.none == null", true),
            ("v.n > 2 && v.f < 2.0 && v.s.startsWith('te')", true),
            ("size(v.trails + v.trails) == 4", true),
            ("type(v.trails) == list && type(v) == map", true),
        ];
        for (expr, expected) in cases {
            assert_eq!(eval(expr, v.clone()), cel::Value::Bool(expected), "{expr}");
        }
    }

    #[test]
    fn shared_values_convert_back_to_json_shapes() {
        let v = json!({"a": [1, {"b": "c"}]});
        let out = eval("v.a", v);
        assert_eq!(crate::engine::from_cel(&out), json!([1, {"b": "c"}]),);
    }
}
